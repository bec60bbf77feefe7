"""TerminalView against a real shell in a local PTY, driven by Textual's Pilot."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

from ssm_tui.terminal.terminal import Terminal
from ssm_tui.ui.terminal_view import TerminalView


def _take_terminal() -> None:
    """In the child: a new session whose controlling terminal is the PTY (so ^C works)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class LocalShell:
    """A /bin/sh in a PTY: what a session does for the view, without AWS."""

    def __init__(self, cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.resize(80, 24)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "PS1": "$ ",
            "HOME": str(cwd),
            "LANG": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            ["/bin/sh"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            preexec_fn=_take_terminal,
        )
        os.close(slave)

    def resize(self, columns: int, rows: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def attach(self, receive: Callable[[bytes], None]) -> None:
        def readable() -> None:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            if data:
                receive(data)
            else:
                asyncio.get_running_loop().remove_reader(self.master)

        asyncio.get_running_loop().add_reader(self.master, readable)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().remove_reader(self.master)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.master)


class ShellApp(App[None]):
    """The wiring an app does: output to feed(), Input to the session, Resized to the PTY."""

    def __init__(self, shell: LocalShell) -> None:
        super().__init__()
        self.shell = shell
        self.titles: list[str] = []

    def compose(self) -> ComposeResult:
        yield Button("elsewhere")
        yield TerminalView(Terminal(80, 24), id="term")

    def on_mount(self) -> None:
        view = self.query_one(TerminalView)
        self.shell.attach(view.feed)
        view.focus()

    def on_terminal_view_input(self, message: TerminalView.Input) -> None:
        self.shell.write(message.data)

    def on_terminal_view_resized(self, message: TerminalView.Resized) -> None:
        self.shell.resize(message.columns, message.rows)

    def on_terminal_view_title_changed(self, message: TerminalView.TitleChanged) -> None:
        self.titles.append(message.title)


@pytest.fixture
async def shell(tmp_path: Path) -> AsyncIterator[LocalShell]:
    local = LocalShell(tmp_path)
    yield local
    local.close()


async def wait_for(pilot: object, condition: Callable[[], bool], tries: int = 200) -> None:
    """Let the app run until ``condition`` holds (bounded by tries, not by a clock)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError(
        "condition never held:\n" + "\n".join(pilot.app.query_one(TerminalView).terminal.display)
    )


def screen_text(view: TerminalView) -> str:
    return "\n".join(view.terminal.display)


class TestTyping:
    async def test_typed_command_is_echoed_and_runs(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*"echo hi-there", "enter")
            await wait_for(pilot, lambda: screen_text(view).count("hi-there") >= 2)

    async def test_app_keys_go_to_the_shell_while_focused(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*"sleep 30", "enter", "ctrl+c")
            await pilot.press(*"echo after-interrupt", "enter")
            await wait_for(pilot, lambda: "\nafter-interrupt" in screen_text(view))
            await pilot.press("tab", "ctrl+p", "ctrl+q")
            assert app.is_running and view.has_focus

    async def test_release_key_hands_focus_back(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await pilot.press("ctrl+right_square_bracket")
            await pilot.pause()
            assert not view.has_focus


class TestScreenModes:
    async def test_resize_reaches_the_shell(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.resize_terminal(60, 20)
            await wait_for(pilot, lambda: view.terminal.columns == 60)
            await pilot.press(*"stty size", "enter")
            await wait_for(pilot, lambda: f"{view.terminal.lines} 60" in screen_text(view))

    async def test_scrollback_holds_earlier_output(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*"seq 1 200", "enter")
            await wait_for(pilot, lambda: "\n200" in screen_text(view))
            await pilot.press("shift+pageup")
            await pilot.pause()
            assert view.scroll_back > 0
            first_row = view.terminal.line(view._top_line())[0]
            assert first_row.isdigit() and int(first_row) < 180

    async def test_alternate_screen_in_and_out(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*"echo main-screen", "enter")
            await wait_for(pilot, lambda: "\nmain-screen" in screen_text(view))
            await pilot.press(*r"printf '\033[?1049h\033[HALT'; sleep 1", "enter")
            await wait_for(pilot, lambda: view.terminal.alternate_screen)
            await wait_for(pilot, lambda: "ALT" in screen_text(view))
            assert "main-screen" not in screen_text(view)
            await pilot.press(*r"printf '\033[?1049l'", "enter")
            await wait_for(pilot, lambda: not view.terminal.alternate_screen)
            await wait_for(pilot, lambda: "\nmain-screen" in screen_text(view))

    async def test_title_reaches_the_app(self, shell: LocalShell) -> None:
        app = ShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*r"printf '\033]2;my-title\007'", "enter")
            await wait_for(pilot, lambda: "my-title" in app.titles)


class CaptureApp(App[None]):
    """A view showing a recorded program's screen, no shell needed."""

    def __init__(self, capture: str) -> None:
        super().__init__()
        self.capture = capture

    def compose(self) -> ComposeResult:
        yield TerminalView(Terminal(80, 24))

    def on_mount(self) -> None:
        path = Path(__file__).parents[1] / "terminal" / "captures" / f"{self.capture}.bin"
        view = self.query_one(TerminalView)
        view.feed(path.read_bytes())
        view.focus()


class TestSnapshot:
    def test_htop_renders_with_colours(self, snap_compare: Callable[..., bool]) -> None:
        assert snap_compare(CaptureApp("htop"), terminal_size=(80, 24))

    def test_coloured_ls_renders(self, snap_compare: Callable[..., bool]) -> None:
        assert snap_compare(CaptureApp("ls"), terminal_size=(80, 24))

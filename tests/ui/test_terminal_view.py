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
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Button, TabbedContent, TabPane

from ssm_tui.terminal.scheduler import ParseScheduler
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


class DirectShellApp(ShellApp):
    """ShellApp whose view hands keys straight to the shell while it is ``live``."""

    def __init__(self, shell: LocalShell) -> None:
        super().__init__(shell)
        self.live = True
        self.posted: list[bytes] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(TerminalView).send_now = self.send_now

    def send_now(self, data: bytes) -> bool:
        if self.live:
            self.shell.write(data)
        return self.live

    def on_terminal_view_input(self, message: TerminalView.Input) -> None:
        # Textual also calls ShellApp's handler, which writes the bytes to the shell.
        self.posted.append(message.data)


class TestDirectSend:
    async def test_keys_go_through_send_now_and_post_no_input(self, shell: LocalShell) -> None:
        app = DirectShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            await pilot.press(*"echo direct-line", "enter")
            await wait_for(pilot, lambda: "\ndirect-line" in screen_text(view))
            assert app.posted == []

    async def test_keys_send_now_refuses_are_posted_as_input(self, shell: LocalShell) -> None:
        app = DirectShellApp(shell)
        async with app.run_test(size=(80, 26)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: "$" in screen_text(view))
            app.live = False
            await pilot.press(*"echo posted", "enter")
            await wait_for(pilot, lambda: "\nposted" in screen_text(view))
            assert b"".join(app.posted) == b"echo posted\r"


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


class CountingView(TerminalView):
    """Counts the rows it rendered."""

    def __init__(self, terminal: Terminal, **kwargs: Any) -> None:
        super().__init__(terminal, **kwargs)
        self.rendered = 0

    def render_line(self, y: int) -> Strip:
        self.rendered += 1
        return super().render_line(y)


class TabsApp(App[None]):
    """Two views in tabs, both attached to one scheduler, as the workspace does."""

    def __init__(self) -> None:
        super().__init__()
        self.scheduler = ParseScheduler()
        self.inputs: list[bytes] = []
        self.typed_when_input_arrived: list[bool] = []

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("one", id="one"):
                yield CountingView(Terminal(40, 5), id="first")
            with TabPane("two", id="two"):
                yield CountingView(Terminal(40, 5), id="second")

    def on_mount(self) -> None:
        for view in self.query(CountingView):
            view.attach(self.scheduler)
        self.query_one("#first", CountingView).focus()
        self.run_worker(self.scheduler.run())

    def on_terminal_view_input(self, message: TerminalView.Input) -> None:
        self.inputs.append(message.data)
        queue = message.view.queue
        assert queue is not None
        self.typed_when_input_arrived.append(time.monotonic() - queue.typed_at < 1)


class TestTabs:
    async def test_hidden_views_do_not_paint_until_shown(self) -> None:
        app = TabsApp()
        async with app.run_test(size=(40, 8)) as pilot:
            first = app.query_one("#first", CountingView)
            second = app.query_one("#second", CountingView)
            await pilot.pause()
            assert app.scheduler.visible is first.queue
            painted = second.rendered
            assert second.queue is not None
            app.scheduler.receive(second.queue, b"hidden output\r\n" * 20)
            await wait_for(pilot, lambda: app.scheduler.pending_bytes == 0)
            await pilot.pause()
            assert second.rendered == painted
            assert second._frame_timer is None
            app.query_one(TabbedContent).active = "two"
            await wait_for(pilot, lambda: second.rendered > painted)
            assert app.scheduler.visible is second.queue
            await pilot.pause()
            rows = [second.render_line(y).text.rstrip() for y in range(second.size.height)]
            assert rows == ["hidden output"] * (len(rows) - 1) + [""]

    async def test_a_key_marks_the_tab_typed_before_input_is_delivered(self) -> None:
        app = TabsApp()
        async with app.run_test(size=(40, 8)) as pilot:
            await pilot.press("x")
            await wait_for(pilot, lambda: bool(app.inputs))
            assert app.inputs == [b"x"]
            assert app.typed_when_input_arrived == [True]

    async def test_output_repaints_at_once_when_idle(self) -> None:
        app = TabsApp()
        async with app.run_test(size=(40, 8)) as pilot:
            first = app.query_one("#first", CountingView)
            await pilot.pause(0.05)
            first.feed(b"now")
            assert first._frame_timer is None  # painted in place, no 60 Hz timer wait
            assert first._shown and first._shown[0] == first._row_key(first._top_line())

    async def test_unmounting_leaves_the_scheduler(self) -> None:
        app = TabsApp()
        async with app.run_test(size=(40, 8)) as pilot:
            second = app.query_one("#second", CountingView)
            queue = second.queue
            assert queue is not None
            await second.remove()
            await pilot.pause()
            app.scheduler.receive(queue, b"late")
            assert queue not in app.scheduler._queues


class OneView(App[None]):
    def __init__(self, data: bytes = b"", *, blink: bool = False) -> None:
        super().__init__()
        self.data = data
        self.blink = blink

    def compose(self) -> ComposeResult:
        view = TerminalView(Terminal(20, 3))
        view.blink.when_headless = self.blink
        view.blink.seconds = 0.02
        yield Button("elsewhere")
        yield view

    def on_mount(self) -> None:
        view = self.query_one(TerminalView)
        view.feed(self.data)
        view.focus()


class TestCursor:
    async def test_only_the_focused_view_blinks_and_it_stops_after_a_while(self) -> None:
        app = OneView(b"$ ", blink=True)
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            view.blink.timeout = 0.5
            await wait_for(pilot, lambda: view.blink.timer is not None)
            states = set()
            for _ in range(40):
                await pilot.pause(0.01)
                states.add(view.blink.on)
                if len(states) == 2:
                    break
            assert states == {True, False}
            # Past the timeout: steady, and the timer paused (no more wakeups).
            await wait_for(pilot, lambda: view.blink.on and not view.blink.timer._active.is_set())  # type: ignore[union-attr]
            view.blink.timeout = 10
            await pilot.press("a")
            await wait_for(pilot, lambda: not view.blink.on)
            await pilot.press("ctrl+right_square_bracket")
            await wait_for(pilot, lambda: view.blink.timer is None and view.blink.on)

    async def test_no_blinking_in_headless_apps_by_default(self) -> None:
        app = OneView(b"$ ")
        async with app.run_test(size=(20, 6)) as pilot:
            await pilot.pause(0.1)
            view = app.query_one(TerminalView)
            assert view.blink.timer is None and view.blink.on

    async def test_a_bar_cursor_is_a_thin_bar_on_a_blank_cell(self) -> None:
        app = OneView(b"\x1b[6 q$ ")
        async with app.run_test(size=(20, 6)) as pilot:
            await pilot.pause()
            view = app.query_one(TerminalView)
            assert view.render_line(0).text.startswith("$ \u258f")
            view.feed(b"ab\x1b[D")  # back onto the "b": underlined instead
            await pilot.pause()
            strip = view.render_line(0)
            assert strip.text.startswith("$ ab ")
            cell = strip.crop(3, 4)
            assert [segment.style.underline for segment in cell if segment.style] == [True]

    async def test_block_and_underline_cursors(self) -> None:
        app = OneView(b"$ ")
        async with app.run_test(size=(20, 6)) as pilot:
            await pilot.pause()
            view = app.query_one(TerminalView)
            styles = [s.style for s in view.render_line(0).crop(2, 3) if s.style]
            assert styles and styles[0].reverse
            view.feed(b"\x1b[4 q")
            await pilot.pause()
            styles = [s.style for s in view.render_line(0).crop(2, 3) if s.style]
            assert styles and styles[0].underline and not styles[0].reverse


class TestSelection:
    async def test_selecting_cells_of_wide_characters_copies_the_characters(self) -> None:
        app = OneView("a中文b c\r\nnext".encode())
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await pilot.pause()
            await pilot.mouse_down(view, offset=(1, 0))
            await pilot.hover(view, offset=(5, 0))
            await pilot.mouse_up(view, offset=(5, 0))
            assert view.selected_text() == "中文"
            assert app.clipboard == "中文"

    async def test_a_selection_across_lines(self) -> None:
        app = OneView("a中文b c\r\nnext".encode())
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await pilot.pause()
            await pilot.mouse_down(view, offset=(3, 0))
            await pilot.hover(view, offset=(2, 1))
            await pilot.mouse_up(view, offset=(2, 1))
            assert view.selected_text() == "文b c\nne"


class Recorder(OneView):
    """OneView that keeps what the view sends to the remote side."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sent: list[bytes] = []

    def on_terminal_view_input(self, message: TerminalView.Input) -> None:
        self.sent.append(message.data)


class TestMouse:
    async def test_a_program_tracking_the_mouse_gets_clicks_and_shift_clicks_select(
        self,
    ) -> None:
        app = Recorder(b"\x1b[?1000h\x1b[?1006hab cd")
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await pilot.pause()
            await pilot.click(view, offset=(3, 1))
            await wait_for(pilot, lambda: b"\x1b[<0;4;2m" in app.sent)
            assert b"\x1b[<0;4;2M" in app.sent
            app.sent.clear()
            await pilot.mouse_down(view, offset=(0, 0), shift=True)
            await pilot.hover(view, offset=(2, 0))
            await pilot.mouse_up(view, offset=(2, 0), shift=True)
            assert view.selected_text() == "ab"
            assert app.sent == []

    async def test_the_wheel_scrolls_back_or_sends_arrows_to_a_full_screen_program(
        self,
    ) -> None:
        app = Recorder(b"\r\n".join(b"line %d" % n for n in range(10)))
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await pilot.pause()

            async def wheel(event: type[events.MouseScrollUp | events.MouseScrollDown]) -> None:
                view.post_message(event(view, 2, 1, 0, 0, 0, False, False, False))
                await pilot.pause()

            await wheel(events.MouseScrollUp)
            assert view.scroll_back == 3
            await wheel(events.MouseScrollDown)
            assert view.scroll_back == 0
            view.feed(b"\x1b[?1049h")
            await wheel(events.MouseScrollUp)
            await wait_for(pilot, lambda: b"\x1b[A" * 3 in app.sent)
            assert view.scroll_back == 0


class TestFrames:
    async def test_a_key_repaints_its_cursor_lazily_and_the_echo_preempts_it(self) -> None:
        app = OneView(b"$ ")
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: view.has_focus)
            await pilot.pause(0.05)
            view.blink.on = False  # as if the key came in the blink's off phase
            view.blink.steady()
            assert view._frame_timer is not None and view._frame_lazy
            view.feed(b"x")  # the echo: painted at once, with the cursor
            assert view._frame_timer is None and not view._frame_lazy
            row = view._shown[0]
            assert row == view._row_key(view._top_line()) and row[1] is not None

    async def test_an_echo_after_typing_is_painted_at_once_other_output_waits(self) -> None:
        app = OneView(b"$ ")
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: view.has_focus)
            await pilot.pause(0.05)
            view._last_frame = time.monotonic() - 0.005  # a frame 5 ms ago
            view.feed(b"out")  # output nobody typed for: paced at 60 frames a second
            assert view._frame_timer is not None
            await wait_for(pilot, lambda: view._frame_timer is None)
            await pilot.press("x")
            view._last_frame = time.monotonic() - 0.005
            view.feed(b"x")  # the echo
            assert view._frame_timer is None
            assert view._shown[0] == view._row_key(view._top_line())

    async def test_a_scroll_key_paints_at_once_right_after_a_frame(self) -> None:
        app = OneView(b"".join(b"line %d\r\n" % n for n in range(10)))
        async with app.run_test(size=(20, 6)) as pilot:
            view = app.query_one(TerminalView)
            await wait_for(pilot, lambda: view.has_focus)
            await pilot.pause(0.05)
            view._last_frame = time.monotonic() + 60  # as if a frame was just painted
            await pilot.press("shift+pageup")
            assert view.scroll_back > 0
            assert view._frame_timer is None
            assert view._shown[0] == view._row_key(view._top_line())

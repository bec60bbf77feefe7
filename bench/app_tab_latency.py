"""Keystroke-to-screen latency in one shell tab while another of 20 tabs floods output,
then how fast tab switches, scrollback keys and ctrl+] answer while the flood is on screen."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.strip import Strip

from ssm_tui.app_core.fleet_source import DiscoverySource, Scope
from ssm_tui.emulator.client_config import CLEARED_VARIABLES
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.session_tab import SessionTab
from ssm_tui.ui.terminal_view import TerminalView

TABS = 20
KEYSTROKES = 200
NODES = ("web-1", "web-2", "web-3", "api-1", "api-2", "db-replica", "bastion", "worker-1")
FLOOD = "while :; do cat /etc/services; done"
GOAL_MS = 20.0
SWITCHES = 10
ANSWER_GOAL_MS = 100.0


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(3000):
        if condition():
            return
        await pilot.pause(0.01)
    raise RuntimeError("the demo fleet did not answer in time")


class EchoProbe:
    """Stamps when an expected echo was parsed into the view's terminal and then painted."""

    def __init__(self, view: TerminalView, row: int) -> None:
        self.view = view
        self.row = row
        self.expected = ""
        self.parsed_at: float | None = None
        self.painted_at: float | None = None
        queue = view.queue
        assert queue is not None
        parsed, frame = queue.on_parsed, view._frame

        def on_parsed() -> None:
            if self.parsed_at is None and self._echoed():
                self.parsed_at = time.monotonic()
            parsed()

        def on_frame() -> None:
            frame()
            if self.parsed_at is not None and self.painted_at is None:
                self.painted_at = time.monotonic()

        queue.on_parsed = on_parsed
        view._frame = on_frame  # type: ignore[method-assign]

    def expect(self, text: str) -> float:
        """Wait for ``text`` at the end of the row; return the start time."""
        self.expected = text
        self.parsed_at = self.painted_at = None
        return time.monotonic()

    def _echoed(self) -> bool:
        # One row, not ``display``: rendering the whole screen after every slice would
        # cost milliseconds inside the very latency this measures.
        terminal = self.view.terminal
        text, _ = terminal.line(terminal.scrollback_count + self.row)
        return text.rstrip().endswith(self.expected)


class Rendered:
    """Stamps when each view last rendered a line (Textual calls ``render_line``)."""

    def __init__(self, views: list[TerminalView]) -> None:
        self.at: dict[TerminalView, float] = {}
        for view in views:
            self._wrap(view)

    def _wrap(self, view: TerminalView) -> None:
        render = view.render_line

        def render_line(y: int) -> Strip:
            self.at[view] = time.monotonic()
            return render(y)

        view.render_line = render_line  # type: ignore[method-assign]


async def answer_time(
    app: SsmTuiApp, key: str, done: Callable[[], bool], view: TerminalView, rendered: Rendered
) -> float:
    """Seconds from pressing ``key`` until ``done()`` holds and ``view`` rendered since."""
    driver = app._driver
    assert driver is not None
    started = time.monotonic()
    driver.send_message(events.Key(key, None))
    answered = False
    while not (answered and rendered.at.get(view, 0.0) > started):
        answered = answered or done()  # the flood may move on right after
        if time.monotonic() - started > 5:
            raise RuntimeError(f"{key} got no answer in 5 s")
        await asyncio.sleep(0.0005)
    return time.monotonic() - started


def scrolled(view: TerminalView, *, up: bool) -> Callable[[], bool]:
    """A condition that holds once the view scrolled back (``up``) or forward."""
    moves: list[int] = []
    scroll = view.scroll_lines

    def scroll_lines(lines: int) -> None:
        moves.append(lines)
        scroll(lines)

    view.scroll_lines = scroll_lines  # type: ignore[method-assign]

    def done() -> bool:
        if any(move > 0 if up else move < 0 for move in moves):
            view.scroll_lines = scroll  # type: ignore[method-assign]
            return True
        return False

    return done


async def responsiveness(app: SsmTuiApp, tabs: list[SessionTab]) -> dict[str, list[float]]:
    """Tab switches, scrollback keys and ctrl+] while tab 1 floods on screen."""
    flooder, other = tabs[0], tabs[1]
    rendered = Rendered([flooder.view, other.view])
    times: dict[str, list[float]] = {
        "tab switch": [],
        "shift+pageup": [],
        "shift+pagedown": [],
        "ctrl+]": [],
    }
    view = flooder.view
    for _ in range(SWITCHES):
        times["tab switch"].append(
            await answer_time(app, "alt+2", lambda: view._on_screen, view, rendered)
        )
        await asyncio.sleep(0.1)
        view.focus()
        await asyncio.sleep(0.1)
        times["shift+pageup"].append(
            await answer_time(app, "shift+pageup", scrolled(view, up=True), view, rendered)
        )
        await asyncio.sleep(0.05)
        times["shift+pagedown"].append(
            await answer_time(app, "shift+pagedown", scrolled(view, up=False), view, rendered)
        )
        await asyncio.sleep(0.05)
        view.scroll_lines(-view.scroll_back)
        times["ctrl+]"].append(
            await answer_time(
                app, "ctrl+right_square_bracket", lambda: not view.has_focus, view, rendered
            )
        )
        await asyncio.sleep(0.05)
        times["tab switch"].append(
            await answer_time(app, "alt+3", lambda: other.view._on_screen, other.view, rendered)
        )
        await asyncio.sleep(0.1)
    return times


def text(tab: SessionTab) -> str:
    return "\n".join(tab.view.terminal.display)


async def measure() -> tuple[list[float], list[float], int, dict[str, list[float]]]:
    scope = Scope(profiles=("prod",), regions=("us-east-1",))
    app = SsmTuiApp(DiscoverySource(scope, known_profiles=("prod",)))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        nodes = {node.name: node for node in app.workspace.browser.snapshot.nodes}
        for index in range(TABS):
            app.workspace.open_shell(nodes[NODES[index % len(NODES)]])
        await until(pilot, lambda: len(app.query(SessionTab)) == TABS)
        tabs = list(app.query(SessionTab))
        await until(pilot, lambda: all("ssm-user@" in text(tab) for tab in tabs))
        flooder, typed_into = tabs[0], tabs[-1]
        flooder.session.send_input(f"{FLOOD}\r".encode())  # type: ignore[union-attr]
        await pilot.pause(1.0)  # let the flood get going
        view = typed_into.view
        view.focus()
        await pilot.pause(0.2)
        parsed: list[float] = []
        painted: list[float] = []
        row = view.terminal.cursor[1]
        probe = EchoProbe(view, row)
        typed = ""
        for n in range(KEYSTROKES):
            if len(typed) >= 60:
                view.post_message(events.Key("ctrl+u", None))  # clear the line, unmeasured
                typed = ""
                await until(pilot, lambda: view.terminal.display[row].rstrip().endswith(("$", "#")))
                await pilot.pause(0.02)
            char = "abcdefghij"[n % 10]
            typed += char
            started = probe.expect(typed)
            view.post_message(events.Key(char, char))
            while probe.painted_at is None:
                await asyncio.sleep(0.0005)
            assert probe.parsed_at is not None
            parsed.append(probe.parsed_at - started)
            painted.append(probe.painted_at - started)
            await asyncio.sleep(0.005)
        answers = await responsiveness(app, tabs)
        flooded = flooder.view.terminal.screen.scrollback.total
        flooder.session.send_input(b"\x03")  # type: ignore[union-attr]
    return parsed, painted, flooded, answers


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    # The fleet runs in its own process, as AWS would: in-process, its agent side of the
    # flood would compete with the app for the GIL and be measured as the app's latency.
    fleet = subprocess.Popen(
        [sys.executable, "-m", "ssm_tui", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert fleet.stdout is not None
        for name in CLEARED_VARIABLES:
            os.environ.pop(name, None)
        for line in fleet.stdout:  # the export lines, then it serves
            name, _, value = line.removeprefix("export ").strip().partition("=")
            os.environ[name] = shlex.split(value)[0]
            if name == "AWS_EC2_METADATA_DISABLED":
                break
        parsed, painted, flooded, answers = asyncio.run(measure())
    finally:
        fleet.send_signal(signal.SIGINT)
        fleet.wait(10)
    print(f"{TABS} shell tabs, tab 1 running `{FLOOD}`, {KEYSTROKES} keystrokes in tab {TABS}:")
    for label, values in (("echo parsed", parsed), ("echo painted", painted)):
        ms = [v * 1000 for v in values]
        print(
            f"  {label:13} p50 {statistics.median(ms):6.1f} ms   p99 {percentile(ms, 99):6.1f} ms"
            f"   max {max(ms):6.1f} ms"
        )
    print(f"  (goal: p99 keystroke-to-screen < {GOAL_MS:.0f} ms; flood scrolled {flooded:,} lines)")
    print(f"Keys answered while tab 1 floods on screen ({SWITCHES} rounds), until repainted:")
    for label, values in answers.items():
        ms = [v * 1000 for v in values]
        print(f"  {label:15} p50 {statistics.median(ms):6.1f} ms   max {max(ms):6.1f} ms")
    print(f"  (goal: every answer < {ANSWER_GOAL_MS:.0f} ms)")


if __name__ == "__main__":
    main()

"""TerminalView in a headless Textual app: frames under a flood, keystroke latency, idle CPU.

Prints figures, never fails.  Run: ``.venv/bin/python bench/terminal_latency.py``
(``--only flood|latency|idle``, ``--seconds N``, ``--echo pty|inprocess``).

(a) flood: one view, its ParseScheduler queue kept full of colourful output; frames the
    screen delivered per second (compositor updates that repainted the view), rows
    rendered per second, bytes parsed per second, process CPU %.
(b) latency: 20 views in tabs driven by one ParseScheduler; 19 hidden tabs each receive
    50 KB/s of colourful output, the visible one is typed into.  Its "remote side" echoes
    (a real PTY running ``cat`` by default).  Latency runs from posting the Key event to
    the widget until ``render_line`` returns a strip showing the echoed character.
(c) idle: 20 connected views with no traffic; process CPU % over the measuring window.

CPU % is process CPU time over wall time (both threads of the process); on a shared
machine the load average is printed alongside, since it stretches wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pty
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import TabbedContent, TabPane

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssm_tui.terminal.scheduler import ParseQueue, ParseScheduler
from ssm_tui.terminal.terminal import Terminal
from ssm_tui.ui.terminal_view import TerminalView

TABS = 20
BUSY_RATE = 50_000
"""Bytes per second each busy tab receives."""
TICK = 0.01
SIZE = (80, 27)
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "tempor", "incididunt", "labore", "magna"]


def colourful(size: int, seed: int = 1) -> bytes:
    """Lines of SGR-coloured words, like a build log or ``ls --color`` output."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size:
        parts = [
            f"\x1b[{rng.choice((0, 1, 4))};{rng.randint(30, 37)}m{rng.choice(WORDS)}\x1b[0m"
            for _ in range(rng.randint(3, 9))
        ]
        line = " ".join(parts) + "\r\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class CountingView(TerminalView):
    """Counts rendered rows and reports when an awaited character shows up."""

    blink_when_headless = True  # measure with the focused view's blink timer running
    rows_rendered = 0
    waiting: tuple[int, int, str, Callable[[], None]] | None = None
    """(line index, column, character, callback) awaited in the rendered output."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        CountingView.rows_rendered += 1
        waiting = self.waiting
        if waiting is not None and self._top_line() + y == waiting[0]:
            text = strip.text
            if text[waiting[1] : waiting[1] + 1] == waiting[2]:
                self.waiting = None
                waiting[3]()
        return strip


class BenchApp(App[None]):
    """``tabs`` views in a TabbedContent, fed through one ParseScheduler."""

    def __init__(self, tabs: int) -> None:
        super().__init__()
        self.tabs = tabs
        self.scheduler = ParseScheduler()
        self.queues: list[ParseQueue] = []
        self.views: list[CountingView] = []
        self.frames = 0
        self.on_input: Callable[[TerminalView, bytes], None] | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent():
            for n in range(self.tabs):
                view = CountingView(Terminal(80, 24), id=f"view{n}")
                self.views.append(view)
                with TabPane(f"tab {n}", id=f"tab{n}"):
                    yield view

    def on_mount(self) -> None:
        for view in self.views:
            self.queues.append(view.attach(self.scheduler))
        self.views[0].focus()
        self.run_worker(self.scheduler.run(), exclusive=False)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if renderable is not None:
            self.frames += 1
        super()._display(screen, renderable)

    def on_terminal_view_input(self, message: TerminalView.Input) -> None:
        if self.on_input is not None:
            self.on_input(message.view, message.data)


def cpu() -> float:
    return time.process_time()


async def settle(pilot: object, seconds: float = 0.5) -> None:
    await pilot.pause(seconds)  # type: ignore[attr-defined]


# -- (a) flood ----------------------------------------------------------------------------


async def flood(seconds: float) -> None:
    app = BenchApp(1)
    data = colourful(1_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        scheduler, queue = app.scheduler, app.queues[0]
        parsed = 0
        offset = 0
        stop = False

        async def keep_full() -> None:
            nonlocal offset, parsed
            while not stop:
                while queue.pending_bytes < 64 * 1024:
                    chunk = data[offset : offset + 4096]
                    offset = (offset + 4096) % len(data)
                    parsed += len(chunk)
                    scheduler.receive(queue, chunk)
                await asyncio.sleep(0.002)

        frames0, rows0 = app.frames, CountingView.rows_rendered
        wall0, cpu0 = time.perf_counter(), cpu()
        task = asyncio.create_task(keep_full())
        await asyncio.sleep(seconds)
        stop = True
        await task
        wall, used = time.perf_counter() - wall0, cpu() - cpu0
        parsed -= queue.pending_bytes
        frames, rows = app.frames - frames0, CountingView.rows_rendered - rows0
    print(
        f"(a) flood, one view: {frames / wall:.1f} frames/s, {rows / wall:.0f} rows rendered/s,"
        f" {parsed / wall / 1e6:.2f} MB/s parsed, CPU {100 * used / wall:.0f} %"
        f" ({wall:.1f} s; {load()})"
    )


# -- (b) latency ----------------------------------------------------------------------------


class PtyEcho:
    """``cat`` on a PTY: the line discipline echoes typed bytes back at once."""

    def __init__(self, receive: Callable[[bytes], None]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(["cat"], stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        os.set_blocking(self.master, False)
        loop = asyncio.get_running_loop()

        def readable() -> None:
            with contextlib.suppress(BlockingIOError):
                data = os.read(self.master, 65536)
                if data:
                    receive(data)

        loop.add_reader(self.master, readable)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        self.process.kill()
        self.process.wait()
        os.close(self.master)


async def latency(seconds: float, echo_kind: str) -> None:
    app = BenchApp(TABS)
    corpus = colourful(2_000_000, seed=5)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        scheduler = app.scheduler
        typed_view, typed_queue = app.views[0], app.queues[0]
        if echo_kind == "pty":
            echo = PtyEcho(lambda data: scheduler.receive(typed_queue, data))
            write: Callable[[bytes], None] = echo.write
        else:
            echo = None

            def write(data: bytes) -> None:
                scheduler.receive(typed_queue, data.replace(b"\r", b"\r\n"))

        def on_input(view: TerminalView, data: bytes) -> None:
            if view is typed_view:
                write(data)  # the view told the scheduler it was typed into

        app.on_input = on_input
        stop = False
        sent = 0

        async def busy() -> None:
            nonlocal sent
            offsets = [random.Random(n).randrange(len(corpus)) for n in range(TABS)]
            start = time.perf_counter()
            while not stop:
                await asyncio.sleep(TICK)
                due = int((time.perf_counter() - start) * BUSY_RATE)
                for n in range(1, TABS):
                    chunk = corpus[offsets[n] : offsets[n] + due - sent]
                    offsets[n] = (offsets[n] + len(chunk)) % (len(corpus) - 65536)
                    scheduler.receive(app.queues[n], chunk)
                sent = due

        samples: list[float] = []
        missed = 0
        rng = random.Random(9)
        task = asyncio.create_task(busy())
        await asyncio.sleep(1.0)  # let the floods reach a steady state
        wall0, cpu0, sent0 = time.perf_counter(), cpu(), sent
        column = 0
        while time.perf_counter() - wall0 < seconds:
            await asyncio.sleep(rng.uniform(0.03, 0.08))
            terminal = typed_view.terminal
            if column >= 60:
                typed_view.post_message(events.Key("enter", "\r"))
                await asyncio.sleep(0.1)
                column = 0
                continue
            char = chr(ord("a") + column % 26)
            x, y = terminal.cursor
            seen = asyncio.Event()
            typed_view.waiting = (terminal.scrollback_count + y, x, char, seen.set)
            start = time.perf_counter()
            typed_view.post_message(events.Key(char, char))
            try:
                await asyncio.wait_for(seen.wait(), 1.0)
                samples.append(time.perf_counter() - start)
            except TimeoutError:
                typed_view.waiting = None
                missed += 1
            column += 1
        wall, used = time.perf_counter() - wall0, cpu() - cpu0
        received = (sent - sent0) * (TABS - 1)
        stop = True
        await task
        if echo is not None:
            echo.close()
    ms = sorted(sample * 1000 for sample in samples)
    if not ms:
        print("(b) latency: no keystroke was echoed")
        return
    p = statistics.quantiles(ms, n=100) if len(ms) > 1 else [ms[0]] * 99
    print(
        f"(b) keystroke->screen, {TABS} tabs, {TABS - 1} busy at {BUSY_RATE // 1000} KB/s each"
        f" ({echo_kind} echo): n={len(ms)} p50 {p[49]:.1f} ms, p90 {p[89]:.1f} ms,"
        f" p99 {p[98]:.1f} ms, max {ms[-1]:.1f} ms, missed {missed};"
        f" {received / wall / 1e6:.2f} MB/s fed, CPU {100 * used / wall:.0f} % ({load()})"
    )


# -- (c) idle -----------------------------------------------------------------------------------


async def idle(seconds: float) -> None:
    app = BenchApp(TABS)
    async with app.run_test(size=SIZE) as pilot:
        for n, view in enumerate(app.views):
            view.feed(b"\x1b[1;32mconnected\x1b[m to node %d\r\n$ " % n)
        await settle(pilot, 1.0)
        frames0 = app.frames
        wall0, cpu0 = time.perf_counter(), cpu()
        await asyncio.sleep(seconds)
        wall, used = time.perf_counter() - wall0, cpu() - cpu0
        frames = app.frames - frames0
    print(
        f"(c) idle, {TABS} connected tabs (one focused): CPU {100 * used / wall:.2f} %,"
        f" {frames / wall:.1f} frames/s ({wall:.1f} s; {load()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("flood", "latency", "idle"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--echo", choices=("pty", "inprocess"), default="pty")
    args = parser.parse_args()
    if args.only in (None, "flood"):
        asyncio.run(flood(args.seconds))
    if args.only in (None, "latency"):
        asyncio.run(latency(args.seconds, args.echo))
    if args.only in (None, "idle"):
        asyncio.run(idle(args.seconds))


if __name__ == "__main__":
    main()

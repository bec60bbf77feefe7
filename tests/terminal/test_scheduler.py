"""The parse scheduler serves the visible and typed-into tabs first, in bounded slices."""

from __future__ import annotations

import asyncio
import contextlib
import time

from ssm_tui.terminal.scheduler import (
    BACKLOG_HIGH,
    BACKLOG_LOW,
    HOLD_SECONDS,
    INTERACTIVE_SLICE,
    TYPED_RECENTLY,
    ParseQueue,
    ParseScheduler,
)
from ssm_tui.terminal.terminal import Terminal


def tab(scheduler: ParseScheduler, parsed: list[str], name: str) -> ParseQueue:
    return scheduler.add(Terminal(40, 5), lambda: parsed.append(name))


def test_receiving_only_queues() -> None:
    scheduler = ParseScheduler()
    queue = tab(scheduler, [], "a")
    scheduler.receive(queue, b"hello")
    assert queue.terminal.display[0].strip() == ""
    assert scheduler.pending_bytes == 5


def test_a_round_parses_at_most_one_slice_per_tab() -> None:
    scheduler = ParseScheduler(slice_bytes=100)
    parsed: list[str] = []
    queue = tab(scheduler, parsed, "a")
    scheduler.receive(queue, b"x" * 250)
    scheduler.show(queue)
    assert scheduler.run_round(now=0.0) == 100
    assert scheduler.pending_bytes == 150
    assert parsed == ["a"]


def test_visible_and_typed_tabs_are_served_before_background_floods() -> None:
    scheduler = ParseScheduler(slice_bytes=10)
    parsed: list[str] = []
    floods = [tab(scheduler, parsed, f"bg{n}") for n in range(5)]
    visible, typed = tab(scheduler, parsed, "visible"), tab(scheduler, parsed, "typed")
    for queue in floods:
        scheduler.receive(queue, b"y" * 1000)
    scheduler.receive(visible, b"v")
    scheduler.receive(typed, b"t")
    scheduler.show(visible)
    scheduler.typed(typed, now=100.0)
    scheduler.run_round(now=100.5)
    assert parsed[:2] == ["visible", "typed"]
    assert len(parsed) == 3  # and exactly one background tab got a turn


def test_background_tabs_take_turns() -> None:
    scheduler = ParseScheduler(slice_bytes=10)
    parsed: list[str] = []
    for name in ("a", "b", "c"):
        scheduler.receive(tab(scheduler, parsed, name), b"z" * 100)
    for _ in range(3):
        scheduler.run_round(now=0.0)
    assert sorted(parsed) == ["a", "b", "c"]


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_keystroke_holds_background_tabs_briefly() -> None:
    clock = FakeClock(10.0)
    scheduler = ParseScheduler(slice_bytes=10, clock=clock)
    parsed: list[str] = []
    background = tab(scheduler, parsed, "bg")
    typed = tab(scheduler, parsed, "typed")
    scheduler.receive(background, b"y" * 100)
    scheduler.typed(typed, now=10.0)
    assert scheduler.holding(10.001)
    assert scheduler.run_round(now=10.001) == 0  # the echo has the loop to itself
    scheduler.receive(typed, b"t")
    scheduler.run_round(now=10.002)
    assert parsed == ["typed"]
    assert not scheduler.holding(10.0 + HOLD_SECONDS)
    scheduler.run_round(now=10.0 + HOLD_SECONDS)
    assert parsed == ["typed", "bg"]


def test_holds_take_at_most_half_of_the_time() -> None:
    clock = FakeClock(0.0)
    scheduler = ParseScheduler(slice_bytes=10, clock=clock)
    parsed: list[str] = []
    background = tab(scheduler, parsed, "bg")
    typed = tab(scheduler, parsed, "typed")
    scheduler.receive(background, b"y" * 1000)
    now = 0.0
    held = 0
    for step in range(200):  # keys (and their echoes) every 5 ms: a key repeat
        now = step * 0.005
        clock.now = now
        scheduler.typed(typed, now=now)
        scheduler.receive(typed, b"x")
        held += scheduler.holding(now)
        scheduler.run_round(now=now)
    assert held <= 110
    assert parsed.count("bg") >= 90


def test_the_echo_of_a_typed_tab_holds_background_tabs() -> None:
    clock = FakeClock(5.0)
    scheduler = ParseScheduler(clock=clock)
    typed = tab(scheduler, [], "typed")
    scheduler.typed(typed, now=5.0)
    clock.now = 5.5  # the first hold is over; the echo comes from far away
    assert not scheduler.holding(5.5)
    scheduler.receive(typed, b"x")
    assert scheduler.holding(5.5)
    clock.now = 9.0  # long after typing, output is not an echo
    scheduler.receive(typed, b"y")
    assert not scheduler.holding(9.0)


def test_background_slices_shrink_while_someone_types() -> None:
    scheduler = ParseScheduler(slice_bytes=8192, clock=FakeClock(0.0))
    background = tab(scheduler, [], "bg")
    typed = tab(scheduler, [], "typed")
    scheduler.receive(background, b"y" * 20_000)
    assert scheduler.run_round(now=0.0) == 8192
    scheduler.typed(typed, now=1.0)
    assert scheduler.interactive(1.5)
    assert scheduler.run_round(now=1.5) == INTERACTIVE_SLICE
    assert not scheduler.interactive(1.0 + TYPED_RECENTLY)


def test_queued_messages_are_parsed_in_one_feed_cut_after_a_line_feed() -> None:
    scheduler = ParseScheduler(slice_bytes=100)
    queue = tab(scheduler, [], "a")
    for n in range(15):
        scheduler.receive(queue, f"line {n:x}\r\n".encode())  # 8 bytes each
    assert scheduler.run_round(now=0.0) == 96  # twelve whole lines
    assert queue.terminal.display[-1].strip() == ""  # no half line drawn
    assert scheduler.run_round(now=0.0) == 24
    assert scheduler.pending_bytes == 0


def test_a_slice_without_a_line_feed_is_cut_at_the_limit() -> None:
    scheduler = ParseScheduler(slice_bytes=100)
    queue = tab(scheduler, [], "a")
    scheduler.receive(queue, b"x" * 60)
    scheduler.receive(queue, b"y" * 60)
    assert scheduler.run_round(now=0.0) == 100
    assert scheduler.pending_bytes == 20


def test_a_large_backlog_holds_the_source_until_parsed_down_to_the_low_mark() -> None:
    scheduler = ParseScheduler()
    queue = tab(scheduler, [], "a")
    told: list[bool] = []
    queue.on_backlog = told.append
    chunk = b"z" * 1000 + b"\r\n"
    while scheduler.pending_bytes <= BACKLOG_HIGH:
        assert told == []
        scheduler.receive(queue, chunk)
    assert told == [True]
    while scheduler.pending_bytes > BACKLOG_LOW:
        assert told == [True]
        scheduler.run_round(now=0.0)
    assert told == [True, False]
    scheduler.receive(queue, chunk)
    assert told == [True, False]


def test_removing_twice_is_harmless() -> None:
    scheduler = ParseScheduler()
    queue = tab(scheduler, [], "a")
    scheduler.show(queue)
    scheduler.remove(queue)
    scheduler.remove(queue)
    assert scheduler.visible is None


async def test_run_parses_everything_and_waits_out_a_hold() -> None:
    scheduler = ParseScheduler()
    parsed: list[str] = []
    background = tab(scheduler, parsed, "bg")
    typed = tab(scheduler, parsed, "typed")
    task = asyncio.create_task(scheduler.run())
    try:
        scheduler.typed(typed, now=time.monotonic())
        scheduler.receive(background, b"line\r\n" * 5000)
        scheduler.receive(typed, b"echo")
        for _ in range(500):
            await asyncio.sleep(0.005)
            if not scheduler.pending_bytes:
                break
        assert scheduler.pending_bytes == 0
        assert parsed[0] == "typed"
        assert typed.terminal.display[0].startswith("echo")
        # Idle again: new output still wakes it up.
        scheduler.receive(background, b"more")
        await asyncio.sleep(0.05)
        assert scheduler.pending_bytes == 0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

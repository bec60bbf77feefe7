"""The parse scheduler serves the visible and typed-into tabs first, in bounded slices."""

from __future__ import annotations

from ssm_tui.terminal.scheduler import ParseQueue, ParseScheduler
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

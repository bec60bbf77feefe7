"""A flood the size of a big `cat`, parsed as the app parses it, equals stock pyte's result."""

from __future__ import annotations

import random

import pytest

from ssm_tui.terminal.scheduler import ParseScheduler
from ssm_tui.terminal.terminal import Terminal
from tests.terminal.screens import cells, fed_slow

COLUMNS, LINES = 158, 41
MESSAGE = 1024
"""The agent sends output in messages of up to this many bytes."""


def log_lines(size: int) -> bytes:
    """About ``size`` bytes of log-like output: plain lines, coloured ones, tabs, long ones."""
    rng = random.Random(5)
    lines: list[str] = []
    total = 0
    n = 0
    while total < size:
        n += 1
        kind = n % 50
        if kind == 0:
            line = "x" * rng.randint(COLUMNS, 2 * COLUMNS)  # wraps
        elif kind == 1:
            line = f"\x1b[1;31mERROR\x1b[0m job {n} failed"
        elif kind == 2:
            line = f"name\t{n}/tcp\t\t# comment"
        else:
            line = f"2026-12-03 INFO [worker-{n % 8}] GET /items/{rng.randint(1, 9999)} 200"
        line += "\r\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def parsed_like_the_app(data: bytes) -> Terminal:
    """Messages of the agent's size, queued and parsed by the scheduler in its slices."""
    scheduler = ParseScheduler()
    terminal = Terminal(COLUMNS, LINES)
    queue = scheduler.add(terminal, lambda: None)
    for start in range(0, len(data), MESSAGE):
        scheduler.receive(queue, data[start : start + MESSAGE])
        if start % (16 * MESSAGE) == 0:  # parsing keeps up part of the time
            scheduler.run_round(now=0.0)
    while scheduler.run_round(now=0.0):
        pass
    return terminal


@pytest.mark.slow
def test_a_five_megabyte_flood_gives_stock_pytes_screen_and_scrollback() -> None:
    data = log_lines(5_000_000)
    fast = parsed_like_the_app(data)
    assert fast.scrollback_count == 10_000  # the scrollback is on and full
    assert cells(fast) == cells(fed_slow(data, columns=COLUMNS, lines=LINES))

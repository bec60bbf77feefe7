"""Backoff: growing, jittered, capped delays within a time budget."""

from __future__ import annotations

import random

from ssm_tui.transport.backoff import Backoff


def test_delays_grow_then_stay_under_the_cap() -> None:
    backoff = Backoff(initial=0.1, cap=2.0, budget=1000.0, rng=random.Random(1))
    delays = [backoff.next_delay(now=0.0) for _ in range(12)]
    assert all(d is not None for d in delays)
    values = [d for d in delays if d is not None]
    assert 0.05 <= values[0] <= 0.1
    assert max(values) <= 2.0
    assert values[-1] >= 1.0  # reached the cap's range


def test_budget_exhausted_means_no_more_attempts() -> None:
    backoff = Backoff(budget=10.0, rng=random.Random(2))
    assert backoff.next_delay(now=100.0) is not None
    last = backoff.next_delay(now=109.9)
    assert last is not None and last <= 0.1 + 1e-9
    assert backoff.next_delay(now=110.0) is None


def test_reset_starts_over() -> None:
    backoff = Backoff(initial=0.1, budget=5.0, rng=random.Random(3))
    for _ in range(5):
        backoff.next_delay(now=0.0)
    backoff.reset()
    assert backoff.attempt == 0
    delay = backoff.next_delay(now=50.0)
    assert delay is not None and delay <= 0.1

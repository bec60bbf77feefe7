"""Exponential reconnect delays with full jitter, a cap, and an overall time budget."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True, kw_only=True)
class Backoff:
    """Delays for successive reconnect attempts; ``budget`` bounds the total time spent.

    Unlike the official retryer (protocol.md §9.8: five attempts, ~3-6 s in all, which the
    service's hourly "1000 Bye" can exhaust, aws/session-manager-plugin#135) this keeps
    trying for ``budget`` seconds so a laptop waking up or a VPN flapping does not kill
    the session.
    """

    initial: float = 0.1
    factor: float = 2.0
    cap: float = 5.0
    budget: float = 600.0
    rng: random.Random = field(default_factory=random.Random)
    _attempt: int = 0
    _started: float | None = None

    def reset(self) -> None:
        """Forget past failures (call once the connection is live again)."""
        self._attempt = 0
        self._started = None

    @property
    def attempt(self) -> int:
        """How many delays have been handed out since the last reset."""
        return self._attempt

    def next_delay(self, *, now: float) -> float | None:
        """Return how long to wait before the next attempt, or None once over budget."""
        if self._started is None:
            self._started = now
        elapsed = now - self._started
        if elapsed >= self.budget:
            return None
        ceiling = min(self.cap, self.initial * self.factor**self._attempt)
        self._attempt += 1
        # Half fixed, half random: never zero (no hot loop), still de-synchronised.
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        return min(delay, self.budget - elapsed)

"""A simulated network for sans-IO endpoints: a fake clock and lossy, reordering links.

Modelled on aioquic's ``tests/test_connection.py`` (``client_and_server``, ``drop``):
every fault is drawn from a ``random.Random`` so a failing example replays exactly.
Reusable for anything that exchanges discrete items (frames, byte chunks).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

#: The fake clock's epoch (docs/contracts.md "Time").
START = 1_700_000_000.0


@dataclass
class Clock:
    """Time as the tests decide it; never read from the machine."""

    now: float = START

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@dataclass
class Link(Generic[T]):
    """One direction of a network path.

    ``send`` schedules an item after ``latency`` plus, with the given probabilities, a
    drop, a duplicate copy, or an extra delay of up to ``delay`` seconds (which is what
    reorders items). ``deliver`` hands back everything due by ``now``, in arrival order.
    """

    rng: random.Random = field(default_factory=lambda: random.Random(0))
    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    delay: float = 0.0
    latency: float = 0.001
    sent: int = 0
    dropped: int = 0
    _queue: list[tuple[float, int, T]] = field(default_factory=list)
    _counter: int = 0

    def send(self, item: T, *, now: float) -> None:
        self.sent += 1
        if self.drop and self.rng.random() < self.drop:
            self.dropped += 1
            return
        copies = 2 if self.duplicate and self.rng.random() < self.duplicate else 1
        for _ in range(copies):
            at = now + self.latency
            if self.reorder and self.rng.random() < self.reorder:
                at += self.rng.uniform(0.0, self.delay or 0.05)
            elif self.delay:
                at += self.rng.uniform(0.0, self.delay) * 0.1
            self._counter += 1
            heapq.heappush(self._queue, (at, self._counter, item))

    def send_all(self, items: Iterable[T], *, now: float) -> None:
        for item in items:
            self.send(item, now=now)

    def deliver(self, *, now: float) -> list[T]:
        due: list[T] = []
        queue = self._queue
        while queue and queue[0][0] <= now:
            due.append(heapq.heappop(queue)[2])
        return due

    def next_arrival(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def __len__(self) -> int:
        return len(self._queue)


class Endpoint(Protocol):
    """What :func:`run` drives: a DataChannel, or anything shaped like one."""

    def receive_message(self, raw: bytes, *, now: float) -> None: ...
    def messages_to_send(self) -> list[bytes]: ...
    def get_timer(self) -> float | None: ...
    def handle_timer(self, *, now: float) -> None: ...


def run(
    a: Endpoint,
    b: Endpoint,
    *,
    a_to_b: Link[bytes],
    b_to_a: Link[bytes],
    clock: Clock,
    until: Callable[[], bool],
    react: Callable[[], None] = lambda: None,
    max_seconds: float = 600.0,
) -> None:
    """Move frames both ways and fire timers until ``until()`` holds.

    ``react`` runs after every step so a test can drain events and answer them (feed
    data, provide keys). Time jumps straight to the next arrival or timer, so a long
    simulated session costs only as many steps as it has events.
    """
    deadline = clock.now + max_seconds
    while True:
        now = clock.now
        a_to_b.send_all(a.messages_to_send(), now=now)
        b_to_a.send_all(b.messages_to_send(), now=now)
        for frame in a_to_b.deliver(now=now):
            b.receive_message(frame, now=now)
        for frame in b_to_a.deliver(now=now):
            a.receive_message(frame, now=now)
        for endpoint in (a, b):
            timer = endpoint.get_timer()
            if timer is not None and timer <= now:
                endpoint.handle_timer(now=now)
        react()
        if until():
            return
        # Whatever react() queued leaves now, so only scheduled times decide the next step.
        a_to_b.send_all(a.messages_to_send(), now=now)
        b_to_a.send_all(b.messages_to_send(), now=now)
        wakeups = [
            t
            for t in (a_to_b.next_arrival(), b_to_a.next_arrival(), a.get_timer(), b.get_timer())
            if t is not None
        ]
        if not wakeups:
            raise AssertionError("simulation stalled: nothing in flight and no timer armed")
        clock.now = max(now, min(wakeups))
        if clock.now > deadline:
            raise AssertionError(f"simulation did not converge within {max_seconds} s")

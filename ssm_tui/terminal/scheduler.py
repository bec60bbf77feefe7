"""One budgeted parser for every tab: the visible and recently typed-into tabs go first."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ssm_tui.terminal.terminal import Terminal

SLICE_BYTES = 8192
"""The most one tab parses before the scheduler looks at the others again."""
TYPED_RECENTLY = 2.0
"""Seconds a tab stays favoured after a key was typed into it."""


@dataclass(eq=False)
class ParseQueue:
    """One tab's unparsed output and what to tell once some of it was parsed."""

    terminal: Terminal
    on_parsed: Callable[[], None]
    pending: deque[bytes] = field(default_factory=deque)
    pending_bytes: int = 0
    typed_at: float = float("-inf")


class ParseScheduler:
    """Queues output per tab (acks never wait for it) and parses in small priority slices.

    Sans-IO at its core: ``receive`` queues, ``run_round(now=)`` parses; ``run`` is
    the asyncio binding that keeps calling it while anything is pending.
    """

    def __init__(
        self,
        *,
        slice_bytes: int = SLICE_BYTES,
        budget_seconds: float = 0.004,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slice_bytes = slice_bytes
        self.budget_seconds = budget_seconds
        self._clock = clock
        self._queues: list[ParseQueue] = []
        self._visible: ParseQueue | None = None
        self._next = 0
        self._wakeup = asyncio.Event()

    def add(self, terminal: Terminal, on_parsed: Callable[[], None]) -> ParseQueue:
        """Register a tab; ``on_parsed`` runs after each slice parsed into its terminal."""
        queue = ParseQueue(terminal, on_parsed)
        self._queues.append(queue)
        return queue

    def remove(self, queue: ParseQueue) -> None:
        """Forget a closed tab and its unparsed output."""
        self._queues.remove(queue)
        if self._visible is queue:
            self._visible = None

    def receive(self, queue: ParseQueue, data: bytes) -> None:
        """Queue output for a tab; returns at once."""
        if data:
            queue.pending.append(data)
            queue.pending_bytes += len(data)
            self._wakeup.set()

    def show(self, queue: ParseQueue | None) -> None:
        """Mark the tab the user is looking at."""
        self._visible = queue

    def typed(self, queue: ParseQueue, *, now: float) -> None:
        """Note that the user typed into a tab, favouring its echo."""
        queue.typed_at = now

    @property
    def pending_bytes(self) -> int:
        """Unparsed bytes over all tabs."""
        return sum(queue.pending_bytes for queue in self._queues)

    def _round(self, now: float) -> list[ParseQueue]:
        """The busy tabs one round serves: visible, typed into, then one background tab.

        Favoured tabs get a slice every round; background tabs take turns, so a flood in
        one of them delays the others by one slice at most.
        """
        favoured: list[ParseQueue] = []
        background: list[ParseQueue] = []
        for queue in self._queues:
            if not queue.pending_bytes:
                continue
            if queue is self._visible:
                favoured.insert(0, queue)
            elif now - queue.typed_at < TYPED_RECENTLY:
                favoured.append(queue)
            else:
                background.append(queue)
        if background:
            self._next = (self._next + 1) % len(background)
            favoured.append(background[self._next])
        return favoured

    def run_round(self, *, now: float) -> int:
        """Parse one slice for each tab this round serves; return the bytes parsed."""
        return sum(self._parse_slice(queue) for queue in self._round(now))

    def _parse_slice(self, queue: ParseQueue) -> int:
        """Parse up to ``slice_bytes`` of one tab's queue."""
        taken = 0
        pending = queue.pending
        while pending and taken < self.slice_bytes:
            chunk = pending.popleft()
            room = self.slice_bytes - taken
            if len(chunk) > room:
                pending.appendleft(chunk[room:])
                chunk = chunk[:room]
            queue.terminal.feed(chunk)
            taken += len(chunk)
        queue.pending_bytes -= taken
        queue.on_parsed()
        return taken

    async def run(self) -> None:
        """Parse forever, yielding to the event loop after every time budget."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self.pending_bytes:
                deadline = self._clock() + self.budget_seconds
                while self.pending_bytes and self._clock() < deadline:
                    self.run_round(now=self._clock())
                await asyncio.sleep(0)

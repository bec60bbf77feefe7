"""One budgeted parser for every tab: the visible and recently typed-into tabs go first."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ssm_tui.terminal.terminal import Terminal

SLICE_BYTES = 65536
"""The most one tab parses before the scheduler looks at the others again."""
TYPED_RECENTLY = 2.0
"""Seconds a tab stays favoured after a key was typed into it."""
INTERACTIVE_BUDGET = 0.001
"""The longest parsing run between yields while someone types: each hop of a keystroke
(key event, input message, echo, repaint) waits for the parser at most about this long."""
INTERACTIVE_SLICE = 2048
"""The background slice while someone types, so one slice never outlasts that budget."""
BACKLOG_HIGH = 1 << 20
"""Unparsed bytes past which a tab asks its source to stop sending (``on_backlog(True)``)."""
BACKLOG_LOW = 1 << 18
"""Unparsed bytes at which a held-back source may send again (``on_backlog(False)``).

A hidden tab gets no lower threshold, though its flood costs CPU on both sides: holding
output back means leaving messages unacknowledged, and the real agent neither stops
sending nor resends in bulk (protocol §9.4, §9.7: it keeps reading its PTY and resends
only the oldest unacknowledged message per 100 ms tick).  Every message dropped while
held comes back at about ten a second, so a one-second hold at its ~0.7 MB/s (some 700
messages of 1 KiB) would leave the tab's output over a minute behind.  Holding is kept
for memory's sake (a megabyte per tab); a hidden tab is made cheap instead by parsing
it after the visible and typed-into ones and by holding it while a keystroke's echo is
on its way (``HOLD_SECONDS``)."""
HOLD_SECONDS = 0.02
"""After a keystroke, and when its echo arrives, background tabs wait this long so the
event loop is free for the key's way to the remote side and the echo's way to the
screen.  Holds never cover more than half of the time, so floods still make progress."""


@dataclass(eq=False)
class ParseQueue:
    """One tab's unparsed output and what to tell once some of it was parsed."""

    terminal: Terminal
    on_parsed: Callable[[], None]
    pending: deque[bytes] = field(default_factory=deque)
    pending_bytes: int = 0
    typed_at: float = float("-inf")
    on_backlog: Callable[[bool], None] | None = None
    """Told True when the unparsed output passes ``BACKLOG_HIGH``, False once it is back
    at ``BACKLOG_LOW``: receive flow control, so a flood in a tab nobody watches neither
    grows memory without bound nor keeps the event loop busy receiving it."""
    backlogged: bool = False

    def _note_backlog(self) -> None:
        backlogged = self.pending_bytes > (BACKLOG_LOW if self.backlogged else BACKLOG_HIGH)
        if backlogged != self.backlogged:
            self.backlogged = backlogged
            if self.on_backlog is not None:
                self.on_backlog(backlogged)


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
        self._typed_until = float("-inf")
        """Until when some tab counts as recently typed into."""
        self._hold_until = float("-inf")
        self._next_hold = float("-inf")

    def add(self, terminal: Terminal, on_parsed: Callable[[], None]) -> ParseQueue:
        """Register a tab; ``on_parsed`` runs after each slice parsed into its terminal."""
        queue = ParseQueue(terminal, on_parsed)
        self._queues.append(queue)
        return queue

    def remove(self, queue: ParseQueue) -> None:
        """Forget a closed tab and its unparsed output (again: nothing happens)."""
        if queue not in self._queues:
            return
        self._queues.remove(queue)
        if self._visible is queue:
            self._visible = None

    def receive(self, queue: ParseQueue, data: bytes) -> None:
        """Queue output for a tab; returns at once."""
        if data:
            queue.pending.append(data)
            queue.pending_bytes += len(data)
            if queue.pending_bytes > BACKLOG_HIGH and not queue.backlogged:
                queue._note_backlog()
            if queue.typed_at > float("-inf") and queue.typed_at + TYPED_RECENTLY > self._clock():
                self._hold(self._clock())  # likely the echo: let it reach the screen first
            self._wakeup.set()

    def show(self, queue: ParseQueue | None) -> None:
        """Mark the tab the user is looking at."""
        self._visible = queue

    @property
    def visible(self) -> ParseQueue | None:
        """The tab marked with ``show``."""
        return self._visible

    def typed(self, queue: ParseQueue, *, now: float) -> None:
        """Note that the user typed into a tab, favouring its echo."""
        queue.typed_at = now
        self._typed_until = max(self._typed_until, now + TYPED_RECENTLY)
        self._hold(now)

    def _hold(self, now: float) -> None:
        """Hold background tabs for a moment, unless holds took half the time lately."""
        if now >= self._next_hold:
            self._hold_until = now + HOLD_SECONDS
            self._next_hold = now + 2 * HOLD_SECONDS
        self._wakeup.set()

    def holding(self, now: float) -> bool:
        """Whether background tabs are held (a keystroke or its echo is on its way)."""
        return now < self._hold_until

    def interactive(self, now: float) -> bool:
        """Whether a key was typed into any tab recently (echo latency matters now)."""
        return now < self._typed_until

    @property
    def pending_bytes(self) -> int:
        """Unparsed bytes over all tabs."""
        return sum(queue.pending_bytes for queue in self._queues)

    def _favoured(self, queue: ParseQueue, now: float) -> bool:
        return queue is self._visible or now - queue.typed_at < TYPED_RECENTLY

    def _round(self, now: float) -> list[ParseQueue]:
        """The busy tabs one round serves: visible, typed into, then one background tab.

        Favoured tabs get a slice every round; background tabs take turns, so a flood in
        one of them delays the others by one slice at most.  While a hold lasts,
        background tabs wait.
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
        if background and not self.holding(now):
            self._next = (self._next + 1) % len(background)
            favoured.append(background[self._next])
        return favoured

    def _runnable(self, now: float) -> bool:
        """Whether a round at ``now`` would parse anything."""
        holding = self.holding(now)
        return any(
            queue.pending_bytes and (not holding or self._favoured(queue, now))
            for queue in self._queues
        )

    def run_round(self, *, now: float) -> int:
        """Parse one slice for each tab this round serves; return the bytes parsed.

        While someone types, tabs neither typed into nor visible get smaller slices.
        """
        limit = self.slice_bytes
        if self.interactive(now):
            limit = min(limit, INTERACTIVE_SLICE)
        total = 0
        for queue in self._round(now):
            total += self._parse_slice(
                queue, self.slice_bytes if self._favoured(queue, now) else limit
            )
        return total

    def _parse_slice(self, queue: ParseQueue, limit: int) -> int:
        """Parse up to ``limit`` bytes of one tab's queue in one feed.

        Output arrives in messages of about a kilobyte; the terminal draws whole lines in
        bulk, and lines that scroll off within one feed never become screen cells, so the
        queued messages are joined.  A slice that leaves output behind ends after a line
        feed when it can: a line cut in two would be drawn twice.
        """
        pending = queue.pending
        if len(pending) == 1 and len(pending[0]) <= limit:
            data = pending.popleft()
        else:
            parts: list[bytes] = []
            size = 0
            while pending and size < limit:
                chunk = pending.popleft()
                parts.append(chunk)
                size += len(chunk)
            data = b"".join(parts)
            if len(data) > limit:
                cut = data.rfind(b"\n", 0, limit) + 1 or limit
                pending.appendleft(data[cut:])
                data = data[:cut]
        queue.terminal.feed(data)
        queue.pending_bytes -= len(data)
        if queue.backlogged:
            queue._note_backlog()
        queue.on_parsed()
        return len(data)

    async def run(self) -> None:
        """Parse forever, yielding to the event loop after every time budget (a shorter
        one while someone types); sleep while nothing can be parsed."""
        clock = self._clock
        while True:
            now = clock()
            if not self._runnable(now):
                # Nothing pending, or only held background output: wait for more output,
                # a keystroke, or the end of the hold.
                self._wakeup.clear()
                timeout = self._hold_until - now if self.pending_bytes else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout)
                continue
            budget = self.budget_seconds
            if self.interactive(now):
                budget = min(budget, INTERACTIVE_BUDGET)
            deadline = now + budget
            while self.run_round(now=now) and (now := clock()) < deadline:
                pass
            await asyncio.sleep(0)

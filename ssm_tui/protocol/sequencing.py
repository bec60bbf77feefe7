"""The receive side of §9.2-9.3: the expected counter and a bounded reorder buffer."""

from __future__ import annotations

from enum import Enum
from typing import Generic, TypeVar

__all__ = ["Arrival", "ReceiveWindow"]

_T = TypeVar("_T")


class Arrival(Enum):
    """Where an inbound sequence number falls relative to ``expected``."""

    IN_ORDER = "in_order"
    EARLY = "early"
    DUPLICATE = "duplicate"


class ReceiveWindow(Generic[_T]):
    """Tracks the next sequence number due and holds early arrivals until their turn.

    The caller acks; this class only answers "where does this fit" and stores. Early
    arrivals are acked when stored (§9.2), so a stored item must never be dropped.
    """

    __slots__ = ("_buffer", "capacity", "expected")

    def __init__(self, *, capacity: int = 10_000) -> None:
        self.expected = 0
        self.capacity = capacity
        self._buffer: dict[int, _T] = {}

    def classify(self, sequence_number: int) -> Arrival:
        if sequence_number == self.expected:
            return Arrival.IN_ORDER
        if sequence_number > self.expected:
            return Arrival.EARLY
        return Arrival.DUPLICATE

    def store(self, sequence_number: int, item: _T) -> bool:
        """Keep an early arrival; False when the buffer is full (drop without ack, §9.2)."""
        if sequence_number in self._buffer:
            return True  # a duplicate of an early arrival: already held, ack again
        if len(self._buffer) >= self.capacity:
            return False
        self._buffer[sequence_number] = item
        return True

    def peek(self) -> _T | None:
        """The held item whose turn has come, if any."""
        return self._buffer.get(self.expected)

    def advance(self) -> bool:
        """The expected item was processed: forget it and move on.

        Returns whether early arrivals are still held, so the caller knows to drain.
        """
        buffer = self._buffer
        buffer.pop(self.expected, None)
        self.expected += 1
        return bool(buffer)

    def __len__(self) -> int:
        return len(self._buffer)

"""What a data-channel connection is doing right now, in a shape the UI can show."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class Phase(enum.Enum):
    """The coarse life stages of one session's websocket."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ENDED = "ended"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionState:
    """One observed state: the phase plus the reconnect attempt or the end reason."""

    phase: Phase
    attempt: int = 0
    reason: str = ""

    @property
    def ended(self) -> bool:
        """True once the session is over for good."""
        return self.phase is Phase.ENDED

    def __str__(self) -> str:
        if self.phase is Phase.RECONNECTING:
            return f"reconnecting (attempt {self.attempt})"
        if self.phase is Phase.ENDED:
            return f"ended: {self.reason}" if self.reason else "ended"
        return str(self.phase.value)


CONNECTING = ConnectionState(phase=Phase.CONNECTING)
LIVE = ConnectionState(phase=Phase.LIVE)


def reconnecting(attempt: int) -> ConnectionState:
    """The state while trying to get the websocket back, ``attempt`` counting from 1."""
    return ConnectionState(phase=Phase.RECONNECTING, attempt=attempt)


def ended(reason: str) -> ConnectionState:
    """The final state, with a human-readable reason."""
    return ConnectionState(phase=Phase.ENDED, reason=reason)


StateObserver = Callable[[ConnectionState], None]
"""Called with every new state, synchronously, from the event loop."""

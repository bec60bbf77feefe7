"""What a port forward's panel shows: its phase and its connection and byte counters."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ForwardPhase(enum.Enum):
    """Where a forward is in its life."""

    CONNECTING = "connecting"  # listener bound, session starting
    LISTENING = "listening"  # accepting local connections
    RECONNECTING = "reconnecting"  # websocket lost; connections wait
    CLOSED = "closed"  # ended normally (Ctrl-C, stop, the service closed it)
    FAILED = "failed"  # ended by an error

    @property
    def ended(self) -> bool:
        """True once the forward is over."""
        return self in (ForwardPhase.CLOSED, ForwardPhase.FAILED)


@dataclass(slots=True)
class ForwardStats:
    """Counters for one forward, updated in place as traffic flows."""

    connections_open: int = 0
    connections_total: int = 0
    bytes_sent: int = 0  # local -> remote
    bytes_received: int = 0  # remote -> local
    connection_errors: int = 0  # the agent could not reach the destination

    def opened(self) -> None:
        """A local connection was accepted and is being forwarded."""
        self.connections_open += 1
        self.connections_total += 1

    def closed(self) -> None:
        """A forwarded connection finished."""
        self.connections_open -= 1

"""Which end of the data channel an object plays: the client (plugin) or the agent."""

from __future__ import annotations

from enum import Enum

__all__ = ["Role"]


class Role(Enum):
    """The two ends of a data channel; the service in between only relays (§0)."""

    CLIENT = "client"
    AGENT = "agent"

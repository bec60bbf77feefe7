"""What the fleet is made of: managed nodes and the (profile, region) pairs they come from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    """One place to look for nodes: an AWS profile (``None`` = default chain) in a region."""

    profile: str | None
    region: str

    def __str__(self) -> str:
        return f"{self.profile or 'default'}/{self.region}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedNode:
    """A node SSM manages, joined with what EC2 knows about it (Name and other tags, state)."""

    instance_id: str
    profile: str | None
    region: str
    name: str = ""
    platform_type: str = ""
    platform_name: str = ""
    ping_status: str = ""
    agent_version: str = ""
    ip_address: str = ""
    computer_name: str = ""
    state: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def pair(self) -> Pair:
        """The (profile, region) the node was found in."""
        return Pair(profile=self.profile, region=self.region)

    @property
    def label(self) -> str:
        """The Name tag when there is one, else the instance id."""
        return self.name or self.instance_id

    @property
    def online(self) -> bool:
        """True when the agent reports in (PingStatus Online)."""
        return self.ping_status == "Online"


@dataclass(frozen=True, slots=True, kw_only=True)
class PairError:
    """Why listing one (profile, region) pair failed, in words that say what to do."""

    pair: Pair
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetSnapshot:
    """Every node found across the pairs asked for, and the pairs that failed."""

    nodes: tuple[ManagedNode, ...] = ()
    errors: tuple[PairError, ...] = ()

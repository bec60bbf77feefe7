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
    # What the fleet filter searches, lowercased once here so that filtering a large fleet
    # per keystroke is only substring tests (see filter.py).
    search_text: str = field(init=False, repr=False, compare=False)
    search_tags: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tags = tuple((k.lower(), v.lower()) for k, v in self.tags.items())
        fields = (
            self.name,
            self.instance_id,
            self.ip_address,
            self.platform_type,
            self.platform_name,
            self.profile or "default",
            self.region,
            self.computer_name,
        )
        # NUL separators keep a search term from matching across two fields.
        text = "\0".join(f.lower() for f in fields) + "\0" + "\0".join(v for _, v in tags)
        object.__setattr__(self, "search_text", text)
        object.__setattr__(self, "search_tags", tags)

    @property
    def key(self) -> tuple[str | None, str, str]:
        """What identifies the node across a fleet: (profile, region, instance id)."""
        return (self.profile, self.region, self.instance_id)

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
    # Problems that did not lose the pair's nodes (e.g. EC2 tags denied: nodes listed untagged).
    warnings: tuple[PairError, ...] = ()
    # Every pair that was asked for, including those that failed or had no nodes.
    pairs: tuple[Pair, ...] = ()

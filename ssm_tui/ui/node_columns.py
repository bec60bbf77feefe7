"""The fleet table's columns: what each shows for a node and how it sorts."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ssm_tui.aws.nodes import ManagedNode

_PING_ORDER = {"Online": 0, "ConnectionLost": 1, "Inactive": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeColumn:
    """One column: header label, cell text, sort key and the widest it may grow."""

    key: str
    label: str
    text: Callable[[ManagedNode], str]
    sort_key: Callable[[ManagedNode], Any]
    max_width: int = 40


def platform(node: ManagedNode) -> str:
    """The platform name (``Amazon Linux``), falling back to its type (``Linux``)."""
    return node.platform_name or node.platform_type


def compact_tags(node: ManagedNode) -> str:
    """Tags other than Name as ``k=v k=v``, sorted by key."""
    return " ".join(f"{k}={v}" for k, v in sorted(node.tags.items()) if k != "Name")


def _version_key(node: ManagedNode) -> tuple[int, ...]:
    return tuple(int(part) for part in node.agent_version.split(".") if part.isdigit())


def _ip_key(node: ManagedNode) -> tuple[int, int]:
    try:
        address = ipaddress.ip_address(node.ip_address)
    except ValueError:
        return (9, 0)
    return (address.version, int(address))


def _text_key(text: Callable[[ManagedNode], str]) -> Callable[[ManagedNode], Any]:
    return lambda node: (text(node).lower(), node.instance_id)


COLUMNS: tuple[NodeColumn, ...] = (
    NodeColumn(
        key="name",
        label="Name",
        text=lambda n: n.name,
        sort_key=_text_key(lambda n: n.label),
        max_width=32,
    ),
    NodeColumn(
        key="instance_id",
        label="Instance ID",
        text=lambda n: n.instance_id,
        sort_key=lambda n: n.instance_id,
        max_width=20,
    ),
    NodeColumn(
        key="profile",
        label="Profile",
        text=lambda n: n.profile or "default",
        sort_key=_text_key(lambda n: n.profile or "default"),
        max_width=20,
    ),
    NodeColumn(
        key="region",
        label="Region",
        text=lambda n: n.region,
        sort_key=_text_key(lambda n: n.region),
        max_width=16,
    ),
    NodeColumn(
        key="platform", label="Platform", text=platform, sort_key=_text_key(platform), max_width=22
    ),
    NodeColumn(
        key="ping",
        label="Ping",
        text=lambda n: n.ping_status,
        sort_key=lambda n: (_PING_ORDER.get(n.ping_status, 3), n.label.lower()),
        max_width=14,
    ),
    NodeColumn(
        key="agent",
        label="Agent",
        text=lambda n: n.agent_version,
        sort_key=_version_key,
        max_width=12,
    ),
    NodeColumn(key="ip", label="IP", text=lambda n: n.ip_address, sort_key=_ip_key, max_width=39),
    NodeColumn(
        key="tags", label="Tags", text=compact_tags, sort_key=_text_key(compact_tags), max_width=80
    ),
)

COLUMN_KEYS = tuple(column.key for column in COLUMNS)

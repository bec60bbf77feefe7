"""Resolving a command-line TARGET (an instance id or a Name tag) to one managed node."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.fleet import discover
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair
from ssm_tui.aws.profiles import ClientPool, SessionFactory, default_session_factory

_INSTANCE_ID = re.compile(r"^(i|mi)-[0-9a-f]{8,17}$")
_SHOWN_CANDIDATES = 10


class TargetError(AwsError):
    """TARGET named no node, or more than one; ``candidates`` holds the ones that matched."""

    def __init__(self, message: str, candidates: Sequence[ManagedNode] = ()) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


def is_instance_id(target: str) -> bool:
    """Whether ``target`` has the shape of an EC2 (``i-``) or hybrid (``mi-``) node id."""
    return _INSTANCE_ID.match(target) is not None


def resolve_in(target: str, snapshot: FleetSnapshot) -> ManagedNode:
    """The one node in ``snapshot`` whose id or Name tag is ``target``; TargetError otherwise.

    An exact Name wins over a case-insensitive one; a Name shared by several nodes is
    ambiguous, and the error lists every candidate with its id, profile and region.
    """
    target = target.strip()
    matches = [n for n in snapshot.nodes if n.instance_id == target]
    if not matches:
        matches = [n for n in snapshot.nodes if n.name == target]
    if not matches:
        folded = target.casefold()
        matches = [n for n in snapshot.nodes if n.name.casefold() == folded]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise TargetError(_ambiguous(target, matches), matches)
    raise TargetError(_not_found(target, snapshot))


async def resolve(
    target: str,
    pairs: Sequence[Pair],
    *,
    session_factory: SessionFactory = default_session_factory,
    clients: ClientPool | None = None,
) -> ManagedNode:
    """Find ``target`` among ``pairs`` by listing them (an id with one pair needs no call).

    The node returned for an id in a single pair carries only its id, profile and region:
    StartSession will say whether it is really there and connected.
    """
    target = target.strip()
    if not target:
        raise TargetError("no TARGET given: pass an instance id or a Name tag")
    if len(pairs) == 1 and is_instance_id(target):
        return ManagedNode(instance_id=target, profile=pairs[0].profile, region=pairs[0].region)
    snapshot = await discover(pairs, session_factory=session_factory, clients=clients)
    return resolve_in(target, snapshot)


def _describe(node: ManagedNode) -> str:
    status = node.ping_status or "unknown"
    return f"{node.instance_id} ({node.pair}, {status})"


def _ambiguous(target: str, matches: Sequence[ManagedNode]) -> str:
    shown = ", ".join(_describe(n) for n in matches[:_SHOWN_CANDIDATES])
    more = len(matches) - _SHOWN_CANDIDATES
    tail = f", and {more} more" if more > 0 else ""
    return f"{target!r} matches {len(matches)} nodes; use an instance id: {shown}{tail}"


def _not_found(target: str, snapshot: FleetSnapshot) -> str:
    kind = "with id" if is_instance_id(target) else "named or with id"
    message = f"no managed node {kind} {target!r}"
    searched = [str(p) for p in snapshot.pairs] or sorted({str(n.pair) for n in snapshot.nodes})
    if searched:
        message += f" in {', '.join(searched)}"
    if snapshot.errors:
        failed = "; ".join(f"{e.pair}: {e.message}" for e in snapshot.errors)
        message += f" (could not list {failed})"
    return message

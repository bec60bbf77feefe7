"""Reopen a saved workspace through the user's own entry points, and capture the open one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypedDict

from ssm_tui.app_core.forwards import ForwardSpec
from ssm_tui.app_core.node_shell import one_line
from ssm_tui.app_core.workspace_file import SavedForward, SavedTab, Workspace
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair


class RestoreTarget(Protocol):
    """What restoring drives: the calls a user's keys make, plus where failures show."""

    def open_shell(
        self, node: ManagedNode, *, document: str = "", title: str = "", ended: str = ""
    ) -> object:
        """Open a shell tab on ``node``; with ``ended``, a tab that ended saying why."""

    async def start_forward(self, spec: ForwardSpec) -> str:
        """Start a forward as the New Forward dialog does; raises with the user's message."""

    def hold_forward(self, spec: ForwardSpec, reason: str) -> str:
        """Show a forward that could not start as a row saying ``reason``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    """A saved target found in the fleet (``node`` current) or not (``reason`` says why)."""

    node: ManagedNode
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreReport:
    """What a restore opened: live tabs, ended tabs, forwards started and forwards held."""

    tabs: int = 0
    ended_tabs: int = 0
    forwards: int = 0
    held_forwards: int = 0

    @property
    def summary(self) -> str:
        """One line for a notification: ``2 tabs (1 ended), 1 forward``."""
        tabs = f"{self.tabs + self.ended_tabs} tab{'s' if self.tabs + self.ended_tabs != 1 else ''}"
        if self.ended_tabs:
            tabs += f" ({self.ended_tabs} ended)"
        count = self.forwards + self.held_forwards
        forwards = f"{count} forward{'s' if count != 1 else ''}"
        if self.held_forwards:
            forwards += f" ({self.held_forwards} not started)"
        return f"{tabs}, {forwards}"


def resolve(saved: ManagedNode, snapshot: FleetSnapshot) -> Resolved:
    """``saved`` looked up in ``snapshot`` by pair and instance id: the node now, or why not."""
    pair = saved.pair
    for node in snapshot.nodes:
        if node.key == saved.key:
            if node.ping_status and not node.online:
                return Resolved(node=node, reason=f"node offline (ping status {node.ping_status})")
            return Resolved(node=node)
    for error in snapshot.errors:
        if error.pair == pair:
            return Resolved(node=saved, reason=f"{pair} not listed: {error.message}")
    if pair not in snapshot.pairs:
        return Resolved(node=saved, reason=f"{pair} is not among the listed profiles/regions")
    return Resolved(node=saved, reason=f"node no longer exists in {pair}")


async def restore(
    workspace: Workspace, snapshot: FleetSnapshot, target: RestoreTarget
) -> RestoreReport:
    """Open ``workspace``'s tabs, then start its forwards, in saved order.

    Nothing here raises for one bad entry: a gone or offline node opens an ended tab (or
    a held forward row) with the reason, and a forward that cannot start (local port in
    use) is held with the error's first line.
    """
    tabs = ended_tabs = forwards = held = 0
    for tab in workspace.tabs:
        found = resolve(tab.node, snapshot)
        target.open_shell(found.node, document=tab.document, title=tab.title, ended=found.reason)
        if found.reason:
            ended_tabs += 1
        else:
            tabs += 1
    for saved in workspace.forwards:
        found = resolve(saved.node, snapshot)
        spec = forward_spec(saved, found.node)
        if found.reason:
            target.hold_forward(spec, found.reason)
            held += 1
            continue
        try:
            await target.start_forward(spec)
        except Exception as error:  # ForwardError, AwsError: shown on the forward's row
            target.hold_forward(spec, one_line(error))
            held += 1
        else:
            forwards += 1
    return RestoreReport(tabs=tabs, ended_tabs=ended_tabs, forwards=forwards, held_forwards=held)


def forward_spec(saved: SavedForward, node: ManagedNode) -> ForwardSpec:
    """The spec to start ``saved`` through ``node`` (the fleet's current view of it)."""
    return ForwardSpec(
        node=node,
        remote_port=saved.remote_port,
        host=saved.remote_host,
        local_port=saved.local_port,
        bind=saved.bind,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenTab:
    """A shell tab as it is open now, in the terms a workspace saves."""

    node: ManagedNode
    document: str = ""
    title: str = ""  # the title the user gave, if any


def capture(name: str, tabs: Iterable[OpenTab], forwards: Iterable[ForwardSpec]) -> Workspace:
    """The workspace ``name`` holding ``tabs`` and ``forwards`` (as the user asked for them)."""
    return Workspace(
        name=name,
        tabs=tuple(
            SavedTab(**_target(tab.node), document=tab.document, title=tab.title) for tab in tabs
        ),
        forwards=tuple(
            SavedForward(
                **_target(spec.node),
                remote_port=spec.remote_port,
                remote_host=spec.host,
                local_port=spec.local_port,
                bind=spec.bind,
            )
            for spec in forwards
        ),
    )


class _Target(TypedDict):
    pair: Pair
    instance_id: str
    name: str


def _target(node: ManagedNode) -> _Target:
    """The fields of a ``SavedTarget`` (a saved tab's or forward's) that say it is ``node``."""
    return {"pair": node.pair, "instance_id": node.instance_id, "name": node.name}

"""Fleet sources: scopes as pairs, a fixed snapshot, and discovery on the emulator."""

from __future__ import annotations

import pytest

from ssm_tui.app_core.fleet_source import (
    DiscoverySource,
    Scope,
    ScopedFleetSource,
    ScopeError,
    SnapshotSource,
)
from ssm_tui.aws.nodes import FleetSnapshot, Pair
from tests.app_core.services import lab_node
from tests.sessions.lab import ACCOUNT, PORTS, REGION, SHELL, Lab


class Reported:
    """Records every ``progress(done, total)`` call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))


def test_a_scope_is_every_profile_with_every_region_profiles_first() -> None:
    scope = Scope(profiles=("prod", None), regions=("us-east-1", "eu-west-1"))
    assert scope.pairs == (
        Pair(profile="prod", region="us-east-1"),
        Pair(profile="prod", region="eu-west-1"),
        Pair(profile=None, region="us-east-1"),
        Pair(profile=None, region="eu-west-1"),
    )
    assert str(scope) == "prod, default · us-east-1, eu-west-1"
    assert str(Scope(profiles=(), regions=())) == "no profile · default regions"


async def test_a_snapshot_source_returns_its_snapshot_with_every_pair_done() -> None:
    snapshot = FleetSnapshot(nodes=(lab_node(SHELL, "box-1"), lab_node(PORTS, "web-1")))
    progress = Reported()
    assert await SnapshotSource(snapshot).load(progress) is snapshot
    assert progress.calls == [(1, 1)]


async def test_discovery_lists_the_scope_and_reports_each_pair_done(lab: Lab) -> None:
    source = DiscoverySource(Scope(profiles=(ACCOUNT.name,), regions=(REGION,)))
    progress = Reported()
    snapshot = await source.load(progress)
    assert {"box-1", "web-1", "dark-1"} <= {node.name for node in snapshot.nodes}
    assert progress.calls[0] == (0, 1)
    assert progress.calls[-1] == (1, 1)


async def test_discovery_without_regions_uses_each_profile_default_region(lab: Lab) -> None:
    snapshot = await DiscoverySource(Scope(profiles=(ACCOUNT.name,), regions=())).load(Reported())
    assert {node.region for node in snapshot.nodes} == {REGION}


async def test_a_scope_naming_no_listable_pair_says_why(lab: Lab) -> None:
    source = DiscoverySource(Scope(profiles=("no-such-profile",), regions=()))
    with pytest.raises(ScopeError, match="no-such-profile is not in the AWS config"):
        await source.load(Reported())


def test_a_discovery_source_can_be_rescoped_and_keeps_its_profiles() -> None:
    source = DiscoverySource(Scope(profiles=("a",), regions=("r1",)), known_profiles=("a", "b"))
    assert isinstance(source, ScopedFleetSource)
    wider = source.with_scope(Scope(profiles=("a", "b"), regions=("r1",)))
    assert wider.scope.profiles == ("a", "b")
    assert wider.known_profiles == ("a", "b")
    assert source.scope.profiles == ("a",)

"""The demo fleet: started by the first listing, then listed like a real one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ssm_tui.app_core.demo import DemoFleet
from ssm_tui.app_core.fleet_source import Scope


@pytest.fixture
def restored_environ() -> Iterator[None]:
    """The demo points boto3 at itself through os.environ; put the test's back afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def test_the_first_load_starts_the_demo_fleet_and_lists_all_of_it(
    restored_environ: None,
) -> None:
    progress: list[tuple[int, int]] = []
    with DemoFleet() as demo:
        source = demo.source()
        assert source.scope == demo.scope
        assert source.known_profiles == ("prod", "staging")
        snapshot = await source.load(lambda done, total: progress.append((done, total)))
    assert len(snapshot.nodes) == 27
    assert {node.profile for node in snapshot.nodes} == {"prod", "staging"}
    assert progress[0] == (0, 10)
    assert progress[-1] == (10, 10)


async def test_a_rescoped_demo_source_lists_only_its_pairs(restored_environ: None) -> None:
    with DemoFleet() as demo:
        source = demo.source().with_scope(Scope(profiles=("prod",), regions=("us-east-1",)))
        snapshot = await source.load(lambda done, total: None)
    assert snapshot.nodes
    assert {(node.profile, node.region) for node in snapshot.nodes} == {("prod", "us-east-1")}

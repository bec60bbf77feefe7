"""Fleet discovery against the local emulator: many pairs at once, paging, failing pairs."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from ssm_tui.aws import ec2_slim, ssm_slim
from ssm_tui.aws.fleet import PairProgress, discover
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.emulator import EmulatorServer
from ssm_tui.emulator.demo_fleet import generate_fleet
from tests.conftest import AwsEnv

PROD_US = Pair(profile="prod", region="us-east-1")
PROD_EU = Pair(profile="prod", region="eu-west-1")
STAGING_US = Pair(profile="staging", region="us-east-1")
STAGING_EU = Pair(profile="staging", region="eu-west-1")


def expected(server: EmulatorServer, pair: Pair) -> set[str]:
    account = server.fleet.account_named(pair.profile or "")
    assert account is not None
    return {
        i.instance_id
        for i in server.fleet.instances_in(account.account_id, pair.region)
        if i.managed
    }


def deny(server: EmulatorServer, profile: str, *actions: str) -> None:
    accounts = server.fleet.accounts
    index = next(n for n, a in enumerate(accounts) if a.name == profile)
    accounts[index] = dataclasses.replace(accounts[index], denied_actions=frozenset(actions))


async def test_discovery_lists_every_managed_node_of_two_profiles_in_two_regions(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    pairs = [PROD_US, PROD_EU, STAGING_US, STAGING_EU]
    snapshot = await discover(pairs)
    assert snapshot.errors == ()
    assert snapshot.warnings == ()
    assert snapshot.pairs == tuple(pairs)
    for pair in pairs:
        found = {n.instance_id for n in snapshot.nodes if n.pair == pair}
        assert found == expected(emulator, pair)
    assert len(snapshot.nodes) == sum(len(expected(emulator, p)) for p in pairs)


async def test_nodes_carry_ec2_tags_state_and_agent_details(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    snapshot = await discover([PROD_US, PROD_EU])
    by_name = {n.name: n for n in snapshot.nodes}
    web = by_name["web-1"]
    assert web.tags["Role"] == "web"
    assert web.tags["Name"] == "web-1"
    assert web.state == "running"
    assert web.ping_status == "Online"
    assert web.platform_type == "Linux"
    assert web.agent_version
    assert web.ip_address.startswith("10.")
    assert by_name["worker-eu-1"].state == "stopped"
    assert by_name["worker-3"].ping_status == "ConnectionLost"
    assert "legacy-ftp" not in by_name  # an EC2 instance without the agent is not a node


async def test_nodes_are_sorted_by_name(emulator: EmulatorServer, aws_env: AwsEnv) -> None:
    aws_env(emulator)
    snapshot = await discover([PROD_US, STAGING_US])
    names = [n.name.lower() for n in snapshot.nodes]
    assert names == sorted(names)


async def test_discovery_pages_through_hundreds_of_nodes(aws_env: AwsEnv) -> None:
    fleet = generate_fleet(260, accounts=1, regions=1)
    async with EmulatorServer(fleet) as server:
        aws_env(server)
        pair = Pair(profile=fleet.accounts[0].name, region=fleet.accounts[0].regions[0])
        snapshot = await discover([pair])
    assert snapshot.errors == ()
    assert len(snapshot.nodes) == 260
    assert len({n.instance_id for n in snapshot.nodes}) == 260
    assert all(n.name and n.tags.get("Role") for n in snapshot.nodes)  # both EC2 batches


class PlainPool(ClientPool):
    """Clients as boto3 builds them on its own: no shared model, class or loader."""

    def client(self, service: str, profile: str | None, region: str) -> Any:  # type: ignore[override]
        return self.session(profile).client(service, region_name=region)  # type: ignore[call-overload]


async def test_the_fast_paths_list_exactly_what_botocore_alone_lists(
    aws_env: AwsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = generate_fleet(700, accounts=2, regions=2)  # several SSM pages, two EC2 batches
    fleet.instances[0].tags["odd <&> key"] = "a & b <c>"
    fleet.instances[1].tags["empty"] = ""
    async with EmulatorServer(fleet) as server:
        aws_env(server)
        pairs = [Pair(profile=a.name, region=r) for a in fleet.accounts for r in a.regions]
        fast = await discover(pairs)
        with monkeypatch.context() as patch:
            patch.setattr(ssm_slim, "slimmed", contextlib.nullcontext)
            patch.setattr(ec2_slim, "slimmed", contextlib.nullcontext)
            reference = await discover(pairs, clients=PlainPool())
    assert fast.errors == reference.errors == ()
    assert len(fast.nodes) == sum(i.managed and i.state != "terminated" for i in fleet.instances)
    assert fast == reference  # every field of every node, in the same order
    assert all(
        dataclasses.asdict(n) == dataclasses.asdict(r)
        for n, r in zip(fast.nodes, reference.nodes, strict=True)
    )


async def test_progress_reports_each_pair_once_done_on_the_loop_thread(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    updates: list[tuple[PairProgress, int]] = []
    pairs = [PROD_US, PROD_EU, STAGING_US]
    snapshot = await discover(pairs, progress=lambda u: updates.append((u, threading.get_ident())))
    assert {thread for _, thread in updates} == {threading.get_ident()}
    done = [u for u, _ in updates if u.done]
    assert sorted(str(u.pair) for u in done) == sorted(str(p) for p in pairs)
    assert sum(len(u.nodes) for u in done) == len(snapshot.nodes)
    assert all(u.found == len(u.nodes) for u in done)


async def test_rejected_credentials_fail_only_their_pair(
    emulator: EmulatorServer, aws_env: AwsEnv, tmp_path: Path
) -> None:
    env = aws_env(emulator)
    with open(env["AWS_SHARED_CREDENTIALS_FILE"], "a") as credentials:
        credentials.write(
            "\n[broken]\naws_access_key_id = AKIAEMULATORPROD0001\n"
            "aws_secret_access_key = not-the-secret\n"
        )
    with open(env["AWS_CONFIG_FILE"], "a") as config:
        config.write("\n[profile broken]\nregion = us-east-1\n")
    broken = Pair(profile="broken", region="us-east-1")
    snapshot = await discover([PROD_US, broken, STAGING_US])
    assert [e.pair for e in snapshot.errors] == [broken]
    assert snapshot.errors[0].message.startswith("credentials rejected for profile broken (")
    assert {n.pair for n in snapshot.nodes} == {PROD_US, STAGING_US}


async def test_an_unknown_profile_fails_only_its_pair(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    snapshot = await discover([Pair(profile="nope", region="us-east-1"), PROD_US])
    assert [e.message for e in snapshot.errors] == [
        "profile nope is not in the AWS config (see `aws configure list-profiles`)"
    ]
    assert snapshot.nodes


async def test_denied_listing_names_the_missing_permission(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    deny(emulator, "staging", "ssm:DescribeInstanceInformation")
    snapshot = await discover([PROD_US, STAGING_US])
    assert [e.pair for e in snapshot.errors] == [STAGING_US]
    assert snapshot.errors[0].message.startswith(
        "access denied: profile staging may not call ssm:DescribeInstanceInformation in us-east-1"
    )


async def test_denied_ec2_keeps_the_nodes_without_tags_and_warns(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    deny(emulator, "prod", "ec2:DescribeInstances")
    snapshot = await discover([PROD_US])
    assert snapshot.errors == ()
    assert {n.instance_id for n in snapshot.nodes} == expected(emulator, PROD_US)
    assert all(n.tags == {} for n in snapshot.nodes)
    [warning] = snapshot.warnings
    assert warning.pair == PROD_US
    assert warning.message.startswith(
        "nodes listed without EC2 tags: access denied: profile prod may not call "
        "ec2:DescribeInstances"
    )


async def test_an_unreachable_endpoint_is_named(
    emulator: EmulatorServer, aws_env: AwsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_env(emulator)
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    snapshot = await discover([PROD_US])
    assert [e.message for e in snapshot.errors] == [f"cannot reach http://127.0.0.1:{port}/"]


async def test_no_pairs_is_an_empty_snapshot() -> None:
    snapshot = await discover([])
    assert snapshot.nodes == () and snapshot.errors == ()

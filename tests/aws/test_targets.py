"""Resolving TARGET against a known fleet snapshot: by id, by Name, ambiguous, missing."""

from __future__ import annotations

import pytest

from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair, PairError
from ssm_tui.aws.targets import TargetError, is_instance_id, resolve, resolve_in
from ssm_tui.emulator import EmulatorServer
from tests.conftest import AwsEnv

PROD = Pair(profile="prod", region="eu-west-1")
DEV = Pair(profile="dev", region="us-east-1")


def node(instance_id: str, name: str, pair: Pair, ping: str = "Online") -> ManagedNode:
    return ManagedNode(
        instance_id=instance_id,
        profile=pair.profile,
        region=pair.region,
        name=name,
        ping_status=ping,
        tags={"Name": name} if name else {},
    )


WEB_PROD = node("i-0aaaaaaaaaaaaaaa1", "web", PROD)
WEB_DEV = node("i-0bbbbbbbbbbbbbbb2", "web", DEV, ping="ConnectionLost")
DB = node("i-0ccccccccccccccc3", "db", PROD)
UPPER = node("i-0ddddddddddddddd4", "Bastion", DEV)
SNAPSHOT = FleetSnapshot(nodes=(WEB_PROD, WEB_DEV, DB, UPPER), pairs=(PROD, DEV))


def test_an_instance_id_resolves_to_its_node() -> None:
    assert resolve_in("i-0bbbbbbbbbbbbbbb2", SNAPSHOT) is WEB_DEV


def test_a_unique_name_resolves_to_its_node() -> None:
    assert resolve_in("db", SNAPSHOT) is DB


def test_name_matching_falls_back_to_ignoring_case() -> None:
    assert resolve_in("bastion", SNAPSHOT) is UPPER


def test_a_shared_name_is_ambiguous_and_lists_every_candidate() -> None:
    with pytest.raises(TargetError) as caught:
        resolve_in("web", SNAPSHOT)
    message = str(caught.value)
    assert message.startswith("'web' matches 2 nodes; use an instance id:")
    assert "i-0aaaaaaaaaaaaaaa1 (prod/eu-west-1, Online)" in message
    assert "i-0bbbbbbbbbbbbbbb2 (dev/us-east-1, ConnectionLost)" in message
    assert caught.value.candidates == (WEB_PROD, WEB_DEV)


def test_a_missing_target_names_the_pairs_searched() -> None:
    with pytest.raises(TargetError, match=r"^no managed node named or with id 'nope' in "):
        resolve_in("nope", SNAPSHOT)
    with pytest.raises(TargetError) as caught:
        resolve_in("nope", SNAPSHOT)
    assert "prod/eu-west-1, dev/us-east-1" in str(caught.value)


def test_a_missing_target_mentions_pairs_that_could_not_be_listed() -> None:
    failed = FleetSnapshot(
        nodes=(DB,),
        errors=(PairError(pair=DEV, message="SSO session expired: run `aws sso login`"),),
        pairs=(PROD, DEV),
    )
    with pytest.raises(TargetError) as caught:
        resolve_in("i-0123456789abcdef0", failed)
    assert str(caught.value) == (
        "no managed node with id 'i-0123456789abcdef0' in prod/eu-west-1, dev/us-east-1 "
        "(could not list dev/us-east-1: SSO session expired: run `aws sso login`)"
    )


def test_instance_id_shapes() -> None:
    assert is_instance_id("i-0123456789abcdef0")
    assert is_instance_id("i-01234567")
    assert is_instance_id("mi-0123456789abcdef0")
    assert not is_instance_id("web-1")
    assert not is_instance_id("i-xyz")


async def test_an_id_in_a_single_pair_resolves_without_calling_aws() -> None:
    def no_session(profile: str | None) -> object:
        raise AssertionError("no AWS call expected")

    found = await resolve("i-0123456789abcdef0", [PROD], session_factory=no_session)  # type: ignore[arg-type]
    assert found.instance_id == "i-0123456789abcdef0"
    assert found.pair == PROD


async def test_an_empty_target_is_refused() -> None:
    with pytest.raises(TargetError, match="no TARGET given"):
        await resolve("  ", [PROD])


# --- against the local fleet ---------------------------------------------------------------


def demo_id(server: EmulatorServer, name: str) -> str:
    return next(i.instance_id for i in server.fleet.instances if i.name == name)


async def test_a_name_resolves_across_profiles_and_regions(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    pairs = [
        Pair(profile=p, region=r) for p in ("prod", "staging") for r in ("us-east-1", "us-west-2")
    ]
    found = await resolve("web-stg-w-1", pairs)
    assert found.instance_id == demo_id(emulator, "web-stg-w-1")
    assert found.pair == Pair(profile="staging", region="us-west-2")
    assert found.tags["Role"] == "web"


async def test_an_id_resolves_to_the_pair_that_has_it(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    pairs = [Pair(profile="prod", region="us-east-1"), Pair(profile="prod", region="eu-west-1")]
    found = await resolve(demo_id(emulator, "db-eu-1"), pairs)
    assert found.name == "db-eu-1"
    assert found.region == "eu-west-1"


async def test_a_name_in_two_accounts_is_ambiguous(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    twin = next(i for i in emulator.fleet.instances if i.name == "web-stg-1")
    twin.tags["Name"] = "web-1"
    pairs = [Pair(profile="prod", region="us-east-1"), Pair(profile="staging", region="us-east-1")]
    with pytest.raises(TargetError) as caught:
        await resolve("web-1", pairs)
    message = str(caught.value)
    assert f"{demo_id(emulator, 'web-1')} (prod/us-east-1, Online)" in message
    assert f"{twin.instance_id} (staging/us-east-1, Online)" in message


async def test_an_unknown_name_says_where_it_looked(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    with pytest.raises(TargetError) as caught:
        await resolve("nope", [Pair(profile="prod", region="eu-west-1")])
    assert str(caught.value) == "no managed node named or with id 'nope' in prod/eu-west-1"

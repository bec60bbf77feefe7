"""Profiles, default regions and pairs come from the standard AWS files and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.profiles import (
    ClientPool,
    default_region,
    list_profiles,
    pairs_for,
    profile_label,
)

CONFIG = """\
[default]
region = us-east-1

[profile prod]
region = eu-west-1

[profile noregion]
output = json
"""
CREDENTIALS = """\
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = secret

[creds-only]
aws_access_key_id = AKIACREDSONLY
aws_secret_access_key = secret
"""


@pytest.fixture(autouse=True)
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def test_profiles_come_from_both_files() -> None:
    assert list_profiles() == ["creds-only", "default", "noregion", "prod"]


def test_default_region_is_the_profiles_region() -> None:
    assert default_region("prod") == "eu-west-1"
    assert default_region(None) == "us-east-1"
    assert default_region("noregion") is None


def test_aws_profile_selects_the_default_chains_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod")
    assert default_region(None) == "eu-west-1"
    assert profile_label(None) == "prod"


def test_region_environment_overrides_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert default_region("prod") == "ap-south-1"
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    assert default_region("prod") == "sa-east-1"


def test_aws_region_is_honoured_when_nothing_else_names_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_REGION", "ca-central-1")
    assert default_region("noregion") == "ca-central-1"


def test_pairs_are_every_profile_times_every_region() -> None:
    pairs, problems = pairs_for(["prod", "default"], ["us-east-1", "eu-west-1", "us-east-1"])
    assert problems == []
    assert pairs == [
        Pair(profile="prod", region="us-east-1"),
        Pair(profile="prod", region="eu-west-1"),
        Pair(profile="default", region="us-east-1"),
        Pair(profile="default", region="eu-west-1"),
    ]


def test_without_regions_each_profile_uses_its_own() -> None:
    pairs, problems = pairs_for(["prod", None], None)
    assert pairs == [
        Pair(profile="prod", region="eu-west-1"),
        Pair(profile=None, region="us-east-1"),
    ]
    assert problems == []


def test_a_profile_without_a_region_is_a_problem_not_a_pair() -> None:
    pairs, problems = pairs_for(["noregion", "prod"], None)
    assert pairs == [Pair(profile="prod", region="eu-west-1")]
    assert problems == [
        "no region for profile noregion: pass --region, set AWS_REGION, "
        "or set `region` in the AWS config"
    ]


def test_an_unknown_profile_is_a_problem() -> None:
    pairs, problems = pairs_for(["nope"], None)
    assert pairs == []
    assert problems == ["profile nope is not in the AWS config"]


def test_endpoint_url_environment_reaches_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:4567")
    pool = ClientPool()
    assert pool.client("ssm", "prod", "eu-west-1").meta.endpoint_url == "http://127.0.0.1:4566"
    assert pool.client("ec2", "prod", "eu-west-1").meta.endpoint_url == "http://127.0.0.1:4567"


def test_clients_are_cached_per_profile_region_and_service() -> None:
    pool = ClientPool()
    ssm = pool.client("ssm", "prod", "eu-west-1")
    assert pool.client("ssm", "prod", "eu-west-1") is ssm
    assert pool.client("ssm", "prod", "us-east-1") is not ssm
    assert pool.client("ssm", "prod", "us-east-1").meta.region_name == "us-east-1"


def test_clients_of_one_profile_and_service_share_their_model_and_class() -> None:
    pool = ClientPool()
    east = pool.client("ec2", "prod", "us-east-1")
    west = pool.client("ec2", "prod", "eu-west-1")
    assert type(east) is type(west)
    assert east.meta.service_model is west.meta.service_model
    assert (east.meta.region_name, west.meta.region_name) == ("us-east-1", "eu-west-1")
    assert east.meta.endpoint_url != west.meta.endpoint_url
    ssm = pool.client("ssm", "prod", "us-east-1")
    assert type(ssm) is not type(east)
    assert hasattr(ssm, "describe_instance_information")
    assert not hasattr(ssm, "describe_instances")
    other = pool.client("ec2", "default", "us-east-1")
    assert type(other) is not type(east)  # another profile's session, its own class


def test_clients_built_outside_a_pool_are_botocores_own() -> None:
    pool = ClientPool()
    pooled = pool.client("ec2", "prod", "us-east-1")
    plain = pool.session("prod").client("ec2", region_name="us-east-1")
    assert type(plain) is not type(pooled)
    assert plain.meta.service_model is not pooled.meta.service_model


def test_profiles_sessions_share_one_model_loader() -> None:
    pool = ClientPool()
    loaders = {pool.session(p)._session.get_component("data_loader") for p in ("prod", None)}
    [loader] = loaders
    model = loader.load_service_model("ssm", "service-2")
    assert type(model) is dict and type(model["shapes"]) is dict  # no OrderedDicts
    assert model["metadata"]["serviceId"] == "SSM"

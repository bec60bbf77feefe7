"""DescribeInstanceInformation through boto3: fields, filters, pagination and their errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ssm_tui.emulator import EmulatorThread, generate_fleet
from tests.conftest import AwsEnv
from tests.emulator.conftest import Profile


def _nodes(session: boto3.Session, **kwargs: Any) -> list[Any]:
    pages = session.client("ssm").get_paginator("describe_instance_information").paginate(**kwargs)
    return [node for page in pages for node in page["InstanceInformationList"]]


def test_a_250_instance_fleet_pages_through_the_boto3_paginator(
    aws_env: AwsEnv, tmp_path: Path
) -> None:
    with EmulatorThread(fleet=generate_fleet(250, accounts=1, regions=1)) as server:
        aws_env(server)
        session = boto3.Session()
        ssm = session.client("ssm")
        first = ssm.describe_instance_information()
        assert len(first["InstanceInformationList"]) == 10  # AWS's default page size
        assert "NextToken" in first
        ids = [n["InstanceId"] for n in _nodes(session)]
        assert len(ids) == len(set(ids)) == 250
        big_pages = list(
            ssm.get_paginator("describe_instance_information").paginate(
                PaginationConfig={"PageSize": 50}
            )
        )
        assert [len(p["InstanceInformationList"]) for p in big_pages] == [50] * 5


def test_nodes_carry_the_real_fields(profile: Profile) -> None:
    node = _nodes(profile())[0]
    assert {
        "InstanceId",
        "PingStatus",
        "LastPingDateTime",
        "AgentVersion",
        "IsLatestVersion",
        "PlatformType",
        "PlatformName",
        "PlatformVersion",
        "ComputerName",
        "IPAddress",
        "ResourceType",
    } <= set(node)
    assert node["ResourceType"] == "EC2Instance"


def test_unmanaged_instances_are_not_listed(profile: Profile) -> None:
    names = {n["ComputerName"] for n in _nodes(profile())}
    assert len(names) == 12  # 13 prod instances in us-east-1, one without an agent


def test_ping_status_filter_finds_offline_nodes(profile: Profile) -> None:
    offline = _nodes(profile(), Filters=[{"Key": "PingStatus", "Values": ["ConnectionLost"]}])
    assert [n["PingStatus"] for n in offline] == ["ConnectionLost"]


def test_platform_filter_finds_the_windows_node(profile: Profile) -> None:
    nodes = _nodes(profile(), Filters=[{"Key": "PlatformTypes", "Values": ["Windows"]}])
    assert [n["PlatformName"] for n in nodes] == ["Microsoft Windows Server 2022 Datacenter"]


def test_instance_ids_filter_returns_exactly_those(profile: Profile) -> None:
    session = profile()
    wanted = [n["InstanceId"] for n in _nodes(session)][:2]
    nodes = _nodes(session, Filters=[{"Key": "InstanceIds", "Values": wanted}])
    assert [n["InstanceId"] for n in nodes] == wanted


def test_tag_filters_select_by_tag_value_and_key(profile: Profile) -> None:
    session = profile()
    web = _nodes(session, Filters=[{"Key": "tag:Role", "Values": ["web"]}])
    assert len(web) == 3
    assert len(_nodes(session, Filters=[{"Key": "tag-key", "Values": ["Team"]}])) == 12


def test_legacy_filter_list_still_works(profile: Profile) -> None:
    nodes = _nodes(
        profile(),
        InstanceInformationFilterList=[{"key": "PingStatus", "valueSet": ["Online"]}],
    )
    assert nodes and all(n["PingStatus"] == "Online" for n in nodes)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"Filters": [{"Key": "Colour", "Values": ["blue"]}]}, "InvalidFilterKey"),
        (
            {"Filters": [{"Key": "PingStatus", "Values": ["Sleepy"]}]},
            "InvalidInstanceInformationFilterValue",
        ),
        ({"Filters": [{"Key": "InstanceIds", "Values": ["web-1"]}]}, "InvalidInstanceId"),
        ({"NextToken": "not-a-token"}, "InvalidNextToken"),
        ({"MaxResults": 51}, "ValidationException"),
    ],
)
def test_bad_requests_fail_with_aws_codes(
    profile: Profile, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as caught:
        profile().client("ssm").describe_instance_information(**kwargs)
    assert caught.value.response["Error"]["Code"] == code


def test_each_account_and_region_has_its_own_fleet(profile: Profile) -> None:
    prod_us = {n["InstanceId"] for n in _nodes(profile("prod", "us-east-1"))}
    prod_eu = {n["InstanceId"] for n in _nodes(profile("prod", "eu-west-1"))}
    staging_us = {n["InstanceId"] for n in _nodes(profile("staging", "us-east-1"))}
    assert len(prod_eu) == 5 and len(staging_us) == 5
    assert not prod_us & prod_eu and not prod_us & staging_us
    assert _nodes(profile("staging", "sa-east-1")) == []

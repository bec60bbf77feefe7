"""EC2 DescribeInstances through boto3's EC2 parser: tags, filters, ids and pagination."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_tui.emulator import EmulatorServer
from tests.emulator.conftest import Profile, instance_id


def _instances(response: Any) -> list[Any]:
    return [i for r in response["Reservations"] for i in r["Instances"]]


def test_instances_carry_tags_state_type_ip_and_zone(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    target = instance_id(emulator_thread, "web-1")
    (instance,) = _instances(profile().client("ec2").describe_instances(InstanceIds=[target]))
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["Name"] == "web-1" and tags["Role"] == "web"
    assert instance["State"] == {"Code": 16, "Name": "running"}
    assert instance["InstanceType"] == "t3.small"
    assert instance["PrivateIpAddress"].startswith("10.")
    assert instance["Placement"]["AvailabilityZone"].startswith("us-east-1")
    assert instance["LaunchTime"].year >= 2023


def test_all_instances_of_the_region_are_listed_including_unmanaged(profile: Profile) -> None:
    assert len(_instances(profile().client("ec2").describe_instances())) == 13


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        ([{"Name": "tag:Role", "Values": ["web"]}], 3),
        ([{"Name": "tag:Name", "Values": ["worker-*"]}], 3),
        ([{"Name": "tag-key", "Values": ["Team"]}], 13),
        ([{"Name": "instance-state-name", "Values": ["running"]}], 13),
        ([{"Name": "instance-type", "Values": ["r6g.large"]}], 2),
        ([{"Name": "tag:Role", "Values": ["db"]}, {"Name": "tag:Name", "Values": ["*primary"]}], 1),
    ],
)
def test_filters_narrow_the_listing(profile: Profile, filters: Any, count: int) -> None:
    response = profile().client("ec2").describe_instances(Filters=filters)
    assert len(_instances(response)) == count


def test_instance_id_filter_and_stopped_state(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    target = instance_id(emulator_thread, "worker-eu-1")
    ec2 = profile("prod", "eu-west-1").client("ec2")
    (instance,) = _instances(
        ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [target]}])
    )
    assert instance["State"] == {"Code": 80, "Name": "stopped"}
    stopped = ec2.describe_instances(
        Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}]
    )
    assert [i["InstanceId"] for i in _instances(stopped)] == [target]


def test_paginator_walks_every_instance_in_pages(profile: Profile) -> None:
    paginator = profile().client("ec2").get_paginator("describe_instances")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    assert [len(_instances(p)) for p in pages] == [5, 5, 3]
    ids = [i["InstanceId"] for p in pages for i in _instances(p)]
    assert len(set(ids)) == 13


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"InstanceIds": ["i-00000000000000000"]}, "InvalidInstanceID.NotFound"),
        ({"InstanceIds": ["web-1"]}, "InvalidInstanceID.Malformed"),
        ({"Filters": [{"Name": "colour", "Values": ["blue"]}]}, "InvalidParameterValue"),
        ({"MaxResults": 5, "NextToken": "bogus"}, "InvalidPaginationToken"),
        ({"MaxResults": 2000}, "InvalidParameterValue"),
        ({"DryRun": True}, "DryRunOperation"),
    ],
)
def test_bad_requests_fail_with_ec2_codes(
    profile: Profile, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as caught:
        profile().client("ec2").describe_instances(**kwargs)
    assert caught.value.response["Error"]["Code"] == code

"""The fast DescribeInstances reader agrees with botocore's own parser on what discovery reads."""

from __future__ import annotations

import asyncio
from typing import Any

from ssm_tui.aws import ec2_slim
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.emulator import EmulatorServer
from tests.conftest import AwsEnv


def essentials(response: Any) -> tuple[list[tuple[str, str, int, list[Any]]], str | None]:
    instances = [
        (i["InstanceId"], i["State"]["Name"], i["State"]["Code"], i.get("Tags", []))
        for r in response["Reservations"]
        for i in r["Instances"]
    ]
    return instances, response.get("NextToken")


async def test_slim_results_match_botocores_for_ids_states_tags_and_token(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    ec2 = ClientPool().client("ec2", "prod", "us-east-1")
    ec2_slim.install(ec2)

    def both(**request: Any) -> tuple[Any, Any]:
        full = ec2.describe_instances(**request)
        with ec2_slim.slimmed():
            slim = ec2.describe_instances(**request)
        return full, slim

    full, slim = await asyncio.to_thread(both, MaxResults=5)
    assert essentials(slim) == essentials(full)
    assert slim["NextToken"]  # more than 5 instances: the token survives
    assert "ImageId" not in slim["Reservations"][0]["Instances"][0]
    full, slim = await asyncio.to_thread(both, NextToken=full["NextToken"], MaxResults=5)
    assert essentials(slim) == essentials(full)


async def test_outside_the_block_responses_are_untouched(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    ec2 = ClientPool().client("ec2", "prod", "us-east-1")
    ec2_slim.install(ec2)
    response = await asyncio.to_thread(ec2.describe_instances)
    assert "ImageId" in response["Reservations"][0]["Instances"][0]


def test_an_empty_result_has_no_reservations() -> None:
    body = (
        b'<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        b"<requestId>r-1</requestId><reservationSet/></DescribeInstancesResponse>"
    )
    reservations, rest = ec2_slim.read(body)
    assert reservations == []
    assert b"nextToken" not in rest

"""The fast DescribeInstanceInformation reader agrees with botocore's parser on what it reads."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser

from ssm_tui.aws import ssm_slim
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.emulator import EmulatorServer
from ssm_tui.emulator.demo_fleet import generate_fleet
from tests.conftest import AwsEnv

_OUTPUT = (
    botocore.session.get_session()
    .get_service_model("ssm")
    .operation_model("DescribeInstanceInformation")
    .output_shape
)


def botocore_parse(body: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = create_parser("json").parse(
        {"body": body, "headers": {}, "status_code": 200}, _OUTPUT
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def essentials(response: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, str | None]:
    nodes = response.get("InstanceInformationList")
    if nodes is not None:
        nodes = [{k: v for k, v in n.items() if k in ssm_slim.FIELDS} for n in nodes]
    return nodes, response.get("NextToken")


@pytest.mark.parametrize(
    "document",
    [
        {
            "InstanceInformationList": [
                {
                    "InstanceId": "i-0123456789abcdef0",
                    "PingStatus": "Online",
                    "LastPingDateTime": 1_700_000_000.5,
                    "AgentVersion": "3.3.1142.0",
                    "IsLatestVersion": True,
                    "PlatformType": "Linux",
                    "PlatformName": "Amazon Linux",
                    "IPAddress": "10.0.0.1",
                    "ComputerName": "ip-10-0-0-1.ec2.internal",
                    "Unmodelled": "dropped",
                },
                {"InstanceId": "mi-0123456789abcdef0", "Name": "on-prem", "IPAddress": None},
                {"InstanceId": "i-00000000000000001", "ComputerName": "", "PlatformName": "é ✓"},
            ],
            "NextToken": "eyJvIjogNTB9",
        },
        {"InstanceInformationList": []},
        {"NextToken": "abc"},
        {"InstanceInformationList": None, "NextToken": None},
        {},
    ],
)
def test_slim_results_match_botocores_parser(document: dict[str, Any]) -> None:
    body = json.dumps(document).encode()
    full = botocore_parse(body)
    nodes, rest = ssm_slim.read(body)
    slim = botocore_parse(rest)
    if nodes is not None:
        slim["InstanceInformationList"] = nodes
    assert essentials(slim) == essentials(full)
    assert set(slim) <= {"InstanceInformationList", "NextToken"}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"InstanceInformationList": {}}',
        b'{"InstanceInformationList": [1]}',
        b'{"InstanceInformationList": [{"InstanceId": 5}]}',
        b'{"NextToken": 5}',
    ],
)
def test_anything_unexpected_is_left_to_botocore(body: bytes) -> None:
    with pytest.raises(ValueError):
        ssm_slim.read(body)
    response = {"status_code": 200, "body": body}
    customized: dict[str, Any] = {}
    with ssm_slim.slimmed():
        ssm_slim._HOOK.read_response(response, customized)
    assert response["body"] == body and customized == {}


async def test_slim_pages_match_botocores_through_the_emulator(aws_env: AwsEnv) -> None:
    fleet = generate_fleet(120, accounts=1, regions=1)
    async with EmulatorServer(fleet) as server:
        aws_env(server)
        account = fleet.accounts[0]
        ssm = ClientPool().client("ssm", account.name, account.regions[0])
        ssm_slim.install(ssm)

        def both(**request: Any) -> tuple[Any, Any]:
            full = ssm.describe_instance_information(**request)
            with ssm_slim.slimmed():
                slim = ssm.describe_instance_information(**request)
            return full, slim

        full, slim = await asyncio.to_thread(both, MaxResults=50)
        assert essentials(slim) == essentials(full)
        assert len(slim["InstanceInformationList"]) == 50 and slim["NextToken"]
        assert "LastPingDateTime" not in slim["InstanceInformationList"][0]
        assert slim["ResponseMetadata"]["HTTPStatusCode"] == 200
        full, slim = await asyncio.to_thread(both, MaxResults=50, NextToken=full["NextToken"])
        assert essentials(slim) == essentials(full)
        # Outside the block the client answers in full.
        plain = await asyncio.to_thread(ssm.describe_instance_information, MaxResults=5)
        assert "LastPingDateTime" in plain["InstanceInformationList"][0]

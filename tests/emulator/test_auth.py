"""Signatures, access keys and IAM refusals answered in each service's own error shape."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ssm_tui.emulator import EmulatorServer, EmulatorThread, demo_fleet
from ssm_tui.emulator.demo_fleet import PROD
from tests.conftest import AwsEnv

CALLS: dict[str, Callable[[Any], object]] = {
    "ssm": lambda c: c.describe_instance_information(),
    "ec2": lambda c: c.describe_instances(),
    "sts": lambda c: c.get_caller_identity(),
    "kms": lambda c: c.decrypt(CiphertextBlob=b"x" * 16),
}


def _client(server: EmulatorServer, service: str, key: str, secret: str) -> Any:
    return boto3.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
    ).client(service, endpoint_url=server.endpoint_url)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("ssm", "InvalidSignatureException", 400),
        ("kms", "InvalidSignatureException", 400),
        ("sts", "SignatureDoesNotMatch", 403),
        ("ec2", "SignatureDoesNotMatch", 403),
    ],
)
def test_wrong_secret_is_refused(
    emulator_thread: EmulatorServer, service: str, code: str, status: int
) -> None:
    client = _client(emulator_thread, service, PROD.access_key_id, "not-the-secret")
    with pytest.raises(ClientError) as caught:
        CALLS[service](client)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize(
    ("service", "code"),
    [
        ("ssm", "UnrecognizedClientException"),
        ("kms", "UnrecognizedClientException"),
        ("sts", "InvalidClientTokenId"),
        ("ec2", "AuthFailure"),
    ],
)
def test_unknown_access_key_is_refused(
    emulator_thread: EmulatorServer, service: str, code: str
) -> None:
    client = _client(emulator_thread, service, "AKIAUNKNOWN000000000", "whatever")
    with pytest.raises(ClientError) as caught:
        CALLS[service](client)
    assert caught.value.response["Error"]["Code"] == code


def test_unsigned_request_is_missing_authentication(emulator_thread: EmulatorServer) -> None:
    request = urllib.request.Request(
        emulator_thread.endpoint_url,
        data=b"{}",
        headers={
            "X-Amz-Target": "AmazonSSM.DescribeInstanceInformation",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with pytest.raises(urllib.request.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 400
    assert b"MissingAuthenticationTokenException" in caught.value.read()


@pytest.mark.parametrize(
    ("service", "code"),
    [("ssm", "AccessDeniedException"), ("sts", "AccessDenied"), ("ec2", "UnauthorizedOperation")],
)
def test_denied_actions_are_refused_like_iam(aws_env: AwsEnv, service: str, code: str) -> None:
    fleet = demo_fleet()
    denied = frozenset(
        {"ssm:DescribeInstanceInformation", "sts:GetCallerIdentity", "ec2:DescribeInstances"}
    )
    fleet.accounts[0] = replace(fleet.accounts[0], denied_actions=denied)
    with EmulatorThread(fleet=fleet) as server:
        aws_env(server)
        with pytest.raises(ClientError) as caught:
            CALLS[service](boto3.Session().client(service))  # type: ignore[call-overload]
    assert caught.value.response["Error"]["Code"] == code
    assert "not authorized to perform" in caught.value.response["Error"]["Message"]

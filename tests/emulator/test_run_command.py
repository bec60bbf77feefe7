"""SSM Run Command through boto3: real commands on this machine, statuses, paging and errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from ssm_tui.emulator import Account, EmulatorThread, Fleet
from tests.conftest import AwsEnv
from tests.local_fleet import SmallFleet

ACCOUNT = Account(
    name="runcmd",
    account_id="333344445555",
    access_key_id="AKIARUNCOMMANDTEST01",
    secret_access_key="run/command+secret/00000000000000000000",
    regions=("eu-west-1",),
)
_FLEET = SmallFleet(ACCOUNT, "11111111-2222-3333-4444-555555555555")
WEB = [f"i-0{n:016x}" for n in range(1, 8)]
DB = "i-0d00000000000000d"
DARK = "i-0e00000000000000e"
WINDOWS = "i-0f00000000000000f"
FINAL = {"Success", "Failed", "TimedOut", "Cancelled"}


def _fleet() -> Fleet:
    web = [_FLEET.instance(i, f"web-{n}") for n, i in enumerate(WEB, 1)]
    for instance in web:
        instance.tags["Role"] = "web"
    return _FLEET.build(
        [
            *web,
            _FLEET.instance(DB, "db-1"),
            _FLEET.instance(DARK, "dark-1", ping_status="ConnectionLost"),
            _FLEET.instance(WINDOWS, "win-1", platform_type="Windows"),
        ]
    )


@pytest.fixture
def ssm(aws_env: AwsEnv) -> Iterator[Any]:
    with EmulatorThread(fleet=_fleet()) as server:
        aws_env(server)
        yield boto3.Session(profile_name=ACCOUNT.name).client("ssm")


def _send(ssm: Any, commands: list[str], ids: list[str], **extra: Any) -> str:
    response = ssm.send_command(
        InstanceIds=ids,
        DocumentName="AWS-RunShellScript",
        Parameters={"commands": commands, **extra.pop("parameters", {})},
        **extra,
    )
    return str(response["Command"]["CommandId"])


def _wait(ssm: Any, command_id: str, instance_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result: dict[str, Any] = ssm.get_command_invocation(
            CommandId=command_id, InstanceId=instance_id
        )
        if result["Status"] in FINAL:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{instance_id} never finished {command_id}")


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_each_instance_runs_the_script_and_reports_its_own_output(ssm: Any) -> None:
    command_id = _send(ssm, ["echo on $AWS_SSM_INSTANCE_ID", "pwd"], [WEB[0], DB])
    for instance_id in (WEB[0], DB):
        result = _wait(ssm, command_id, instance_id)
        assert result["Status"] == "Success"
        assert result["ResponseCode"] == 0
        lines = result["StandardOutputContent"].splitlines()
        assert lines[0] == f"on {instance_id}"
        assert lines[1].endswith(instance_id)  # each instance has its own home
        assert result["ExecutionElapsedTime"].startswith("PT")


def test_a_failing_script_is_failed_with_its_exit_code_and_stderr(ssm: Any) -> None:
    command_id = _send(ssm, ["echo out", "echo oops >&2", "exit 3"], [DB])
    result = _wait(ssm, command_id, DB)
    assert (result["Status"], result["StatusDetails"], result["ResponseCode"]) == (
        "Failed",
        "Failed",
        3,
    )
    assert (result["StandardOutputContent"], result["StandardErrorContent"]) == ("out\n", "oops\n")


def test_the_boto3_waiter_sees_the_command_executed(ssm: Any) -> None:
    command_id = _send(ssm, ["true"], [DB])
    ssm.get_waiter("command_executed").wait(
        CommandId=command_id, InstanceId=DB, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )


def test_targets_by_tag_reach_every_tagged_instance_and_page_through_invocations(
    ssm: Any,
) -> None:
    response = ssm.send_command(
        Targets=[{"Key": "tag:Role", "Values": ["web"]}],
        DocumentName="AWS-RunShellScript",
        Parameters={"commands": ["echo $AWS_SSM_INSTANCE_ID"]},
    )
    command = response["Command"]
    assert command["TargetCount"] == len(WEB)
    for instance_id in WEB:
        _wait(ssm, command["CommandId"], instance_id)
    pages = list(
        ssm.get_paginator("list_command_invocations").paginate(
            CommandId=command["CommandId"], Details=True, PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(p["CommandInvocations"]) for p in pages] == [3, 3, 1]
    invocations = [i for p in pages for i in p["CommandInvocations"]]
    assert sorted(i["InstanceId"] for i in invocations) == sorted(WEB)
    for invocation in invocations:
        (plugin,) = invocation["CommandPlugins"]
        assert plugin["Name"] == "aws:runShellScript"
        assert plugin["Output"] == invocation["InstanceId"] + "\n"
        assert plugin["ResponseCode"] == 0
    listed = ssm.list_commands(CommandId=command["CommandId"])["Commands"]
    assert listed[0]["Status"] == "Success"
    assert listed[0]["CompletedCount"] == len(WEB)


def test_output_is_cut_like_aws_in_each_api(ssm: Any) -> None:
    command_id = _send(ssm, ["head -c 30000 /dev/zero | tr '\\0' x", "echo bad >&2"], [DB])
    result = _wait(ssm, command_id, DB)
    assert result["StandardOutputContent"] == "x" * 24000
    (invocation,) = ssm.list_command_invocations(CommandId=command_id, Details=True)[
        "CommandInvocations"
    ]
    assert invocation["CommandPlugins"][0]["Output"] == "x" * 2500


def test_stderr_follows_stdout_in_the_plugin_output(ssm: Any) -> None:
    command_id = _send(ssm, ["echo fine", "echo bad >&2"], [DB])
    _wait(ssm, command_id, DB)
    (invocation,) = ssm.list_command_invocations(CommandId=command_id, Details=True)[
        "CommandInvocations"
    ]
    assert invocation["CommandPlugins"][0]["Output"] == "fine\n\n----------ERROR-------\nbad\n"


def test_a_script_past_its_execution_timeout_is_timed_out(ssm: Any) -> None:
    command_id = _send(ssm, ["sleep 20"], [DB], parameters={"executionTimeout": ["1"]})
    result = _wait(ssm, command_id, DB)
    assert (result["Status"], result["StatusDetails"]) == ("TimedOut", "ExecutionTimedOut")


def test_cancel_command_stops_a_running_script(ssm: Any) -> None:
    command_id = _send(ssm, ["sleep 30"], [DB, WEB[0]])
    deadline = time.monotonic() + 20
    while ssm.get_command_invocation(CommandId=command_id, InstanceId=DB)["Status"] == "Pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    ssm.cancel_command(CommandId=command_id)
    assert _wait(ssm, command_id, DB)["Status"] == "Cancelled"
    assert _wait(ssm, command_id, WEB[0])["Status"] == "Cancelled"
    assert ssm.list_commands(CommandId=command_id)["Commands"][0]["Status"] == "Cancelled"


def test_an_offline_instance_waits_for_delivery_and_a_windows_one_fails(ssm: Any) -> None:
    command_id = _send(ssm, ["true"], [DARK, WINDOWS])
    result = _wait(ssm, command_id, WINDOWS)
    assert (result["Status"], result["StatusDetails"]) == ("Failed", "InvalidPlatform")
    dark = ssm.get_command_invocation(CommandId=command_id, InstanceId=DARK)
    assert (dark["Status"], dark["StatusDetails"]) == ("Pending", "Pending")


def test_an_unknown_invocation_is_invocation_does_not_exist(ssm: Any) -> None:
    command_id = _send(ssm, ["true"], [DB])
    with pytest.raises(ClientError) as error:
        ssm.get_command_invocation(CommandId=command_id, InstanceId=WEB[1])
    assert _code(error) == "InvocationDoesNotExist"
    with pytest.raises(ClientError) as error:
        ssm.get_command_invocation(CommandId="0" * 36, InstanceId=DB)
    assert _code(error) == "InvocationDoesNotExist"


@pytest.mark.parametrize(
    ("request_fields", "code"),
    [
        ({"DocumentName": "AWS-RunPowerShellScript"}, "InvalidDocument"),
        ({"Parameters": {"commands": []}}, "InvalidParameters"),
        ({"Parameters": {"commands": ["true"], "bogus": ["1"]}}, "InvalidParameters"),
        ({"InstanceIds": ["i-0999999999999999f"]}, "InvalidInstanceId"),
        ({"InstanceIds": [DB, DB]}, "DuplicateInstanceId"),
        ({"InstanceIds": [f"i-0{n:016x}" for n in range(51)]}, "ValidationException"),
        ({"MaxConcurrency": "0"}, "ValidationException"),
    ],
)
def test_bad_send_command_requests_get_aws_error_codes(
    ssm: Any, request_fields: dict[str, Any], code: str
) -> None:
    request: dict[str, Any] = {
        "InstanceIds": [DB],
        "DocumentName": "AWS-RunShellScript",
        "Parameters": {"commands": ["true"]},
        **request_fields,
    }
    with pytest.raises(ClientError) as error:
        ssm.send_command(**request)
    assert _code(error) == code


def test_a_bad_next_token_is_refused(ssm: Any) -> None:
    with pytest.raises(ClientError) as error:
        ssm.list_command_invocations(NextToken="not-a-token")
    assert _code(error) == "InvalidNextToken"


def test_every_answer_has_only_fields_of_botocores_model(ssm: Any) -> None:
    raw: dict[str, Any] = {}

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        raw[model.name] = (json.loads(http_response.content), model.output_shape)

    ssm.meta.events.register("after-call.ssm.*", keep)
    command_id = _send(ssm, ["echo hi", "echo err >&2"], [DB], Comment="shape check")
    _wait(ssm, command_id, DB)
    ssm.list_commands(CommandId=command_id)
    ssm.list_command_invocations(CommandId=command_id, Details=True)
    ssm.cancel_command(CommandId=command_id)
    assert set(raw) >= {
        "SendCommand",
        "GetCommandInvocation",
        "ListCommands",
        "ListCommandInvocations",
        "CancelCommand",
    }
    for name, (body, shape) in raw.items():
        report = ParamValidator().validate(body, shape)
        assert not report.has_errors(), f"{name}: {report.generate_report()}"


def test_a_background_child_holding_the_output_open_does_not_hang_the_invocation(
    ssm: Any,
) -> None:
    command_id = _send(ssm, ["sleep 60 &", "echo done"], [DB])
    result = _wait(ssm, command_id, DB)
    assert (result["Status"], result["StandardOutputContent"]) == ("Success", "done\n")

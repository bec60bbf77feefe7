"""The AWS CLI (from its own venv, built by scripts/awscli-venv) as a second client."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ssm_tui.emulator import EmulatorServer
from tests.awscli_venv import build_aws_cli
from tests.conftest import AwsEnv


@pytest.fixture(scope="module")
def aws_cli() -> Path:
    """The ``aws`` executable of .venv-awscli, created on first use (needs the package index)."""
    return build_aws_cli()


def _aws(aws_cli: Path, env: dict[str, str], *args: str) -> object:
    result = subprocess.run(
        [str(aws_cli), *args, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_aws_cli_lists_nodes_and_instances(
    aws_cli: Path, emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    nodes = _aws(aws_cli, env, "ssm", "describe-instance-information")
    assert isinstance(nodes, dict)
    assert len(nodes["InstanceInformationList"]) == 12  # the CLI follows NextToken itself
    reservations = _aws(
        aws_cli,
        env,
        "ec2",
        "describe-instances",
        "--filters",
        "Name=tag:Role,Values=web",
        "--profile",
        "staging",
    )
    assert isinstance(reservations, dict)
    names = {
        tag["Value"]
        for r in reservations["Reservations"]
        for i in r["Instances"]
        for tag in i["Tags"]
        if tag["Key"] == "Name"
    }
    assert names == {"web-stg-1"}


@pytest.mark.slow
def test_aws_cli_runs_a_command_and_reads_its_output(
    aws_cli: Path, emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    sent = _aws(
        aws_cli,
        env,
        "ssm",
        "send-command",
        "--document-name",
        "AWS-RunShellScript",
        "--targets",
        "Key=tag:Name,Values=web-1",
        "--parameters",
        "commands=echo hello from $AWS_SSM_INSTANCE_ID",
    )
    assert isinstance(sent, dict)
    command_id = sent["Command"]["CommandId"]
    instance_id = next(i.instance_id for i in emulator_thread.fleet.instances if i.name == "web-1")
    subprocess.run(
        [
            str(aws_cli),
            "ssm",
            "wait",
            "command-executed",
            "--command-id",
            command_id,
            "--instance-id",
            instance_id,
        ],
        env=env,
        check=True,
        timeout=120,
    )
    result = _aws(
        aws_cli,
        env,
        "ssm",
        "get-command-invocation",
        "--command-id",
        command_id,
        "--instance-id",
        instance_id,
    )
    assert isinstance(result, dict)
    assert (result["Status"], result["ResponseCode"]) == ("Success", 0)
    assert result["StandardOutputContent"] == f"hello from {instance_id}\n"

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

"""``ssm-tui list``: table, JSON, filter and one-line errors, run as a real subprocess."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.cli.list_command import format_table
from ssm_tui.emulator import EmulatorServer
from tests.conftest import AwsEnv


def ssm_tui(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ssm_tui args`` with ``env`` on top of ours (an empty value unsets)."""
    merged = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "ssm_tui", *args],
        env={k: v for k, v in merged.items() if v},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """AWS files with dummy keys and an endpoint where nothing listens (port 9, discard)."""
    (tmp_path / "config").write_text(
        "[default]\nregion = us-east-1\n\n[profile noregion]\noutput = json\n"
    )
    (tmp_path / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
        "[noregion]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
    )
    return {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_PROFILE": "",
        "AWS_REGION": "",
        "AWS_DEFAULT_REGION": "",
        "AWS_MAX_ATTEMPTS": "1",
    }


def test_table_columns_are_aligned_and_unnamed_nodes_show_a_dash() -> None:
    nodes = [
        ManagedNode(
            instance_id="i-0123456789abcdef0",
            profile="prod",
            region="eu-west-1",
            name="web-1",
            platform_type="Linux",
            ping_status="Online",
            agent_version="3.3.1142.0",
            ip_address="10.0.0.1",
        ),
        ManagedNode(instance_id="mi-0aaaabbbbccccdddd", profile=None, region="us-east-1"),
    ]
    lines = format_table(nodes).splitlines()
    assert lines[0].split() == [
        "Name", "InstanceId", "Profile", "Region", "Platform", "Ping", "Agent", "IP"
    ]  # fmt: skip
    assert lines[1].split() == [
        "web-1", "i-0123456789abcdef0", "prod", "eu-west-1", "Linux", "Online", "3.3.1142.0",
        "10.0.0.1",
    ]  # fmt: skip
    assert lines[2].split()[:4] == ["-", "mi-0aaaabbbbccccdddd", "default", "us-east-1"]
    assert lines[0].index("InstanceId") == lines[1].index("i-01") == lines[2].index("mi-0")


def test_control_characters_in_a_name_cannot_break_the_table() -> None:
    node = ManagedNode(instance_id="i-0123456789abcdef0", profile="p", region="r", name="a\nb\x1b")
    assert len(format_table([node]).splitlines()) == 2


def test_unreachable_endpoint_is_one_error_line_and_a_failure(offline_env: dict[str, str]) -> None:
    result = ssm_tui(["list"], offline_env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "ssm-tui: default/us-east-1: cannot reach http://127.0.0.1:9/\n"


def test_a_profile_without_a_region_is_a_clear_error(offline_env: dict[str, str]) -> None:
    result = ssm_tui(["list", "--profile", "noregion"], offline_env)
    assert result.returncode == 1
    assert result.stderr == (
        "ssm-tui: no region for profile noregion: pass --region, set AWS_REGION, "
        "or set `region` in the AWS config\n"
    )


def test_an_unknown_profile_is_a_clear_error(offline_env: dict[str, str]) -> None:
    result = ssm_tui(["list", "--profile", "nope", "--region", "eu-west-1"], offline_env)
    assert result.returncode == 1
    assert result.stderr == (
        "ssm-tui: nope/eu-west-1: profile nope is not in the AWS config "
        "(see `aws configure list-profiles`)\n"
    )


# --- against the local fleet ---------------------------------------------------------------


def managed(server: EmulatorServer, profile: str, region: str) -> set[str]:
    account = server.fleet.account_named(profile)
    assert account is not None
    return {
        i.instance_id for i in server.fleet.instances_in(account.account_id, region) if i.managed
    }


def test_list_prints_a_table_of_every_pair(
    emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    args = ["list", "--profile", "prod", "--profile", "staging", "--region", "us-east-1"]
    result = ssm_tui([*args, "--region", "us-west-2"], env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    header, *rows = result.stdout.splitlines()
    assert header.split() == [
        "Name",
        "InstanceId",
        "Profile",
        "Region",
        "Platform",
        "Ping",
        "Agent",
        "IP",
    ]
    ids = {row.split()[1] for row in rows}
    assert ids == (
        managed(emulator_thread, "prod", "us-east-1")
        | managed(emulator_thread, "staging", "us-east-1")
        | managed(emulator_thread, "staging", "us-west-2")
    )
    web = next(row.split() for row in rows if row.startswith("web-1 "))
    assert web[2:6] == ["prod", "us-east-1", "Linux", "Online"]


def test_list_json_has_tags_for_scripts(emulator_thread: EmulatorServer, aws_env: AwsEnv) -> None:
    env = aws_env(emulator_thread, apply=False)
    result = ssm_tui(["list", "--profile", "prod", "--region", "eu-west-1", "--json"], env)
    assert result.returncode == 0, result.stderr
    nodes = json.loads(result.stdout)
    assert {n["instance_id"] for n in nodes} == managed(emulator_thread, "prod", "eu-west-1")
    db = next(n for n in nodes if n["name"] == "db-eu-1")
    assert db["tags"]["Role"] == "db"
    assert db["profile"] == "prod"
    assert db["region"] == "eu-west-1"
    assert db["ping_status"] == "Online"
    assert db["state"] == "running"


def test_list_filter_narrows_the_rows(emulator_thread: EmulatorServer, aws_env: AwsEnv) -> None:
    env = aws_env(emulator_thread, apply=False)
    result = ssm_tui(
        [
            "list",
            "--profile",
            "prod",
            "--region",
            "us-east-1",
            "--filter",
            "tag:role=worker !win",
            "--json",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(n["name"] for n in json.loads(result.stdout)) == [
        "worker-1",
        "worker-2",
        "worker-3",
    ]


def test_list_without_options_uses_the_default_profile_and_region(
    emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    result = ssm_tui(["list", "--json"], env)
    assert result.returncode == 0, result.stderr
    assert {n["instance_id"] for n in json.loads(result.stdout)} == managed(
        emulator_thread, "prod", "us-east-1"
    )


def deny_listing(server: EmulatorServer, profile: str) -> None:
    """Make the account behind ``profile`` refuse ssm:DescribeInstanceInformation."""
    accounts = server.fleet.accounts
    index = next(i for i, account in enumerate(accounts) if account.name == profile)
    accounts[index] = dataclasses.replace(
        accounts[index], denied_actions=frozenset({"ssm:DescribeInstanceInformation"})
    )


def test_a_failing_pair_is_one_line_while_the_others_list(
    emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    deny_listing(emulator_thread, "staging")
    result = ssm_tui(
        ["list", "--profile", "prod", "--profile", "staging", "--region", "us-east-1"], env
    )
    assert result.returncode == 0
    assert result.stderr.startswith(
        "ssm-tui: staging/us-east-1: access denied: profile staging may not call "
        "ssm:DescribeInstanceInformation in us-east-1"
    )
    assert result.stderr.count("\n") == 1
    assert "web-1" in result.stdout


def test_every_pair_failing_exits_non_zero(
    emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    deny_listing(emulator_thread, "prod")
    result = ssm_tui(
        ["list", "--profile", "prod", "--region", "us-east-1", "--region", "eu-west-1"], env
    )
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 2
    assert "Traceback" not in result.stderr


def test_an_empty_result_says_so_on_stderr(
    emulator_thread: EmulatorServer, aws_env: AwsEnv
) -> None:
    env = aws_env(emulator_thread, apply=False)
    result = ssm_tui(["list", "--profile", "prod", "--region", "eu-west-1", "--filter", "zzz"], env)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == "ssm-tui: no managed nodes match the filter in prod/eu-west-1\n"

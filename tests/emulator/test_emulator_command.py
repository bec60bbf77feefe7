"""``ssm-tui emulator`` as a user runs it: a subprocess whose exports any AWS client can eval."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssm_tui.emulator.client_config import CLEARED_VARIABLES

_IDENTITY = (
    "import boto3; s = boto3.Session(); "
    "print(s.client('sts').get_caller_identity()['Account'], "
    "len(s.client('ssm').describe_instance_information(MaxResults=50)"
    "['InstanceInformationList']))"
)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
    env.pop("AWS_ENDPOINT_URL", None)
    return env


def _emulator(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ssm_tui", "emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """A started ``ssm-tui emulator`` and the lines it printed before its banner."""
    process = _emulator()
    assert process.stdout is not None and process.stderr is not None
    banner = process.stderr.readline()
    assert "ssm-tui emulator:" in banner and "Ctrl-C" in banner, banner
    os.set_blocking(process.stdout.fileno(), False)
    lines = (process.stdout.read() or "").splitlines()
    yield process, lines
    if process.poll() is None:
        process.kill()
        process.wait()


def test_prints_export_lines_for_a_shell_to_eval(
    running: tuple[subprocess.Popen[str], list[str]],
) -> None:
    _, lines = running
    names = [line.split("=", 1)[0].removeprefix("export ") for line in lines]
    assert lines and all(line.startswith("export ") for line in lines)
    assert {
        "AWS_ENDPOINT_URL",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_DEFAULT_REGION",
    } <= set(names)
    assert any(line.startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:") for line in lines)


def test_evaluated_exports_let_boto3_reach_each_profile(
    running: tuple[subprocess.Popen[str], list[str]],
) -> None:
    _, lines = running
    script = "\n".join(
        [
            *lines,
            f'python -c "{_IDENTITY}"',
            f'AWS_PROFILE=staging python -c "{_IDENTITY}"',
        ]
    )
    env = _clean_env()
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["111122223333 12", "444455556666 5"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_cleanly(
    running: tuple[subprocess.Popen[str], list[str]], signum: int
) -> None:
    process, lines = running
    config = next(line for line in lines if "AWS_CONFIG_FILE" in line).split("=", 1)[1]
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Traceback" not in stderr
    assert not Path(config.strip("'")).exists()  # the written files go with it


def test_a_taken_port_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _emulator("--port", str(taken.getsockname()[1]))
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "cannot listen" in stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--faults", "drop=7"], "--faults: drop=7"),
        (["--fleet", "/nonexistent/fleet.toml"], "--fleet: /nonexistent/fleet.toml"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args: list[str], needle: str) -> None:
    process = _emulator(*args)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert len(stderr.strip().splitlines()) == 1 and needle in stderr

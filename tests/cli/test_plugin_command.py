"""``ssm-tui-session-manager-plugin``: the plugin's command line, and ``aws ssm start-session``."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from ssm_tui.cli.plugin_command import main, runner_for
from ssm_tui.cli.plugin_request import PLUGIN_VERSION, PluginRequest, parse_request
from ssm_tui.cli.runtime import CliError
from ssm_tui.emulator import EmulatorServer
from tests.awscli_venv import build_aws_cli
from tests.conftest import AwsEnv
from tests.loopback import free_port
from tests.sessions.cli_process import spawn_in_pty

RESPONSE = {"SessionId": "alice-0123", "TokenValue": "AAEAAsecret", "StreamUrl": "ws://x/y"}
REQUEST = {
    "Target": "i-0123456789abcdef0",
    "DocumentName": "AWS-StartPortForwardingSession",
    "Parameters": {"portNumber": ["80"], "localPortNumber": ["0"]},
}
ENDPOINT = "http://127.0.0.1:4566"
PLUGIN = Path(sys.executable).parent / "ssm-tui-session-manager-plugin"


def _args(response: str, *, request: object = REQUEST) -> list[str]:
    return [response, "eu-west-1", "StartSession", "prod", json.dumps(request), ENDPOINT]


# -- the command line ------------------------------------------------------------------


def test_the_response_json_in_argv_gives_ticket_region_profile_and_document() -> None:
    request = parse_request(_args(json.dumps(RESPONSE)), environ={})
    assert request.ticket.session_id == "alice-0123"
    assert request.ticket.token_value == "AAEAAsecret"
    assert request.ticket.stream_url == "ws://x/y"
    assert (request.region, request.profile) == ("eu-west-1", "prod")
    assert request.endpoint_url == ENDPOINT
    assert request.target == "i-0123456789abcdef0"
    assert request.document == "AWS-StartPortForwardingSession"
    assert request.parameter("portNumber") == "80"
    assert request.parameter("host", "none") == "none"


def test_the_response_can_come_from_the_environment_variable_which_is_then_unset() -> None:
    environ = {"AWS_SSM_START_SESSION_RESPONSE": json.dumps(RESPONSE), "HOME": "/h"}
    request = parse_request(_args("AWS_SSM_START_SESSION_RESPONSE"), environ=environ)
    assert request.ticket.session_id == "alice-0123"
    assert environ == {"HOME": "/h"}


def test_a_missing_response_variable_is_an_error() -> None:
    with pytest.raises(CliError, match="AWS_SSM_START_SESSION_RESPONSE_2 is not set"):
        parse_request(_args("AWS_SSM_START_SESSION_RESPONSE_2"), environ={})


def test_the_legacy_three_argument_form_has_no_profile_target_or_endpoint() -> None:
    request = parse_request([json.dumps(RESPONSE), "us-east-1", "StartSession"], environ={})
    assert (request.profile, request.target, request.endpoint_url) == (None, "", None)
    assert request.document == ""


def test_an_empty_profile_means_the_default_chain() -> None:
    args = _args(json.dumps(RESPONSE))
    args[3] = ""
    assert parse_request(args, environ={}).profile is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{}", "us-east-1", "ResumeSession"], "Unknown operation ResumeSession"),
        (["{}", "us-east-1"], "expected 3 to 6 arguments"),
        (["not json", "us-east-1", "StartSession"], "StartSession response: not valid JSON"),
        (['{"SessionId": "s"}', "us-east-1", "StartSession"], "no TokenValue, StreamUrl"),
        (_args(json.dumps(RESPONSE), request=[1]), "request parameters: expected a JSON object"),
        (_args(json.dumps(RESPONSE), request={"Target": 7}), "Target"),
    ],
)
def test_bad_command_lines_say_what_is_wrong(args: list[str], message: str) -> None:
    with pytest.raises(CliError, match=message):
        parse_request(args, environ={})


def test_no_arguments_says_the_plugin_is_installed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "installed successfully" in capsys.readouterr().out


def test_version_makes_the_aws_cli_use_the_environment_variable_without_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--version"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == PLUGIN_VERSION
    parts = [int(p) for p in printed.split(".")]
    assert parts > [1, 2, 497, 0]  # the CLI's switch to AWS_SSM_START_SESSION_RESPONSE
    assert parts >= [1, 2, 764, 0]  # the CLI's recommended minimum


def test_a_bad_command_line_is_one_stderr_line_and_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["{}", "us-east-1", "Nope"]) == 1
    assert capsys.readouterr().err == "ssm-tui: Unknown operation Nope\n"


@pytest.mark.parametrize(
    ("document", "runner"),
    [
        ("", "_shell"),
        ("SSM-SessionManagerRunShell", "_shell"),
        ("AWS-StartInteractiveCommand", "_shell"),
        ("AWS-StartNonInteractiveCommand", "_exec"),
        ("AWS-StartPortForwardingSession", "_forward"),
        ("AWS-StartPortForwardingSessionToRemoteHost", "_forward"),
        ("arn:aws:ssm:us-east-1::document/AWS-StartSSHSession", "_proxy"),
    ],
)
def test_the_document_picks_how_the_session_runs(document: str, runner: str) -> None:
    request = PluginRequest(
        ticket=parse_request(_args(json.dumps(RESPONSE)), environ={}).ticket,
        region="us-east-1",
        document_name=document or None,
    )
    assert runner_for(request.document).__name__ == runner


# -- the real AWS CLI against the local fleet ------------------------------------------------


@pytest.fixture(scope="module")
def aws_cli() -> Path:
    """The ``aws`` executable of .venv-awscli (the test is skipped if it cannot be built)."""
    if not PLUGIN.exists():
        pytest.skip(f"{PLUGIN.name} is not installed: pip install -e .")
    return build_aws_cli()


@pytest.fixture
def cli_env(emulator: EmulatorServer, aws_env: AwsEnv, tmp_path: Path) -> dict[str, str]:
    """The emulator's client environment, with our plugin on PATH as session-manager-plugin."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "session-manager-plugin").symlink_to(PLUGIN)
    env = aws_env(emulator, apply=False)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _web_1(server: EmulatorServer) -> str:
    return next(i.instance_id for i in server.fleet.instances if i.name == "web-1")


def _start_session(aws_cli: Path, target: str, *args: str) -> list[str]:
    return [str(aws_cli), "ssm", "start-session", "--target", target, *args]


@pytest.mark.slow
async def test_aws_cli_runs_a_command_through_our_plugin(
    aws_cli: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    command = _start_session(
        aws_cli,
        _web_1(emulator),
        "--document-name",
        "AWS-StartNonInteractiveCommand",
        "--parameters",
        'command="echo hi"',
    )
    process = await asyncio.create_subprocess_exec(
        *command,
        env=cli_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert re.search(rb"\nStarting session with SessionId: \S+\n", out)
    assert b"hi\n" in out


@pytest.mark.slow
async def test_aws_cli_shell_runs_in_a_real_terminal(
    aws_cli: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    child = await spawn_in_pty(cli_env, command=_start_session(aws_cli, _web_1(emulator)))
    try:
        await child.expect_text(b"Starting session with SessionId", timeout=60)
        await child.expect_text(b"web-1")  # the remote prompt
        child.type(b"echo $((6*7))\r")
        await child.expect_text(b"42")
        child.type(b"exit\r")
        assert await child.wait() == 0
        await child.expect_text(b"Exiting session with sessionId")
    finally:
        child.close()


@pytest.mark.slow
async def test_aws_cli_forwards_a_port_until_interrupted(
    aws_cli: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    local = free_port()
    process = await asyncio.create_subprocess_exec(
        *_start_session(
            aws_cli,
            _web_1(emulator),
            "--document-name",
            "AWS-StartPortForwardingSession",
            "--parameters",
            f"portNumber=80,localPortNumber={local}",
        ),
        env=cli_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # Ctrl-C goes to the process group, as from a terminal
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            opened = await process.stdout.readuntil(b"Waiting for connections...\n")
        assert f"Port {local} opened for sessionId".encode() in opened
        reader, writer = await asyncio.open_connection("127.0.0.1", local)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        async with asyncio.timeout(20):
            page = await reader.read()
        writer.close()
        assert b"200 OK" in page.split(b"\r\n", 1)[0]
        assert b"<h1>web-1</h1>" in page
        os.killpg(process.pid, signal.SIGINT)
        async with asyncio.timeout(20):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

"""``ssm-tui exec``: separate streams, the remote exit code, and one-line errors."""

from __future__ import annotations

from tests.sessions.cli_process import run_cli
from tests.sessions.lab import SHELL, Lab

SCRIPT = "echo to-out; echo to-err >&2; exit 3"


async def test_streams_stay_apart_and_the_exit_code_is_the_remote_one(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "box-1", "--", SCRIPT)
    assert done.stdout == b"to-out\n"
    assert done.stderr == b"to-err\n"
    assert done.returncode == 3


async def test_words_after_the_dashes_form_the_command(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", SHELL, "--", "printf", "%s-%s", "a", "b")
    assert (done.returncode, done.stdout) == (0, b"a-b")


async def test_unknown_target_is_one_line_and_exit_1(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "no-such-box", "--", "true")
    assert done.returncode == 1
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1
    assert "no-such-box" in lines[0]
    assert lines[0].startswith("ssm-tui: ")


async def test_offline_target_is_reported_as_offline(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "dark-1", "--", "true")
    assert done.returncode == 1
    assert b"offline" in done.stderr
    assert b"Traceback" not in done.stderr


async def test_bad_credentials_are_one_line(lab: Lab) -> None:
    env = dict(lab.env)
    env["AWS_ACCESS_KEY_ID"] = "AKIANOTAREALKEY00000"
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    env.pop("AWS_PROFILE", None)
    done = await run_cli(env, "exec", SHELL, "--", "true")
    assert done.returncode == 1
    assert len(done.stderr.decode().splitlines()) == 1
    assert b"Traceback" not in done.stderr


async def test_endpoint_down_is_one_line(lab: Lab) -> None:
    env = dict(lab.env)
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    done = await run_cli(env, "exec", SHELL, "--", "true")
    assert done.returncode == 1
    assert len(done.stderr.decode().splitlines()) == 1
    assert b"Traceback" not in done.stderr


async def test_missing_command_is_an_error(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", SHELL)
    assert done.returncode == 1
    assert b"no command given" in done.stderr

"""Exec sessions: NonInteractiveCommands with separate streams and the remote exit code."""

from __future__ import annotations

from ssm_tui.sessions.exec import ExecSession
from tests.sessions.lab import SHELL, Lab


async def run(lab: Lab, command: str) -> tuple[bytes, bytes, int | None, bool]:
    out, err = bytearray(), bytearray()
    session = ExecSession(lab.api, SHELL, command, on_stdout=out.extend, on_stderr=err.extend)
    await session.start()
    end = await session.wait()
    return bytes(out), bytes(err), end.exit_code, end.ok


async def test_stdout_and_stderr_arrive_on_separate_streams(lab: Lab) -> None:
    out, err, code, ok = await run(lab, "echo to-out; echo to-err >&2")
    assert out == b"to-out\n"
    assert err == b"to-err\n"
    assert code == 0
    assert ok


async def test_exit_code_is_the_remote_commands(lab: Lab) -> None:
    _, _, code, ok = await run(lab, "exit 7")
    assert code == 7
    assert ok


async def test_large_output_arrives_byte_exact(lab: Lab) -> None:
    out, _, code, _ = await run(lab, "head -c 1000000 /dev/zero | tr '\\0' 'x'; printf end")
    assert out == b"x" * 1_000_000 + b"end"
    assert code == 0

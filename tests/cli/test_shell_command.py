"""``ssm-tui shell`` in a real pseudo-terminal: typing, echo, resize, ``~.``, and pipes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

from ssm_tui.cli.shell_command import EscapeFilter
from tests.sessions.cli_process import CLI, PtyProcess, run_cli, spawn_in_pty
from tests.sessions.lab import Lab


@contextlib.asynccontextmanager
async def remote_shell(lab: Lab, *, cols: int = 100, rows: int = 30) -> AsyncIterator[PtyProcess]:
    """``ssm-tui shell box-1`` in a pseudo-terminal, at the remote prompt; closed afterwards."""
    child = await spawn_in_pty(lab.env, "shell", "box-1", cols=cols, rows=rows)
    try:
        await child.expect_text(b"box-1")
        yield child
    finally:
        child.close()


async def test_typing_echoes_and_runs_in_the_remote_shell(lab: Lab) -> None:
    async with remote_shell(lab) as child:
        child.type(b"echo $((6*7))-done\r")
        await child.expect_text(b"echo $((6*7))-done")  # the remote PTY's echo
        await child.expect_text(b"42-done")
        child.type(b"exit\r")
        assert await child.wait() == 0


async def test_resizing_the_local_terminal_resizes_the_remote_one(lab: Lab) -> None:
    async with remote_shell(lab, cols=100, rows=30) as child:
        child.type(b"stty size\r")
        await child.expect_text(b"30 100")
        child.resize(120, 40)
        child.process.send_signal(signal.SIGWINCH)
        # The signal and the keystrokes race inside the child; ask until the size shows.
        for _ in range(40):
            child.type(b"stty size\r")
            with contextlib.suppress(TimeoutError):
                await child.expect(lambda out: b"40 120" in out, timeout=0.5)
                break
        await child.expect_text(b"40 120")
        child.type(b"exit\r")
        assert await child.wait() == 0


async def test_tilde_dot_after_enter_closes_a_hung_session(lab: Lab) -> None:
    async with remote_shell(lab) as child:
        child.type(b"sleep 600\r")
        await child.expect_text(b"sleep 600")
        child.type(b"~.")
        assert await child.wait() == 0
        assert b"closing the session" in child.output


async def test_control_c_goes_to_the_remote_command_not_to_us(lab: Lab) -> None:
    async with remote_shell(lab) as child:
        child.type(b"sleep 600; echo after-$((1+1))\r")
        await child.expect_text(b"sleep 600")
        child.type(b"\x03")
        child.type(b"echo still-$((2+2))\r")
        await child.expect_text(b"still-4")
        assert child.process.returncode is None
        child.type(b"exit\r")
        assert await child.wait() == 0


async def test_piped_stdin_runs_and_ends_with_the_input(lab: Lab) -> None:
    done = await run_cli(lab.env, "shell", "box-1", stdin=b"echo piped-$((1+1))\n")
    assert done.returncode == 0
    assert b"piped-2" in done.stdout


async def test_piped_stdin_ends_the_shell_even_when_it_ends_during_a_command(lab: Lab) -> None:
    # The end of input (Ctrl-D) reaches the remote terminal while `sleep` runs, as it does
    # when bash is slow to start: the line discipline keeps it as an end-of-file mark,
    # which bash, reading again in its own raw mode, gets as a NUL byte instead.
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "shell",
        "box-1",
        env=lab.env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"sleep 2; echo slept-$((1+1))\n")
    await process.stdin.drain()
    output = bytearray()
    async with asyncio.timeout(30):
        while b"sleep 2" not in output:  # the command is running
            output += await process.stdout.read(4096)
        process.stdin.close()
        output += await process.stdout.read()
        assert await process.wait() == 0
    assert b"slept-2" in output


def test_escape_needs_a_line_start_and_tilde_tilde_sends_one_tilde() -> None:
    escapes = EscapeFilter()
    assert escapes.feed(b"a~.b") == (b"a~.b", False)  # not after Enter: plain text
    assert escapes.feed(b"\r~~x") == (b"\r~x", False)
    assert escapes.feed(b"\r~q") == (b"\r~q", False)
    assert escapes.feed(b"\r~.rest") == (b"\r", True)


def test_escape_at_the_very_start_closes() -> None:
    assert EscapeFilter().feed(b"~.") == (b"", True)

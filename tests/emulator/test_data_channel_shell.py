"""Shell sessions end to end: real boto3, a real websocket, a real PTY on this machine."""

from __future__ import annotations

import os
import re

import pytest
from botocore.exceptions import ClientError

from tests.emulator.client_loop import ClientLoop
from tests.emulator.fleet_harness import SHELL, WINDOWS, running_fleet
from tests.loopback import eventually

PROMPT = b"@box-1 "


async def test_shell_echo_runs_in_a_real_pty() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        client.send_size(120, 40)
        client.send(b"echo $((6*7))\r")
        await client.wait_output(b"42")
        client.send(b"exit\r")
        closed = await client.wait_closed()
        assert closed.output == ""


async def test_prompt_names_the_instance_and_no_handshake_is_needed() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        await client.wait_output(b"box-1")
        assert client.started is not None
        assert client.started.session_type == "Standard_Stream"


async def test_size_message_resizes_the_pty() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        client.send_size(132, 43)
        client.send(b"stty size\r")
        await client.wait_output(b"43 132")
        client.send_size(80, 25)
        client.send(b"stty size\r")
        await client.wait_output(b"25 80")


async def test_control_c_reaches_the_foreground_command() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        # sh dies of SIGINT whether it arrives before or after the exec.
        client.send(b"sh -c 'echo sleep-$((1+1)); exec sleep 30'; echo not-interrupted\r")
        await client.wait_output(b"sleep-2")
        client.send(b"\x03")
        # Type the next line at the next prompt, as a person would: bash may flush
        # input typed while it handles the interrupt.
        await client.wait_for(lambda: client.output.count(PROMPT) >= 2)
        client.send(b"echo after-$((1+1))\r")
        await client.wait_output(b"after-2")
        assert client.output.count(b"not-interrupted") == 1  # only the echoed command line


async def test_shell_exit_status_is_the_channel_closed_reason() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        client.send(b"exit 3\r")
        closed = await client.wait_closed()
        assert "3" in closed.output


async def test_terminate_session_ends_the_shell_and_its_processes() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        pid = await _shell_pid(client)
        await fleet.call("ssm", "terminate_session", SessionId=client.channel.session_id)
        await client.wait_closed()
        await eventually(lambda: not _alive(pid))


async def test_stopping_the_server_kills_every_shell() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        pid = await _shell_pid(client)
        assert _alive(pid)
    assert not _alive(pid)


async def test_interactive_command_runs_in_a_pty() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(
            SHELL, "AWS-StartInteractiveCommand", command="tty; echo done-$((2*3))"
        )
        closed = await client.wait_closed()
        assert b"/dev/pts/" in client.output
        assert b"done-6" in client.output
        assert closed.output == ""


async def test_windows_shells_are_refused_at_start_session() -> None:
    async with running_fleet() as fleet:
        with pytest.raises(ClientError) as caught:
            await fleet.start_session(WINDOWS)
        assert "Windows" in str(caught.value)


async def _shell_pid(client: ClientLoop) -> int:
    client.send(b"echo pid=$$\r")
    await client.wait_for(lambda: re.search(rb"pid=(\d+)", client.output) is not None)
    found = re.search(rb"pid=(\d+)", client.output)
    assert found is not None
    return int(found[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A reaped-but-not-yet-collected zombie still answers signal 0.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:  # gone between the signal and the read: ENOENT, or ESRCH mid-read
        return False

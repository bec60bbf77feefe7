"""Shell sessions against the emulator: real websocket, real boto3, a real PTY."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ssm_tui.sessions.shell import ShellSession
from ssm_tui.transport.state import ConnectionState, Phase
from tests.loopback import eventually
from tests.sessions.lab import SHELL, VAULT, Lab


def contains(buffer: bytearray, text: bytes) -> Callable[[], bool]:
    return lambda: text in buffer


async def test_typed_command_output_arrives_and_exit_closes_cleanly(lab: Lab) -> None:
    output = bytearray()
    states: list[ConnectionState] = []
    shell = ShellSession(lab.api, SHELL, on_output=output.extend, on_state=states.append)
    await shell.start()
    shell.send_input(b"echo $((6*7))\r")
    await eventually(lambda: b"42" in output)
    shell.send_input(b"exit\r")
    end = await shell.wait()
    assert end.ok
    assert states[-1].phase is Phase.ENDED
    assert Phase.LIVE in {s.phase for s in states}


async def test_size_is_sent_first_and_on_every_resize(lab: Lab) -> None:
    output = bytearray()
    shell = ShellSession(lab.api, SHELL, on_output=output.extend, size=(132, 43))
    await shell.start()
    shell.send_input(b"stty size\r")
    await eventually(lambda: b"43 132" in output)
    shell.resize(80, 25)
    shell.send_input(b"stty size\r")
    await eventually(lambda: b"25 80" in output)
    await shell.terminate()


async def test_terminate_ends_the_session_as_ok(lab: Lab) -> None:
    shell = ShellSession(lab.api, SHELL, on_output=lambda data: None)
    await shell.start()
    await shell.started.wait()
    await shell.terminate()
    end = await shell.wait()
    assert end.ok
    assert shell.state.phase is Phase.ENDED


async def test_kms_encrypted_shell_answers_the_data_key_request(lab: Lab) -> None:
    output = bytearray()
    shell = ShellSession(lab.api, VAULT, on_output=output.extend)
    await shell.start()
    shell.send_input(b"echo sealed-$((2+3))\r")
    await eventually(lambda: b"sealed-5" in output)
    assert "KMS" in shell.customer_message
    await shell.terminate()


async def test_many_shells_share_one_loop_without_crosstalk(lab: Lab) -> None:
    outputs = [bytearray() for _ in range(5)]
    shells = [ShellSession(lab.api, SHELL, on_output=out.extend) for out in outputs]
    for shell in shells:
        await shell.start()
    for index, shell in enumerate(shells):
        shell.send_input(f"echo tab-$(({index}*11))\r".encode())
    for index, out in enumerate(outputs):
        await eventually(contains(out, f"tab-{index * 11}".encode()))
        others = {f"tab-{i * 11}\r".encode() for i in range(5) if i != index}
        assert not any(other in out for other in others)
    for shell in shells:
        await shell.terminate()


async def test_held_output_waits_at_the_agent_and_arrives_whole_after_release(lab: Lab) -> None:
    output = bytearray()
    shell = ShellSession(lab.api, SHELL, on_output=output.extend)
    await shell.start()
    shell.send_input(b"echo ready-$((1+1))\r")
    await eventually(lambda: b"ready-2" in output)
    shell.hold_output(True)
    assert shell.output_held
    before = len(output)
    shell.send_input(b"seq 1 20000; echo done-$((2+2))\r")
    await asyncio.sleep(0.5)
    assert b"done-4" not in output[before:]
    shell.hold_output(False)
    assert not shell.output_held
    await eventually(lambda: b"done-4" in output, timeout=30)
    lines = [line.rstrip(b"\r").rpartition(b"\r")[2] for line in output[before:].split(b"\n")]
    numbers = [line for line in lines if line.isdigit()]
    assert numbers == [str(n).encode() for n in range(1, 20001)]
    await shell.terminate()

"""Keys typed into a session that is still connecting reach the remote shell once it attaches."""

from __future__ import annotations

import asyncio

import pytest

from ssm_tui.aws.errors import AwsError
from ssm_tui.sessions.shell import ShellSession
from tests.app_core.services import lab_services
from tests.loopback import eventually
from tests.sessions.lab import OFFLINE, SHELL, Lab


async def test_input_sent_before_start_runs_in_the_shell_once_attached(lab: Lab) -> None:
    output = bytearray()
    shell = ShellSession(lab.api, SHELL, on_output=output.extend)
    shell.send_input(b"echo early-$((6*7))\r")
    await shell.start()
    await eventually(lambda: b"early-42" in output)
    await shell.terminate()


async def test_input_sent_while_start_session_is_in_flight_keeps_its_order(lab: Lab) -> None:
    output = bytearray()
    services = lab_services(lab)
    shell = ShellSession(lab.api, SHELL, on_output=output.extend)
    shell.send_input(b"echo in-")
    starting = asyncio.create_task(services.start(shell))
    await asyncio.sleep(0)  # StartSession is on its way now, the session not yet attached
    assert not shell.session_id
    shell.send_input(b"order-$((2+3))")
    await starting
    shell.send_input(b"\r")
    await eventually(lambda: b"in-order-5" in output)
    await services.close_all()


async def test_the_shell_gets_its_size_before_the_early_input(lab: Lab) -> None:
    output = bytearray()
    shell = ShellSession(lab.api, SHELL, on_output=output.extend, size=(132, 43))
    shell.send_input(b"stty size\r")
    await shell.start()
    await eventually(lambda: b"43 132" in output)
    await shell.terminate()


async def test_early_input_to_a_refused_session_is_dropped_with_it(lab: Lab) -> None:
    shell = ShellSession(lab.api, OFFLINE, on_output=lambda data: None)
    shell.send_input(b"echo never\r")
    with pytest.raises(AwsError, match="not connected"):
        await shell.start()
    shell.send_input(b"more\r")  # still no channel: held, never raises
    assert not shell.session_id

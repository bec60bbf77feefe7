"""SessionServices: one API per pair, and no session left running when tabs or the app close."""

from __future__ import annotations

import asyncio

from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.config import Config
from ssm_tui.sessions import Phase
from ssm_tui.sessions.shell import ShellSession
from tests.app_core.services import lab_services
from tests.loopback import eventually
from tests.sessions.lab import SHELL, Lab


def test_each_pair_gets_one_api_client_built_on_first_use() -> None:
    built: list[Pair] = []

    def factory(pair: Pair) -> SessionApi:
        built.append(pair)
        return SessionApi(pair)

    services = SessionServices(Config(), api_factory=factory)
    prod, staging = Pair(profile="prod", region="r1"), Pair(profile="staging", region="r1")
    assert services.api(prod) is services.api(prod)
    assert services.api(staging) is not services.api(prod)
    assert built == [prod, staging]


async def test_a_session_closed_while_starting_is_terminated_once_start_session_answers(
    lab: Lab,
) -> None:
    services = lab_services(lab)
    shell = ShellSession(lab.api, SHELL, on_output=lambda data: None)
    starting = asyncio.create_task(services.start(shell))
    await asyncio.sleep(0)  # StartSession is in flight
    starting.cancel()  # the tab went away
    services.terminate(shell)
    await services.close_all()
    assert shell.session_id
    end = await shell.wait()
    assert end.ok
    assert services.closing == 0


async def test_close_all_ends_every_live_session(lab: Lab) -> None:
    services = lab_services(lab)
    output = bytearray()
    shells = [ShellSession(lab.api, SHELL, on_output=output.extend) for _ in range(3)]
    for shell in shells:
        await services.start(shell)
    await eventually(lambda: all(shell.state.phase is Phase.LIVE for shell in shells))
    await services.close_all()
    assert all(shell.state.ended for shell in shells)

"""Forwards against the emulator: rows follow the sessions; stop, restart, busy ports."""

from __future__ import annotations

import asyncio
import socket

import pytest

from ssm_tui.app_core.forwards import ForwardRow, Forwards, ForwardSpec
from ssm_tui.sessions.forward import ForwardError
from tests.app_core.services import lab_node, lab_services
from tests.loopback import echo_server, eventually
from tests.sessions.lab import PORTS, Lab

WEB = lab_node(PORTS, "web-1")


async def echo_through(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    writer.write_eof()
    received = await reader.read()
    writer.close()
    return received


def local_port(row: ForwardRow) -> int:
    return int(row.local.rsplit(":", 1)[1])


class Changes:
    """Counts the ``on_change`` calls of a Forwards."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def test_a_started_forward_is_one_row_that_counts_its_traffic(lab: Lab) -> None:
    changes = Changes()
    forwards = Forwards(lab_services(lab), changes)
    async with echo_server() as echo_port:
        lab.map_port(PORTS, 80, echo_port)
        key = await forwards.start(ForwardSpec(node=WEB, remote_port=80))
        assert changes.count >= 1
        await eventually(lambda: forwards.rows()[0].state == "listening")
        (row,) = forwards.rows()
        assert (row.key, row.target, row.remote, row.mode) == (key, "web-1", "80", "mux")
        assert row.local.startswith("127.0.0.1:")
        assert await echo_through(local_port(row), b"x" * 5000) == b"x" * 5000
        await eventually(lambda: forwards.rows()[0].bytes_in == 5000)
        assert forwards.rows()[0].bytes_out == 5000
        assert forwards.live_count == 1
        forwards.stop(key)
        await eventually(lambda: forwards.live_count == 0)


async def test_stop_keeps_a_closed_row_and_stopping_it_again_removes_it(lab: Lab) -> None:
    forwards = Forwards(lab_services(lab), Changes())
    key = await forwards.start(ForwardSpec(node=WEB, remote_port=80))
    await eventually(lambda: forwards.rows()[0].state == "listening")
    forwards.stop(key)
    await eventually(lambda: forwards.rows()[0].state == "closed")
    assert forwards.live_count == 0
    forwards.stop(key)
    assert forwards.rows() == []
    assert forwards.forward(key) is None


async def test_restart_listens_again_on_the_same_local_port(lab: Lab) -> None:
    forwards = Forwards(lab_services(lab), Changes())
    async with echo_server() as echo_port:
        lab.map_port(PORTS, 80, echo_port)
        key = await forwards.start(ForwardSpec(node=WEB, remote_port=80))
        await eventually(lambda: forwards.rows()[0].state == "listening")
        before = forwards.forward(key)
        port = local_port(forwards.rows()[0])
        await forwards.restart(key)
        await eventually(lambda: forwards.rows()[0].state == "listening")
        assert forwards.forward(key) is not before
        assert local_port(forwards.rows()[0]) == port
        assert await echo_through(port, b"again") == b"again"
        forwards.stop(key)
        await eventually(lambda: forwards.live_count == 0)


async def test_a_busy_local_port_is_refused_and_leaves_no_row(lab: Lab) -> None:
    forwards = Forwards(lab_services(lab), Changes())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ForwardError, match="already in use"):
            await forwards.start(ForwardSpec(node=WEB, remote_port=80, local_port=port))
    assert forwards.rows() == []
    assert forwards.live_count == 0


async def test_closing_the_services_ends_every_forward(lab: Lab) -> None:
    services = lab_services(lab)
    forwards = Forwards(services, Changes())
    for _ in range(2):
        await forwards.start(ForwardSpec(node=WEB, remote_port=80))
    await eventually(lambda: {row.state for row in forwards.rows()} == {"listening"})
    await services.close_all()
    await eventually(lambda: forwards.live_count == 0)
    assert services.closing == 0

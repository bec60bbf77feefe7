"""Port sessions over real TCP: smux mode, basic mode, stdio, refused destinations."""

from __future__ import annotations

import asyncio
import os

from ssm_tui.protocol.payloads import Flag
from tests.emulator.client_loop import MuxClient
from tests.emulator.fleet_harness import (
    OLD_AGENT,
    PORTS,
    make_fleet,
    running_fleet,
)
from tests.loopback import echo_server, free_port

FORWARD = "AWS-StartPortForwardingSession"
FORWARD_REMOTE = "AWS-StartPortForwardingSessionToRemoteHost"
ECHO_PORT = 8080
CLOSED_PORT = 8081


def _ports(echo: int) -> dict[int, str]:
    return {ECHO_PORT: f"127.0.0.1:{echo}", CLOSED_PORT: f"127.0.0.1:{free_port()}"}


async def test_mux_streams_carry_concurrent_connections_byte_exact() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(PORTS, FORWARD, portNumber=str(ECHO_PORT))
        mux = MuxClient(client)
        await client.wait_for(lambda: client.started is not None)
        payloads = {}
        for size in (1, 5000, 70_000, 200_000):
            stream_id = mux.open_stream()
            payloads[stream_id] = os.urandom(size)
        for stream_id, data in payloads.items():
            mux.send(stream_id, data)
            mux.close_stream(stream_id)
        results = await asyncio.gather(*(mux.wait_ended(s) for s in payloads))
        assert list(results) == list(payloads.values())
        assert client.flags == []


async def test_refused_destination_gets_connect_to_port_error_and_fin() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(PORTS, FORWARD, portNumber=str(CLOSED_PORT))
        mux = MuxClient(client)
        await client.wait_for(lambda: client.started is not None)
        stream_id = mux.open_stream()
        mux.send(stream_id, b"hello")
        assert await mux.wait_ended(stream_id) == b""
        assert client.flags == [Flag.CONNECT_TO_PORT_ERROR]
        # The session itself survives a refused stream.
        assert client.closed is None


async def test_remote_host_off_this_machine_is_refused() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(PORTS, FORWARD_REMOTE, host="example.com", portNumber="80")
        mux = MuxClient(client)
        await client.wait_for(lambda: client.started is not None)
        stream_id = mux.open_stream()
        assert await mux.wait_ended(stream_id) == b""
        assert client.flags == [Flag.CONNECT_TO_PORT_ERROR]


async def test_remote_host_may_be_loopback_or_a_fleet_instance() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        direct = await fleet.open(PORTS, FORWARD_REMOTE, host="127.0.0.1", portNumber=str(echo))
        by_name = await fleet.open(PORTS, FORWARD_REMOTE, host="web-9", portNumber=str(ECHO_PORT))
        by_ip = await fleet.open(PORTS, FORWARD_REMOTE, host="10.0.0.9", portNumber=str(ECHO_PORT))
        for client in (direct, by_name, by_ip):
            mux = MuxClient(client)
            await client.wait_for(lambda c=client: c.started is not None)  # type: ignore[misc]
            stream_id = mux.open_stream()
            mux.send(stream_id, b"ping")
            mux.close_stream(stream_id)
            assert await mux.wait_ended(stream_id) == b"ping"


async def test_client_without_client_version_gets_basic_forwarding() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(PORTS, FORWARD, client_version=None, portNumber=str(ECHO_PORT))
        await client.wait_for(lambda: client.started is not None)
        data = os.urandom(50_000)
        client.send(data)
        await client.wait_for(lambda: len(client.output) >= len(data))
        assert bytes(client.output) == data


async def test_basic_disconnect_to_port_redials_on_next_output() -> None:
    connections = 0

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while data := await reader.read(65536):
            writer.write(b"%d:" % connections + data)
        writer.close()

    server = await asyncio.start_server(count, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with running_fleet(make_fleet(ports={ECHO_PORT: f"127.0.0.1:{port}"})) as fleet:
            client = await fleet.open(
                PORTS, FORWARD, client_version=None, portNumber=str(ECHO_PORT)
            )
            await client.wait_for(lambda: client.started is not None)
            client.send(b"a")
            await client.wait_output(b"1:a")
            client.send_flag(Flag.DISCONNECT_TO_PORT)
            client.send(b"b")
            await client.wait_output(b"2:b")
    finally:
        server.close()
        await server.wait_closed()


async def test_old_agent_forwards_in_basic_mode_even_for_a_new_client() -> None:
    # §10.4: the client picks mux only for agents > 3.0.196.0, which predate smux.
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(OLD_AGENT, FORWARD, portNumber=str(ECHO_PORT))
        await client.wait_for(lambda: client.started is not None)
        assert client.started is not None and client.started.agent_version == "3.0.161.0"
        client.send(b"raw bytes, no smux")
        await client.wait_output(b"raw bytes, no smux")


async def test_ssh_document_is_a_stdio_stream_that_ends_with_the_destination() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(PORTS, "AWS-StartSSHSession", portNumber=str(ECHO_PORT))
        await client.wait_for(lambda: client.started is not None)
        assert client.started is not None
        assert client.started.properties == {"portNumber": str(ECHO_PORT)}
        client.send(b"SSH-2.0-test\r\n")
        await client.wait_output(b"SSH-2.0-test\r\n")


async def test_terminate_session_flag_ends_a_port_session() -> None:
    async with echo_server() as echo, running_fleet(make_fleet(ports=_ports(echo))) as fleet:
        client = await fleet.open(PORTS, FORWARD, portNumber=str(ECHO_PORT))
        await client.wait_for(lambda: client.started is not None)
        client.send_flag(Flag.TERMINATE_SESSION)
        await client.wait_closed()
        session = fleet.server.sessions.get(client.channel.session_id)
        assert session is not None and not session.active


async def test_basic_redial_to_a_vanished_destination_ends_the_session() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with running_fleet(make_fleet(ports={ECHO_PORT: f"127.0.0.1:{port}"})) as fleet:
        client = await fleet.open(PORTS, FORWARD, client_version=None, portNumber=str(ECHO_PORT))
        await client.wait_for(lambda: client.started is not None)
        server.close()
        await server.wait_closed()
        client.send_flag(Flag.DISCONNECT_TO_PORT)
        client.send(b"anyone there?")
        closed = await client.wait_closed()
        assert "Connection to destination port failed" in closed.output
        assert client.flags == []

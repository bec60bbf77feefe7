"""Port forwards against the emulator: real TCP listeners, real HTTP, mux and basic modes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from ssm_tui.sessions.forward import ForwardError, ForwardMode, PortForward
from ssm_tui.sessions.forward_stats import ForwardPhase
from tests.loopback import echo_server, eventually, tcp_server
from tests.sessions.lab import OLD_AGENT, PORTS, Lab


def blob(index: int, size: int) -> bytes:
    """Deterministic, incompressible-looking bytes for request ``index``."""
    seed = hashlib.sha256(str(index).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


@contextlib.asynccontextmanager
async def http_server() -> AsyncIterator[int]:
    """GET /blob/N returns blob(N); POST /echo returns the body; yields the port."""

    async def get_blob(request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        return web.Response(body=blob(index, 20_000 + index * 7_919))

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app = web.Application(client_max_size=1 << 24)
    app.router.add_get("/blob/{index}", get_blob)
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def roundtrip(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    writer.write_eof()
    received = await reader.read()
    writer.close()
    return received


async def test_twenty_concurrent_http_connections_are_byte_exact(lab: Lab) -> None:
    async with http_server() as web_port:
        lab.map_port(PORTS, 80, web_port)
        forward = PortForward(lab.api, PORTS, 80)
        await forward.start()
        base = f"http://127.0.0.1:{forward.local_port}"
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        async with aiohttp.ClientSession(connector=connector) as client:

            async def fetch(index: int) -> None:
                async with client.get(f"{base}/blob/{index}") as response:
                    assert await response.read() == blob(index, 20_000 + index * 7_919)
                body = blob(index + 100, 30_000 + index * 1_001)
                async with client.post(f"{base}/echo", data=body) as response:
                    assert await response.read() == body

            await asyncio.gather(*(fetch(i) for i in range(20)))
        assert forward.mode is ForwardMode.MUX
        assert forward.stats.connections_total == 40
        await eventually(lambda: forward.stats.connections_open == 0)
        assert forward.stats.bytes_received > 20 * 20_000
        await forward.terminate()
        assert (await forward.wait()).ok
        assert forward.phase is ForwardPhase.CLOSED


async def test_half_closed_connection_still_gets_the_whole_reply(lab: Lab) -> None:
    async with echo_server() as echo_port:
        lab.map_port(PORTS, 7, echo_port)
        forward = PortForward(lab.api, PORTS, 7)
        await forward.start()
        payload = blob(1, 300_000)
        assert await roundtrip(forward.local_port, payload) == payload
        await forward.terminate()


async def test_old_agent_forwards_one_connection_at_a_time_in_basic_mode(lab: Lab) -> None:
    async with echo_server() as echo_port:
        lab.map_port(OLD_AGENT, 7, echo_port)
        forward = PortForward(lab.api, OLD_AGENT, 7)
        await forward.start()
        for index in range(3):
            reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
            payload = blob(index, 50_000)
            writer.write(payload)
            assert await reader.readexactly(len(payload)) == payload
            writer.close()
            await eventually(lambda: forward.stats.connections_open == 0)
        assert forward.mode is ForwardMode.BASIC
        assert forward.stats.connections_total == 3
        await forward.terminate()
        assert (await forward.wait()).ok


async def test_remote_host_variant_reaches_the_named_host(lab: Lab) -> None:
    async with echo_server() as echo_port:
        forward = PortForward(lab.api, PORTS, echo_port, host="localhost")
        await forward.start()
        assert forward.document_name == "AWS-StartPortForwardingSessionToRemoteHost"
        assert "-> localhost:" in forward.description
        assert await roundtrip(forward.local_port, b"via the host") == b"via the host"
        await forward.terminate()


async def test_port_in_use_fails_before_any_session_starts(lab: Lab) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        forward = PortForward(lab.api, PORTS, 80, local_port=port)
        with pytest.raises(ForwardError, match="already in use"):
            await forward.start()
    assert forward.session_id == ""


async def test_unreachable_destination_closes_the_local_connection(lab: Lab) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    lab.map_port(PORTS, 81, dead_port)
    forward = PortForward(lab.api, PORTS, 81)
    await forward.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
    writer.write(b"hello?")
    assert await reader.read() == b""
    writer.close()
    await eventually(lambda: forward.stats.connection_errors == 1)
    await forward.terminate()


async def test_slow_local_reader_pauses_the_agent_and_loses_nothing(lab: Lab) -> None:
    payload = blob(9, 8_000_000)

    async def source(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()
        writer.close()

    async with tcp_server(source) as source_port:
        lab.map_port(PORTS, 9, source_port)
        forward = PortForward(lab.api, PORTS, 9)
        await forward.start()
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", forward.local_port, limit=1 << 16
        )
        # Not reading: the kernel buffers fill, then our writer's, then the agent waits.
        await eventually(lambda: forward.receive_paused, timeout=30)
        received = await reader.read()
        assert len(received) == len(payload)
        assert received == payload
        writer.close()
        await forward.terminate()

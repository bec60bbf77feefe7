"""Sessions over a lossy, duplicating, reordering link that also drops the websocket."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib

import pytest

from ssm_tui.emulator.faults import Faults
from ssm_tui.sessions.exec import ExecSession
from ssm_tui.sessions.forward import PortForward
from ssm_tui.transport.state import ConnectionState, Phase
from tests.loopback import tcp_server
from tests.sessions.lab import FAULTY, Lab

CHUNK = 500_000
LINE = b"0123456789abcdef" * 4 + b"\n"  # 65 bytes
LOSSY = Faults(drop=0.05, dup=0.05, reorder=0.05, close_every=3.0)


def pattern(size: int) -> bytes:
    block = hashlib.sha512(b"fault-test").digest()
    return (block * (size // len(block) + 1))[:size]


@pytest.mark.slow
async def test_five_megabytes_of_exec_output_survive_the_faults(lab: Lab) -> None:
    lab.set_faults(FAULTY, LOSSY)
    out = bytearray()
    states: list[ConnectionState] = []
    # 5 MB of text, written over a few seconds so that websocket closes hit mid-stream.
    command = f"for i in $(seq 20); do yes {LINE[:-1].decode()} | head -n 4096; sleep 0.2; done"
    session = ExecSession(
        lab.api, FAULTY, command, on_stdout=out.extend, on_stderr=out.extend, on_state=states.append
    )
    await session.start()
    end = await session.wait()
    assert len(out) == 20 * 4096 * len(LINE)
    assert bytes(out) == LINE * (20 * 4096)
    assert end.exit_code == 0
    assert end.ok
    assert Phase.RECONNECTING in {s.phase for s in states}


@pytest.mark.slow
async def test_twenty_megabytes_through_a_forward_survive_the_faults(lab: Lab) -> None:
    lab.set_faults(FAULTY, LOSSY)
    payload = pattern(10_000_000)
    received = hashlib.sha256()

    async def sink_then_source(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Upload direction: read all 10 MB and check it; download: send 10 MB back, paced
        # so that the transfer outlasts close-every and a reconnect happens mid-stream.
        digest = hashlib.sha256()
        total = 0
        while total < len(payload):
            data = await reader.read(1 << 16)
            if not data:
                break
            digest.update(data)
            total += len(data)
        writer.write(digest.digest())
        for start in range(0, len(payload), CHUNK):
            writer.write(payload[start : start + CHUNK])
            await writer.drain()
            await asyncio.sleep(0.1)
        writer.close()

    async with tcp_server(sink_then_source) as port:
        lab.map_port(FAULTY, 9000, port)
        states: list[ConnectionState] = []
        forward = PortForward(lab.api, FAULTY, 9000, on_state=states.append)
        await forward.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
        for start in range(0, len(payload), CHUNK):
            writer.write(payload[start : start + CHUNK])
            await writer.drain()
            await asyncio.sleep(0.1)
        upload_digest = await reader.readexactly(32)
        total = 0
        while data := await reader.read(1 << 16):
            received.update(data)
            total += len(data)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        assert upload_digest == hashlib.sha256(payload).digest()
        assert total == len(payload)
        assert received.digest() == hashlib.sha256(payload).digest()
        await forward.terminate()
        assert Phase.RECONNECTING in {s.phase for s in states}

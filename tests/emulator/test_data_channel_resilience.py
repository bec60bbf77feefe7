"""Sessions survive lost sockets and faulty networks; idle ones end; KMS sessions work."""

from __future__ import annotations

import asyncio
import os

import pytest

from ssm_tui.emulator.agent_session import IDLE_MESSAGE
from ssm_tui.emulator.faults import Faults
from tests.emulator.client_loop import MuxClient
from tests.emulator.fleet_harness import (
    KMS_KEY_ID,
    KMS_SHELL,
    PORTS,
    SHELL,
    make_fleet,
    running_fleet,
)
from tests.loopback import echo_server, eventually

LINES = 300
EXPECTED = b"".join(b"line-%d\r\n" % n for n in range(1, LINES + 1))


async def test_dropped_socket_keeps_the_session_and_nothing_is_lost() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        client.send(b"stty -echo; for i in $(seq 1 %d); do echo line-$i; done\r" % LINES)
        await client.wait_output(b"line-10\r\n")
        await client.drop()  # mid-stream: the agent keeps producing and holds it unacked
        token = await fleet.resume_token(client.channel.session_id)
        await client.connect(token)
        await client.wait_output(b"line-%d\r\n" % LINES)
        start = client.output.index(b"line-1\r\n")
        assert client.output[start : start + len(EXPECTED)] == EXPECTED


async def test_resume_token_of_a_terminated_session_is_empty() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        client.send(b"exit\r")
        await client.wait_closed()
        assert await fleet.resume_token(client.channel.session_id) == ""


async def test_idle_session_is_terminated() -> None:
    async with running_fleet(make_fleet(idle=0.5)) as fleet:
        client = await fleet.open(SHELL)
        closed = await client.wait_closed()
        assert closed.output == IDLE_MESSAGE
        session = fleet.server.sessions.get(client.channel.session_id)
        assert session is not None and not session.active


async def test_idle_timeout_also_ends_a_session_whose_client_went_away() -> None:
    async with running_fleet(make_fleet(idle=0.5)) as fleet:
        client = await fleet.open(SHELL)
        await client.wait_output(b"box-1")
        await client.drop()
        session_id = client.channel.session_id
        await eventually(lambda: fleet.endpoint.agent(session_id) is None)
        session = fleet.server.sessions.get(session_id)
        assert session is not None and not session.active


async def test_a_session_nobody_connects_to_ends_after_the_idle_timeout() -> None:
    async with running_fleet(make_fleet(idle=1.0)) as fleet:
        response = await fleet.start_session(SHELL)
        session_id = response["SessionId"]

        async def status() -> str:
            found = await fleet.call(
                "ssm",
                "describe_sessions",
                State="History",
                Filters=[{"key": "SessionId", "value": session_id}],
            )
            return str(found["Sessions"][0]["Status"]) if found["Sessions"] else "Active"

        assert await status() == "Active"
        session = fleet.server.sessions.get(session_id)
        await eventually(lambda: session is not None and not session.active, timeout=5.0)
        assert await status() == "Terminated"
        assert await fleet.resume_token(session_id) == ""


async def test_connecting_stops_the_unconnected_timeout() -> None:
    async with running_fleet(make_fleet(idle=1.0)) as fleet:
        client = await fleet.open(SHELL)
        await client.wait_output(b"box-1")
        for _ in range(3):  # keep the session busy past the start-time deadline
            client.send(b"\r")
            await asyncio.sleep(0.4)
        session = fleet.server.sessions.get(client.channel.session_id)
        assert session is not None and session.active


async def test_kms_encrypted_shell_end_to_end() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(KMS_SHELL)
        await client.wait_for(lambda: client.started is not None)
        assert client.started is not None and client.started.encrypted
        assert "KMS" in client.started.customer_message
        client.send_size(90, 30)
        client.send(b"echo $((6*7)); stty size\r")
        await client.wait_output(b"30 90")
        assert b"42" in client.output


async def test_fleet_wide_kms_key_encrypts_instances_without_their_own() -> None:
    fleet_model = make_fleet()
    fleet_model.kms_key_id = KMS_KEY_ID
    async with running_fleet(fleet_model) as fleet:
        client = await fleet.open(SHELL)  # box-1 names no key of its own
        await client.wait_for(lambda: client.started is not None)
        assert client.started is not None and client.started.encrypted
        assert client.started.customer_message == "This session is encrypted using AWS KMS."
        client.send(b"echo $((6*7))\r")
        await client.wait_output(b"42")


FAULTS = {
    "drop": Faults(drop=0.2),
    "dup": Faults(dup=0.3),
    "reorder": Faults(reorder=0.3),
    "delay": Faults(delay=0.01),
    "corrupt": Faults(corrupt=0.2),
    "withhold-acks": Faults(withhold_acks=0.3),
    "close-every": Faults(close_every=0.3),
    "pause": Faults(pause=0.2),
}


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_transfer_is_byte_exact_under_fault(kind: str) -> None:
    async with echo_server() as echo:
        fleet_model = make_fleet(ports={8080: f"127.0.0.1:{echo}"}, faults=FAULTS[kind])
        async with running_fleet(fleet_model) as fleet:
            client = await fleet.open(
                PORTS, "AWS-StartPortForwardingSession", auto_resume=True, portNumber="8080"
            )
            mux = MuxClient(client)
            await client.wait_for(lambda: client.started is not None)
            data = os.urandom(60_000)
            stream_id = mux.open_stream()
            mux.send(stream_id, data[:30_000])
            # The timed faults must strike mid-transfer, whatever the machine's speed.
            if kind == "close-every":
                await client.wait_for(lambda: client.connections > 1)
            if kind == "pause":
                await client.wait_for(lambda: client.publication_pauses > 0)
            mux.send(stream_id, data[30_000:])
            mux.close_stream(stream_id)
            assert await mux.wait_ended(stream_id, timeout=20) == data

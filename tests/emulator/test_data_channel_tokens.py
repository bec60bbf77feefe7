"""Who may open a data channel: the token StartSession or the latest ResumeSession issued, once."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.emulator.client_loop import nul_padded_hex_digest
from tests.emulator.fleet_harness import SHELL, running_fleet


async def _refused(stream_url: str, first_frame: str | bytes) -> int | None:
    """Send one first frame and return the close code the server answered with."""
    async with connect(stream_url) as ws:
        await ws.send(first_frame)
        try:
            frame = await ws.recv()
        except ConnectionClosed:
            return ws.close_code
        raise AssertionError(f"the server sent {frame!r} instead of closing")


def _open(token: str) -> str:
    return json.dumps(
        {"MessageSchemaVersion": "1.0", "RequestId": "r", "TokenValue": token, "ClientId": "c"}
    )


async def test_wrong_token_is_refused_and_creates_no_session_runtime() -> None:
    async with running_fleet() as fleet:
        response = await fleet.start_session(SHELL)
        code = await _refused(response["StreamUrl"], _open("AAEAAnot-the-token"))
        assert code == 1008
        assert fleet.endpoint.agent(response["SessionId"]) is None


async def test_a_token_works_only_once() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        await client.wait_output(b"box-1")
        await client.drop()
        code = await _refused(client.stream_url, _open(client.token))
        assert code == 1008


async def test_only_the_latest_resume_token_is_accepted() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL)
        await client.drop()
        stale = await fleet.resume_token(client.channel.session_id)
        latest = await fleet.resume_token(client.channel.session_id)
        assert await _refused(client.stream_url, _open(stale)) == 1008
        await client.connect(latest)
        client.send(b"echo $((6*7))\r")
        await client.wait_output(b"42")


async def test_first_frame_must_be_the_open_data_channel_text_frame() -> None:
    async with running_fleet() as fleet:
        response = await fleet.start_session(SHELL)
        assert await _refused(response["StreamUrl"], b"\x00binary") == 1008
        assert await _refused(response["StreamUrl"], "not json") == 1008


async def test_nul_padded_types_and_hex_digests_from_the_client_are_accepted() -> None:
    async with running_fleet() as fleet:
        response = await fleet.start_session(SHELL)
        from tests.emulator.client_loop import ClientLoop

        client = ClientLoop(
            session_id=response["SessionId"],
            target=SHELL,
            stream_url=response["StreamUrl"],
            rewrite=nul_padded_hex_digest,
        )
        fleet.clients.append(client)
        await client.connect(response["TokenValue"])
        client.send_size(100, 30)
        client.send(b"echo $((6*7))\r")
        await client.wait_output(b"42")

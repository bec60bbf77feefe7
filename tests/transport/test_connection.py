"""DataChannelConnection against the emulator's websocket: reconnects keep the stream whole."""

from __future__ import annotations

from ssm_tui.emulator.faults import Faults
from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import DataReceived, ExitCodeReceived
from ssm_tui.protocol.versions import CLIENT_VERSION
from ssm_tui.transport.backoff import Backoff
from ssm_tui.transport.connection import DataChannelConnection, Endpoint, SessionGone
from ssm_tui.transport.state import ConnectionState, Phase
from tests.sessions.lab import FAULTY, Lab

# 3 MB over at least 1.5 s, so that several 0.3 s websocket closes land mid-stream.
COMMAND = "for i in $(seq 10); do head -c 300000 /dev/zero | tr '\\0' y; sleep 0.15; done"


async def start_exec(lab: Lab, command: str) -> tuple[DataChannel, Endpoint]:
    ticket = await lab.api.start_session(
        FAULTY, document_name="AWS-StartNonInteractiveCommand", parameters={"command": [command]}
    )
    channel = DataChannel(
        Role.CLIENT, session_id=ticket.session_id, target=FAULTY, client_version=CLIENT_VERSION
    )
    return channel, Endpoint(stream_url=ticket.stream_url, token=ticket.token_value)


async def test_output_survives_websocket_closes_mid_stream(lab: Lab) -> None:
    lab.set_faults(FAULTY, Faults(close_every=0.3))
    channel, endpoint = await start_exec(lab, COMMAND)
    output = bytearray()
    exit_codes: list[int] = []
    states: list[ConnectionState] = []
    resumes = 0

    def on_event(event: object) -> None:
        if isinstance(event, DataReceived):
            output.extend(event.data)
        elif isinstance(event, ExitCodeReceived):
            exit_codes.append(event.exit_code)

    async def resume() -> Endpoint:
        nonlocal resumes
        resumes += 1
        ticket = await lab.api.resume_session(channel.session_id)
        return Endpoint(stream_url=ticket.stream_url, token=ticket.token_value)

    connection = DataChannelConnection(
        channel, endpoint, resume=resume, on_event=on_event, on_state=states.append
    )
    reason = await connection.run()
    assert bytes(output) == b"y" * 3_000_000
    assert exit_codes == [0]
    assert resumes >= 1
    phases = [s.phase for s in states]
    assert Phase.RECONNECTING in phases
    assert phases[-1] is Phase.ENDED
    assert connection.state.reason == reason


async def test_empty_resume_token_ends_the_session_as_timed_out(lab: Lab) -> None:
    lab.set_faults(FAULTY, Faults(close_every=0.2))
    channel, endpoint = await start_exec(lab, "sleep 30")

    async def resume() -> Endpoint:
        return Endpoint(stream_url=endpoint.stream_url, token="")

    connection = DataChannelConnection(channel, endpoint, resume=resume, on_event=lambda e: None)
    reason = await connection.run()
    assert "timed out" in reason


async def test_terminated_session_is_not_resumed_forever(lab: Lab) -> None:
    lab.set_faults(FAULTY, Faults(close_every=0.2))
    channel, endpoint = await start_exec(lab, "sleep 30")

    async def resume() -> Endpoint:
        raise SessionGone("session was terminated")

    connection = DataChannelConnection(channel, endpoint, resume=resume, on_event=lambda e: None)
    assert await connection.run() == "session was terminated"


async def test_failing_resume_gives_up_when_the_budget_is_spent(lab: Lab) -> None:
    lab.set_faults(FAULTY, Faults(close_every=0.2))
    channel, endpoint = await start_exec(lab, "sleep 30")
    attempts = 0

    async def resume() -> Endpoint:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("endpoint down")

    connection = DataChannelConnection(
        channel,
        endpoint,
        resume=resume,
        on_event=lambda e: None,
        backoff=Backoff(initial=0.01, cap=0.05, budget=0.5),
    )
    reason = await connection.run()
    assert "could not reconnect" in reason
    assert "endpoint down" in reason
    assert attempts >= 2


async def test_unreachable_stream_url_fails_after_a_few_attempts(lab: Lab) -> None:
    channel = DataChannel(Role.CLIENT, session_id="s-1", target=FAULTY)

    async def resume() -> Endpoint:
        raise AssertionError("never resumed before the first connection")

    connection = DataChannelConnection(
        channel,
        Endpoint(stream_url="ws://127.0.0.1:9/v1/data-channel/s-1", token="t"),
        resume=resume,
        on_event=lambda e: None,
        backoff=Backoff(initial=0.01, cap=0.02),
    )
    reason = await connection.run()
    assert reason.startswith("cannot open the data channel")

"""The channel's lifecycle table, fuzzed over every (state, input) pair as h2 does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.errors import LocalProtocolError
from ssm_tui.protocol.lifecycle import TRANSITIONS, ChannelInput, ChannelState, Lifecycle
from ssm_tui.protocol.message import new_message_id
from ssm_tui.protocol.role import Role

from .link import START
from .peers import agent, client, frame, running_agent

S, In = ChannelState, ChannelInput
NOW = START
PAIRS = [(role, state, event) for role in Role for state in S for event in In]


@pytest.mark.parametrize(("role", "state", "event"), PAIRS)
def test_every_state_and_input_moves_per_the_table_or_raises(
    role: Role, state: ChannelState, event: ChannelInput
) -> None:
    lifecycle = Lifecycle(role, state)
    expected = TRANSITIONS[role].get((state, event))
    if expected is None:
        with pytest.raises(LocalProtocolError):
            lifecycle.process(event)
        assert lifecycle.state is state
    else:
        assert lifecycle.process(event) is expected
        assert lifecycle.state is expected


def reachable(role: Role, start: ChannelState = S.OPENING) -> set[ChannelState]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, _), target in TRANSITIONS[role].items():
            if source is state and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_each_role_reaches_its_states_and_only_the_agent_sends_channel_closed() -> None:
    assert reachable(Role.AGENT) == set(S)
    assert reachable(Role.CLIENT) == set(S) - {S.CLOSE_SENT}


@pytest.mark.parametrize("role", list(Role))
def test_a_closed_channel_only_closes_again(role: Role) -> None:
    for state in (S.CLOSED, S.CLOSE_SENT):
        moves = {event for (source, event) in TRANSITIONS[role] if source is state}
        assert moves <= {In.CLOSE}


# -- the real channel, put in each state and given every call -----------------------------


def publication(kind: str) -> bytes:
    return frame(0, b"{}", payload_type=0, message_type=kind, flags=3)


def closed_by_service() -> bytes:
    return frame(
        0, b'{"SessionId":"s","Output":"bye"}', payload_type=0, message_type="channel_closed"
    )


def opening_agent() -> DataChannel:
    channel = agent(session_type="Port", properties={"portNumber": "22"})
    channel.start(now=NOW)
    return channel


def running_client() -> DataChannel:
    channel = client()
    channel.receive_message(frame(0, b"$ "), now=NOW)
    return channel


def paused(make: Callable[[], DataChannel]) -> Callable[[], DataChannel]:
    def build() -> DataChannel:
        channel = make()
        channel.receive_message(publication("pause_publication"), now=NOW)
        return channel

    return build


def closed(make: Callable[[], DataChannel]) -> Callable[[], DataChannel]:
    def build() -> DataChannel:
        channel = make()
        channel.receive_message(closed_by_service(), now=NOW)
        return channel

    return build


def agent_closed() -> DataChannel:
    channel = running_agent()
    channel.close(now=NOW, output="done")
    return channel


BUILDERS: dict[tuple[Role, ChannelState], Callable[[], DataChannel]] = {
    (Role.CLIENT, S.OPENING): client,
    (Role.CLIENT, S.OPENING_PAUSED): paused(client),
    (Role.CLIENT, S.RUNNING): running_client,
    (Role.CLIENT, S.RUNNING_PAUSED): paused(running_client),
    (Role.CLIENT, S.CLOSED): closed(running_client),
    (Role.AGENT, S.OPENING): opening_agent,
    (Role.AGENT, S.OPENING_PAUSED): paused(opening_agent),
    (Role.AGENT, S.RUNNING): running_agent,
    (Role.AGENT, S.RUNNING_PAUSED): paused(running_agent),
    (Role.AGENT, S.CLOSED): closed(running_agent),
    (Role.AGENT, S.CLOSE_SENT): agent_closed,
}

ack_body = (
    b'{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"%s",'
    b'"AcknowledgedMessageSequenceNumber":0,"IsSequentialMessage":true}'
)

INBOUND = {
    "output": frame(0, b"out"),
    "input": frame(0, b"in", message_type="input_stream_data"),
    "ack": frame(
        0, ack_body % new_message_id().hex().encode(), payload_type=0, message_type="acknowledge"
    ),
    "channel_closed": closed_by_service(),
    "pause_publication": publication("pause_publication"),
    "start_publication": publication("start_publication"),
    "garbage": b"\x00" * 10,
}


def receiving(raw: bytes) -> Callable[[DataChannel], object]:
    return lambda channel: channel.receive_message(raw, now=NOW)


CALLS: dict[str, Callable[[DataChannel], object]] = {
    **{f"receive {name}": receiving(raw) for name, raw in INBOUND.items()},
    "start": lambda c: c.start(now=NOW),
    "send_data": lambda c: c.send_data(b"x", now=NOW),
    "send_stderr": lambda c: c.send_stderr(b"x", now=NOW),
    "send_size": lambda c: c.send_size(80, 24, now=NOW),
    "send_flag": lambda c: c.send_flag(1, now=NOW),
    "send_exit_code": lambda c: c.send_exit_code(0, now=NOW),
    "provide_data_key": lambda c: c.provide_data_key(bytes(64), b"blob", now=NOW),
    "reject_data_key": lambda c: c.reject_data_key("denied", now=NOW),
    "reconnected": lambda c: c.reconnected(now=NOW),
    "pause_receiving": lambda c: c.pause_receiving(now=NOW),
    "resume_receiving": lambda c: c.resume_receiving(now=NOW),
    "handle_timer": lambda c: c.handle_timer(now=NOW + 60),
    "close": lambda c: c.close(now=NOW),
}


def test_the_builders_put_each_channel_in_the_state_they_name() -> None:
    for (role, state), build in BUILDERS.items():
        channel = build()
        assert (channel.role, channel.state) == (role, state)


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize(("role", "state"), list(BUILDERS))
def test_every_call_in_every_state_follows_the_table_or_raises_local_protocol_error(
    role: Role, state: ChannelState, call: str
) -> None:
    channel = BUILDERS[role, state]()
    try:
        CALLS[call](channel)
    except LocalProtocolError:
        assert channel.state is state, "a refused call changed the state"
        assert not call.startswith("receive"), "peer input must never raise"
        return
    assert channel.state in reachable(role, state)
    assert channel.closed is not channel.state.is_open
    if not channel.state.is_open:
        assert channel.get_timer() is None

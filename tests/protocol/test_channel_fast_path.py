"""The client's lean path for in-order Output changes nothing observable (§2.7, §9.2).

Every scenario is fed to two clients: one as shipped, one forced down the general
decoder. Events must be equal, and so must every frame they send, but for the random
MessageId each ack carries (and so its position in the header).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_tui.protocol import inbox as inbox_module
from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import DataReceived
from ssm_tui.protocol.message import Message, decode_message
from ssm_tui.protocol.output_frame import read_output

from .link import START
from .peers import SESSION, TARGET, frame

SHELL_REQUEST = json.dumps(
    {
        "AgentVersion": "3.3.0.0",
        "RequestedClientActions": [
            {
                "ActionType": "SessionType",
                "ActionParameters": {"SessionType": "Standard_Stream", "Properties": None},
            }
        ],
    }
).encode()
COMPLETE = b'{"HandshakeTimeToComplete":1,"CustomerMessage":""}'


class GeneralPathClient(DataChannel):
    """A client that never takes the lean path."""

    def _lean_path_open(self) -> bool:
        return False


@dataclass(frozen=True)
class Step:
    """One thing that happens to the client: an inbound frame or a local call."""

    raw: bytes = b""
    call: str = ""


def corrupt_digest(raw: bytes) -> bytes:
    return raw[:80] + bytes(32) + raw[112:]


@st.composite
def steps(draw: st.DrawFn, first: int) -> Step:
    kind = draw(st.sampled_from(["output"] * 6 + ["other", "corrupt", "call", "publication"]))
    seq = first + draw(st.integers(min_value=0, max_value=8))
    if kind == "call":
        return Step(call=draw(st.sampled_from(["pause_receiving", "resume_receiving"])))
    if kind == "publication":
        name = draw(st.sampled_from(["pause_publication", "start_publication"]))
        return Step(raw=frame(0, b"{}", payload_type=0, message_type=name))
    payload = draw(st.binary(min_size=1, max_size=40))
    if kind == "other":
        payload_type, payload = draw(
            st.sampled_from([(11, payload), (12, b"EXIT_CODE: 3"), (10, b"\x00\x00\x00\x02")])
        )
        return Step(raw=frame(seq, payload, payload_type=payload_type))
    raw = frame(seq, payload)
    return Step(raw=corrupt_digest(raw) if kind == "corrupt" else raw)


def comparable(raw: bytes) -> tuple[object, ...]:
    """Everything about a sent frame except its own random MessageId."""
    m: Message = decode_message(raw)
    return (m.message_type, m.sequence_number, m.flags, m.payload_type, m.created_date, m.payload)


def run(channel: DataChannel, script: list[Step]) -> tuple[list[object], list[object]]:
    events: list[object] = []
    sent: list[object] = []
    for tick, step in enumerate(script):
        now = START + tick / 1000
        if step.call:
            getattr(channel, step.call)(now=now)
        else:
            channel.receive_message(step.raw, now=now)
        events += channel.events()
        sent += [comparable(raw) for raw in channel.messages_to_send()]
    return events, sent


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), handshake=st.booleans())
def test_fast_and_general_paths_emit_the_same_events_and_acks(
    data: st.DataObject, handshake: bool
) -> None:
    first = 2 if handshake else 0
    script = []
    if handshake:
        script = [
            Step(raw=frame(0, SHELL_REQUEST, payload_type=5)),
            Step(raw=frame(1, COMPLETE, payload_type=7)),
        ]
    # In-order Output from the start, so most scenarios spend time on the lean path.
    script += [
        Step(raw=frame(first + i, b"out %d" % i)) for i in range(data.draw(st.integers(0, 4)))
    ]
    script += data.draw(st.lists(steps(first), max_size=30))
    script.append(Step(call="resume_receiving"))

    def make(cls: type[DataChannel]) -> DataChannel:
        return cls(Role.CLIENT, session_id=SESSION, target=TARGET)

    assert run(make(DataChannel), script) == run(make(GeneralPathClient), script)


def test_the_lean_path_takes_in_order_output_once_the_session_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hits: list[int] = []

    def counting(raw: bytes, expected: int) -> tuple[bytes, bytes] | None:
        result = read_output(raw, expected)
        if result is not None:
            hits.append(expected)
        return result

    monkeypatch.setattr(inbox_module, "read_output", counting)
    client = DataChannel(Role.CLIENT, session_id=SESSION, target=TARGET)
    events, _ = run(client, [Step(raw=frame(seq, b"x")) for seq in range(4)])
    # Seq 0 starts the plain shell on the general path (§7); the rest go the lean way.
    assert hits == [1, 2, 3]
    assert [e for e in events if isinstance(e, DataReceived)] == [DataReceived(data=b"x")] * 4

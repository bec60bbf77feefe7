"""Random and mutated frames never make the decoder or a DataChannel raise anything but
RemoteProtocolError (decoder) or nothing at all (channel: it reports MessageRejected)."""

from __future__ import annotations

import contextlib
import json
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.errors import RemoteProtocolError
from ssm_tui.protocol.message import MessageType, PayloadType, build_frame, decode_message

from .link import START
from .peers import SESSION, TARGET

FUZZ = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])

TYPES = [t.value for t in MessageType]
JSON_BODIES = [
    b"{}",
    b"null",
    b'{"AcknowledgedMessageSequenceNumber":0}',
    json.dumps(
        {
            "AgentVersion": "3.3.0.0",
            "RequestedClientActions": [
                {
                    "ActionType": "SessionType",
                    "ActionParameters": {"SessionType": "Port", "Properties": {}},
                }
            ],
        }
    ).encode(),
    json.dumps(
        {
            "AgentVersion": "1",
            "RequestedClientActions": [
                {"ActionType": "KMSEncryption", "ActionParameters": {"KMSKeyId": "k"}}
            ],
        }
    ).encode(),
    json.dumps(
        {
            "ClientVersion": "1",
            "ProcessedClientActions": [{"ActionType": "SessionType", "ActionStatus": 1}],
        }
    ).encode(),
    b'{"HandshakeTimeToComplete":1,"CustomerMessage":"x"}',
    b'{"Challenge":"AAAA"}',
    b'{"cols":80,"rows":24}',
    b"\0\0\0\x02",
    b"EXIT_CODE: 1",
]


@st.composite
def plausible_frames(draw: st.DrawFn) -> bytes:
    """Well-formed frames with hostile field values, then optionally mutated."""
    payload = draw(st.sampled_from(JSON_BODIES) | st.binary(min_size=1, max_size=64))
    raw = build_frame(
        draw(st.sampled_from(TYPES) | st.text("abc_", min_size=1, max_size=32)),
        sequence_number=draw(st.integers(-2, 6) | st.integers(-(2**63), 2**63 - 1)),
        payload=payload,
        created_date=draw(st.integers(1, 2**64 - 1)),
        payload_type=draw(st.sampled_from(list(PayloadType)) | st.integers(0, 2**32 - 1)),
        flags=draw(st.integers(0, 2**64 - 1)),
        message_id=draw(st.binary(min_size=16, max_size=16)),
        header_length=draw(st.sampled_from([112, 116])),
    )
    mutations = draw(
        st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=4)
    )
    mutated = bytearray(raw)
    for index, value in mutations:
        mutated[index] = value
    cut = draw(st.none() | st.integers(0, len(raw)))
    if cut is not None:
        mutated = mutated[:cut]
    if len(mutated) >= 4 and draw(st.booleans()):
        struct.pack_into(">I", mutated, 0, draw(st.integers(0, 2**32 - 1)))  # any header length
    return bytes(mutated)


frames = plausible_frames() | st.binary(max_size=300)


@FUZZ
@given(raw=frames, verify=st.booleans())
def test_decoding_raises_only_remote_protocol_errors(raw: bytes, verify: bool) -> None:
    with contextlib.suppress(RemoteProtocolError):
        decode_message(raw, verify_digest=verify)


@pytest.mark.parametrize("role", [Role.CLIENT, Role.AGENT])
@pytest.mark.parametrize("kms", [False, True])
@FUZZ
@given(batch=st.lists(frames, max_size=12))
def test_a_channel_survives_any_sequence_of_frames(
    role: Role, kms: bool, batch: list[bytes]
) -> None:
    channel = DataChannel(
        role,
        session_id=SESSION,
        target=TARGET,
        session_type="Port" if role is Role.AGENT else "Standard_Stream",
        kms_key_id="alias/k" if kms else None,
    )
    now = START
    if role is Role.AGENT:
        channel.start(now=now)
    for raw in batch:
        now += 0.05
        channel.receive_message(raw, now=now)
        channel.handle_timer(now=now)
        channel.events()
        channel.messages_to_send()

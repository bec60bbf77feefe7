"""Acknowledges on the hot path (protocol.md §6.2): built and read like any other ack."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_tui.protocol.ack_codec import AckEncoder, acked_sequence_number
from ssm_tui.protocol.errors import RemoteProtocolError
from ssm_tui.protocol.message import HEADER_LENGTH, decode_message
from ssm_tui.protocol.payloads import Acknowledgement

CREATED = 1_700_000_000_000


def wire_form(message_id: uuid.UUID) -> bytes:
    """§2.3: the least significant half goes first on the wire."""
    return message_id.bytes[8:] + message_id.bytes[:8]


def test_the_worked_example_id_is_named_in_canonical_form() -> None:
    # §2.3: wire bytes 88..77 were acked as 00112233-...-aabbccddeeff by the plugin.
    wire = bytes.fromhex("8899aabbccddeeff0011223344556677")
    ack = decode_message(AckEncoder("output_stream_data").encode(wire, 5, CREATED))
    assert json.loads(ack.payload)["AcknowledgedMessageId"] == (
        "00112233-4455-6677-8899-aabbccddeeff"
    )


@given(
    message_id=st.uuids(),
    sequence_number=st.integers(min_value=0, max_value=2**63 - 1),
    acked_type=st.sampled_from(["output_stream_data", "input_stream_data"]),
    created=st.integers(min_value=1, max_value=2**64 - 1),
)
def test_an_ack_is_a_standard_acknowledge_of_the_message(
    message_id: uuid.UUID, sequence_number: int, acked_type: str, created: int
) -> None:
    raw = AckEncoder(acked_type).encode(wire_form(message_id), sequence_number, created)
    ack = decode_message(raw, verify_digest=True)
    assert (ack.message_type, ack.header_length, ack.schema_version) == (
        "acknowledge",
        HEADER_LENGTH,
        1,
    )
    assert (ack.sequence_number, ack.flags, ack.payload_type, ack.created_date) == (
        0,
        3,
        0,
        created,
    )
    assert ack.message_id.version == 4 and ack.message_id != message_id
    assert json.loads(ack.payload) == {
        "AcknowledgedMessageType": acked_type,
        "AcknowledgedMessageId": str(message_id),
        "AcknowledgedMessageSequenceNumber": sequence_number,
        "IsSequentialMessage": True,
    }
    # Byte for byte what the general payload encoder writes.
    assert (
        ack.payload
        == Acknowledgement(
            message_type=acked_type, message_id=str(message_id), sequence_number=sequence_number
        ).to_json()
    )


def standard_body(seq: object, *, sequential: str = "true") -> bytes:
    return (
        '{"AcknowledgedMessageType":"output_stream_data",'
        '"AcknowledgedMessageId":"00112233-4455-6677-8899-aabbccddeeff",'
        f'"AcknowledgedMessageSequenceNumber":{seq},"IsSequentialMessage":{sequential}}}'
    ).encode()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(standard_body(7), id="standard"),
        pytest.param(standard_body(-3, sequential="false"), id="negative, not sequential"),
        pytest.param(standard_body(7).replace(b",", b", "), id="spaced: parsed as JSON"),
        pytest.param(b'{"AcknowledgedMessageSequenceNumber":9}', id="sparse: parsed as JSON"),
        pytest.param(standard_body(10**30), id="big number"),
    ],
)
def test_acked_sequence_numbers_match_the_json_parser(payload: bytes) -> None:
    assert acked_sequence_number(payload) == Acknowledgement.from_json(payload).sequence_number


@pytest.mark.parametrize(
    "payload",
    [standard_body("01"), standard_body("true"), standard_body('"7"'), b"[]", b"{"],
)
def test_malformed_acks_are_refused_like_the_json_parser(payload: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        Acknowledgement.from_json(payload)
    with pytest.raises(RemoteProtocolError):
        acked_sequence_number(payload)


@given(
    seq=st.one_of(st.integers(), st.text(max_size=4)),
    kind=st.text(max_size=20),
    message_id=st.text(max_size=40),
)
def test_the_lean_ack_reader_agrees_with_the_json_parser(
    seq: object, kind: str, message_id: str
) -> None:
    payload = (
        f'{{"AcknowledgedMessageType":"{kind}","AcknowledgedMessageId":"{message_id}",'
        f'"AcknowledgedMessageSequenceNumber":{seq},"IsSequentialMessage":true}}'
    ).encode()
    try:
        expected: int | None = Acknowledgement.from_json(payload).sequence_number
    except RemoteProtocolError:
        expected = None
    try:
        actual: int | None = acked_sequence_number(payload)
    except RemoteProtocolError:
        actual = None
    assert actual == expected

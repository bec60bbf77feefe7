"""The wire codec (protocol.md §2): exact encoding, tolerant decoding, precise rejections."""

from __future__ import annotations

import hashlib
import struct
import uuid

import pytest

from ssm_tui.protocol.errors import LocalProtocolError, RemoteProtocolError
from ssm_tui.protocol.message import (
    Message,
    MessageType,
    PayloadType,
    build_frame,
    decode_message,
    encode_message,
    new_message_id,
    uuid_text,
)

EXAMPLE_ID = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
# §2.8, copied from the hex dump.
EXAMPLE_FRAME = bytes.fromhex(
    "00000074696e7075745f73747265616d"
    "5f646174612020202020202020202020"
    "20202020000000010000018bcfe56800"
    "00000000000000050000000000000000"
    "8899aabbccddeeff0011223344556677"
    "1d887ce0f8672e4914d9000e801cd74e"
    "cd805dd9366c0bc42dc16adc0197dc2f"
    "0000000100000003"
    "6c730d"
)


def example_message() -> Message:
    return Message(
        message_type=MessageType.INPUT_STREAM_DATA,
        sequence_number=5,
        payload=b"ls\r",
        payload_type=PayloadType.OUTPUT,
        message_id=EXAMPLE_ID,
        created_date=1_700_000_000_000,
    )


def frame(
    message_type: bytes = b"output_stream_data".ljust(32),
    *,
    payload: bytes = b"hello",
    header_length: int = 116,
    created: int = 1_700_000_000_000,
    digest: bytes | None = None,
    payload_length: int | None = None,
    payload_type: int = 1,
) -> bytes:
    """A hand-built frame, so malformed shapes can be produced on purpose."""
    head = struct.pack(">I32sIQqQ", header_length, message_type, 1, created, 7, 0)
    head += EXAMPLE_ID.bytes[8:] + EXAMPLE_ID.bytes[:8]
    head += hashlib.sha256(payload).digest() if digest is None else digest
    if header_length >= 116:
        head += struct.pack(">I", payload_type).ljust(header_length - 112, b"\0")
    length = len(payload) if payload_length is None else payload_length
    return head + struct.pack(">I", length) + payload


class TestEncoding:
    def test_the_protocol_example_encodes_byte_for_byte(self) -> None:
        assert encode_message(example_message()) == EXAMPLE_FRAME
        assert len(EXAMPLE_FRAME) == 123

    def test_the_protocol_example_decodes_to_its_fields(self) -> None:
        message = decode_message(EXAMPLE_FRAME)
        assert message == Message(
            message_type=MessageType.INPUT_STREAM_DATA,
            schema_version=1,
            created_date=1_700_000_000_000,
            sequence_number=5,
            flags=0,
            message_id=EXAMPLE_ID,
            payload_digest=hashlib.sha256(b"ls\r").digest(),
            payload_type=1,
            payload=b"ls\r",
            header_length=116,
        )

    def test_message_id_halves_are_swapped_on_the_wire(self) -> None:
        wire = encode_message(example_message())
        assert wire[64:72] == bytes.fromhex("8899aabbccddeeff")
        assert wire[72:80] == bytes.fromhex("0011223344556677")

    def test_an_empty_payload_is_refused(self) -> None:
        with pytest.raises(LocalProtocolError, match="empty"):
            encode_message(
                Message(message_type="acknowledge", sequence_number=0, payload=b"", created_date=1)
            )

    def test_a_zero_created_date_is_refused(self) -> None:
        with pytest.raises(LocalProtocolError, match="CreatedDate"):
            encode_message(
                Message(message_type="acknowledge", sequence_number=0, payload=b"x", created_date=0)
            )

    @pytest.mark.parametrize("name", ["", "x" * 33, "caf\u00e9"])
    def test_a_type_name_that_cannot_fill_the_field_is_refused(self, name: str) -> None:
        with pytest.raises(LocalProtocolError, match="message type"):
            encode_message(
                Message(message_type=name, sequence_number=0, payload=b"x", created_date=1)
            )

    def test_an_out_of_range_field_is_a_local_error(self) -> None:
        with pytest.raises(LocalProtocolError, match="out of range"):
            encode_message(
                Message(
                    message_type="acknowledge", sequence_number=2**63, payload=b"x", created_date=1
                )
            )

    def test_header_length_112_reproduces_the_services_channel_closed(self) -> None:
        wire = build_frame(
            "channel_closed",
            sequence_number=0,
            payload=b"{}",
            created_date=1,
            message_id=EXAMPLE_ID.bytes,
            header_length=112,
        )
        assert wire[:4] == b"\0\0\0\x70"
        assert wire[112:116] == b"\0\0\0\x02"
        assert decode_message(wire).payload == b"{}"

    def test_other_header_lengths_are_refused(self) -> None:
        with pytest.raises(LocalProtocolError, match="116 or 112"):
            build_frame(
                "x",
                sequence_number=0,
                payload=b"x",
                created_date=1,
                message_id=bytes(16),
                header_length=120,
            )

    def test_new_message_ids_are_version_4_uuids(self) -> None:
        # More than one pool's worth (256), so a refill is checked too.
        ids = {uuid.UUID(bytes=new_message_id()) for _ in range(1000)}
        assert len(ids) == 1000
        assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)

    def test_uuid_text_is_the_canonical_string_form(self) -> None:
        assert uuid_text(EXAMPLE_ID.bytes) == "00112233-4455-6677-8899-aabbccddeeff"
        some = uuid.uuid4()
        assert uuid_text(some.bytes) == str(some)


class TestTolerantDecoding:
    def test_service_channel_closed_with_header_length_112(self) -> None:
        payload = b'{"SessionId":"s-1","Output":"bye"}'
        message = decode_message(
            frame(b"channel_closed".ljust(32), payload=payload, header_length=112)
        )
        assert message.message_type is MessageType.CHANNEL_CLOSED
        assert message.header_length == 112
        assert message.payload_type == 0
        assert message.payload == payload

    def test_a_type_right_justified_behind_15_nuls(self) -> None:
        field = b"\0" * 15 + b"input_stream_data"
        assert len(field) == 32
        message = decode_message(frame(field))
        assert message.message_type is MessageType.INPUT_STREAM_DATA

    def test_a_nul_padded_left_aligned_type(self) -> None:
        message = decode_message(frame(b"acknowledge".ljust(32, b"\0")))
        assert message.message_type is MessageType.ACKNOWLEDGE

    def test_an_unknown_type_decodes_as_its_plain_name(self) -> None:
        message = decode_message(frame(b"agent_job".ljust(32)))
        assert message.message_type == "agent_job"
        assert not isinstance(message.message_type, MessageType)

    def test_a_longer_header_is_skipped_using_its_length(self) -> None:
        message = decode_message(frame(header_length=124, payload=b"abc"))
        assert message.payload == b"abc"
        assert message.header_length == 124

    def test_payload_length_is_not_trusted_for_slicing(self) -> None:
        message = decode_message(frame(payload=b"abcdef", payload_length=2), verify_digest=False)
        assert message.payload == b"abcdef"

    def test_a_zero_payload_length_skips_the_digest_check(self) -> None:
        message = decode_message(frame(payload=b"", digest=bytes(32)))
        assert message.payload == b""

    def test_publication_messages_skip_every_check(self) -> None:
        message = decode_message(frame(b"pause_publication".ljust(32), created=0, digest=bytes(32)))
        assert message.message_type is MessageType.PAUSE_PUBLICATION

    def test_decoding_accepts_any_bytes_like_buffer(self) -> None:
        assert decode_message(memoryview(EXAMPLE_FRAME)).payload == b"ls\r"


class TestDigest:
    HEX_DIGEST = hashlib.sha256(b"hello").hexdigest()[:32].encode()

    def test_a_hex_digest_is_accepted_by_the_agent_role(self) -> None:
        # §2.7: the browser client writes 32 hex characters and real agents accept it.
        raw = frame(b"input_stream_data".ljust(32), digest=self.HEX_DIGEST)
        assert decode_message(raw, verify_digest=False).payload == b"hello"

    def test_a_hex_digest_is_rejected_by_the_client_role(self) -> None:
        raw = frame(digest=self.HEX_DIGEST)
        with pytest.raises(RemoteProtocolError, match="digest"):
            decode_message(raw, verify_digest=True)


class TestRejections:
    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            (b"", "shorter"),
            (EXAMPLE_FRAME[:115], "shorter"),
            (b"\0\0\0\0" + EXAMPLE_FRAME[4:], "too small"),
            (b"\0\0\0\x6f" + EXAMPLE_FRAME[4:], "too small"),
            (b"\xff\xff\xff\xff" + EXAMPLE_FRAME[4:], "ends inside"),
            (EXAMPLE_FRAME[:118], "ends inside"),
        ],
    )
    def test_truncated_or_impossible_headers(self, raw: bytes, reason: str) -> None:
        with pytest.raises(RemoteProtocolError, match=reason):
            decode_message(raw)

    def test_an_empty_type(self) -> None:
        with pytest.raises(RemoteProtocolError, match="empty"):
            decode_message(frame(b"\0" * 16 + b" " * 16))

    def test_a_non_ascii_type(self) -> None:
        with pytest.raises(RemoteProtocolError, match="ASCII"):
            decode_message(frame(b"\xff" * 32))

    def test_a_zero_created_date(self) -> None:
        with pytest.raises(RemoteProtocolError, match="CreatedDate"):
            decode_message(frame(created=0))

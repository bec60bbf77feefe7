"""The lean Output reader agrees with the general decoder wherever it answers (§2.7)."""

from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssm_tui.protocol.message import build_frame, decode_frame, new_message_id
from ssm_tui.protocol.output_frame import read_output

CREATED = 1_700_000_000_000


def output(seq: int = 7, payload: bytes = b"hello", **fields: object) -> bytes:
    options: dict[str, object] = {
        "sequence_number": seq,
        "payload": payload,
        "created_date": CREATED,
        "payload_type": 1,
        "message_id": new_message_id(),
    }
    options.update(fields)
    kind = str(options.pop("message_type", "output_stream_data"))
    return build_frame(kind, **options)  # type: ignore[arg-type]


def patched(raw: bytes, offset: int, value: bytes) -> bytes:
    return raw[:offset] + value + raw[offset + len(value) :]


def test_the_next_output_yields_its_wire_id_and_payload() -> None:
    raw = output(7, b"hello")
    frame = decode_frame(raw)
    assert read_output(raw, 7) == (raw[64:80], b"hello")
    # §2.3: the wire id is the canonical one with its halves swapped.
    assert raw[72:80] + raw[64:72] == frame.message_id


def test_it_reads_bytearrays_and_memoryviews_too() -> None:
    raw = output(0, b"x" * 300)
    assert (
        read_output(bytearray(raw), 0)
        == read_output(memoryview(raw), 0)
        == (
            raw[64:80],
            b"x" * 300,
        )
    )


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(output(8), id="not the expected sequence number"),
        pytest.param(output(message_type="input_stream_data"), id="other message type"),
        pytest.param(output(payload_type=11), id="other payload type"),
        pytest.param(output(header_length=112), id="112-byte header"),
        pytest.param(patched(output(), 4, b"\0" * 14 + b"output_stream_data"), id="NUL padded"),
        pytest.param(patched(output(), 40, bytes(8)), id="CreatedDate zero"),
        pytest.param(patched(output(), 80, bytes(32)), id="digest mismatch"),
        pytest.param(output()[:119], id="shorter than a header"),
    ],
)
def test_anything_else_is_left_to_the_general_decoder(raw: bytes) -> None:
    assert read_output(raw, 7) is None


def test_a_zero_payload_length_skips_the_digest_like_the_general_decoder() -> None:
    raw = patched(patched(output(), 116, bytes(4)), 80, bytes(32))  # §2.7 step 4
    assert read_output(raw, 7) == (raw[64:80], b"hello")
    assert decode_frame(raw).payload == b"hello"


@given(
    seq=st.integers(min_value=0, max_value=3),
    payload=st.binary(min_size=1, max_size=64),
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=200), st.integers(1, 255)), max_size=3
    ),
)
def test_whatever_it_accepts_the_general_decoder_accepts_identically(
    seq: int, payload: bytes, flips: list[tuple[int, int]]
) -> None:
    raw = bytearray(output(seq, payload))
    for offset, mask in flips:
        if offset < len(raw):
            raw[offset] ^= mask
    result = read_output(bytes(raw), 1)
    if result is None:
        return
    wire_id, body = result
    frame = decode_frame(bytes(raw), verify_digest=True)
    assert (frame.message_type, frame.sequence_number, frame.payload_type) == (
        "output_stream_data",
        1,
        1,
    )
    assert frame.header_length == 116
    assert body == frame.payload
    assert wire_id[8:] + wire_id[:8] == frame.message_id
    (length,) = struct.unpack_from(">I", raw, 116)
    assert length == 0 or hashlib.sha256(body).digest() == frame.payload_digest

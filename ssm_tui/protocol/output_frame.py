"""A lean reader for the client's hottest inbound frame: the next in-order Output message."""

from __future__ import annotations

import hashlib
import struct

from .message import HEADER_LENGTH, MessageType, PayloadType

__all__ = ["read_output"]

# HL, MessageType, (SchemaVersion), CreatedDate, Seq, (Flags), MessageId as on the wire,
# digest, PayloadType, PayloadLength: every field up to the payload, in one unpack (§2.1).
_HEADER = struct.Struct(">I32s4xQq8x16s32sII")
_unpack_header = _HEADER.unpack_from
_PAYLOAD_OFFSET = _HEADER.size  # 120 = HL + 4
_OUTPUT_STREAM = MessageType.OUTPUT_STREAM_DATA.encode().ljust(32)
_OUTPUT = PayloadType.OUTPUT.value
_sha256 = hashlib.sha256


def read_output(raw: bytes | bytearray | memoryview, expected: int) -> tuple[bytes, bytes] | None:
    """``(wire_id, payload)`` when ``raw`` is exactly what we write for Output number
    ``expected`` and passes the client's §2.7 checks; None for anything else.

    None only means "not the common case": the caller then runs the general decoder,
    which accepts or rejects the frame. What this accepts, that decoder accepts too,
    with the same payload and id (``wire_id`` is the id before the §2.3 half swap).
    """
    if len(raw) < _PAYLOAD_OFFSET:
        return None
    hl, kind, created, seq, wire_id, digest, payload_type, length = _unpack_header(raw)
    if (
        seq != expected
        or hl != HEADER_LENGTH
        or kind != _OUTPUT_STREAM
        or payload_type != _OUTPUT
        or not created
    ):
        return None
    payload = bytes(raw[_PAYLOAD_OFFSET:])
    # §2.7 step 4: the digest counts only when the stated length is non-zero.
    if length and _sha256(payload).digest() != digest:
        return None
    return wire_id, payload

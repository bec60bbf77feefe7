"""The binary ClientMessage/AgentMessage codec: exact on the way out, tolerant on the way in."""

from __future__ import annotations

import hashlib
import os
import struct
import uuid
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import NamedTuple

from .errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "HEADER_LENGTH",
    "HEADER_STRUCT",
    "MIN_HEADER_LENGTH",
    "Frame",
    "Message",
    "MessageType",
    "PayloadType",
    "build_frame",
    "decode_frame",
    "decode_message",
    "encode_message",
    "new_message_id",
    "uuid_text",
]

#: What we always write (§2.6) and the service's variant without PayloadType (§2.5).
HEADER_LENGTH = 116
MIN_HEADER_LENGTH = 112


class MessageType(StrEnum):
    """The names carried in the 32-byte MessageType field (§3)."""

    INPUT_STREAM_DATA = "input_stream_data"
    OUTPUT_STREAM_DATA = "output_stream_data"
    ACKNOWLEDGE = "acknowledge"
    CHANNEL_CLOSED = "channel_closed"
    START_PUBLICATION = "start_publication"
    PAUSE_PUBLICATION = "pause_publication"
    AGENT_SESSION_STATE = "agent_session_state"


class PayloadType(IntEnum):
    """The PayloadType field (§4); 0 is what acknowledges and service messages carry."""

    UNDEFINED = 0
    OUTPUT = 1
    ERROR = 2
    SIZE = 3
    PARAMETER = 4
    HANDSHAKE_REQUEST = 5
    HANDSHAKE_RESPONSE = 6
    HANDSHAKE_COMPLETE = 7
    ENC_CHALLENGE_REQUEST = 8
    ENC_CHALLENGE_RESPONSE = 9
    FLAG = 10
    STDERR = 11
    EXIT_CODE = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """One decoded (or to-be-encoded) data-channel message (§2.1).

    ``message_type`` is a :class:`MessageType` when the name is known and the plain
    string otherwise (§2.7: unknown types are ignored, not errors). ``message_id`` is
    the canonical UUID; the half swap (§2.3) exists only on the wire.
    """

    message_type: str
    sequence_number: int
    payload: bytes
    created_date: int
    payload_type: int = 0
    flags: int = 0
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)
    schema_version: int = 1
    payload_digest: bytes = b""
    header_length: int = HEADER_LENGTH


class Frame(NamedTuple):
    """The decoder's raw view of a message, for the channel's hot path.

    Cheaper to build than :class:`Message` (a tuple, and ``message_id`` stays the
    canonical 16 bytes instead of a ``uuid.UUID``); everything else should use Message.
    """

    message_type: str
    sequence_number: int
    payload_type: int
    payload: bytes
    message_id: bytes
    created_date: int
    flags: int
    schema_version: int
    payload_digest: bytes
    header_length: int


# HL, type, schema, created, seq, flags, id (2 halves), digest: the fields every
# frame has at fixed offsets, then PayloadType and PayloadLength for HL 116.
_FIXED = struct.Struct(">I32sIQqQ8s8s32s")
_FULL = HEADER_STRUCT = struct.Struct(">I32sIQqQ8s8s32sII")
_U32 = struct.Struct(">I")


_sha256 = hashlib.sha256

_KNOWN_TYPES = {member.value: member for member in MessageType}
# The padded forms we (and the official code) write, so decoding them is one dict hit.
_PADDED_TYPES = {name.encode().ljust(32): member for name, member in _KNOWN_TYPES.items()}
_TYPE_FIELDS: dict[str, bytes] = {}
# §2.7 step 3: the plugin skips every validation for these two.
_UNVALIDATED = frozenset({MessageType.START_PUBLICATION, MessageType.PAUSE_PUBLICATION})


_ID_POOL_SIZE = 256
# §2.6 rule 2: version 4 (byte 6 high nibble) and the RFC 4122 variant (byte 8 top bits),
# applied to a whole pool of ids at once as one big-integer mask.
_ID_CLEAR = int.from_bytes(bytes.fromhex("ffffffffffff0fff3fffffffffffffff") * _ID_POOL_SIZE)
_ID_SET = int.from_bytes(bytes.fromhex("00000000000040008000000000000000") * _ID_POOL_SIZE)
_id_pool: list[bytes] = []


def new_message_id() -> bytes:
    """A random version-4 UUID in canonical byte order.

    Drawn from a pool filled 256 at a time: one ``os.urandom`` call per message was a
    visible share of the ack hot path, and ``uuid.uuid4()`` costs more still.
    """
    if not _id_pool:
        size = 16 * _ID_POOL_SIZE
        raw = ((int.from_bytes(os.urandom(size)) & _ID_CLEAR) | _ID_SET).to_bytes(size)
        _id_pool.extend([raw[i : i + 16] for i in range(0, size, 16)])
    return _id_pool.pop()


def _type_field(name: str) -> bytes:
    cached = _TYPE_FIELDS.get(name)
    if cached is not None:
        return cached
    try:
        encoded = name.encode("ascii")
    except UnicodeEncodeError:
        raise LocalProtocolError(f"message type {name!r} is not ASCII") from None
    if not encoded or len(encoded) > 32:
        raise LocalProtocolError(f"message type {name!r} must be 1 to 32 bytes")
    padded = _TYPE_FIELDS[name] = encoded.ljust(32)  # §2.2: left-aligned, spaces
    return padded


def build_frame(
    message_type: str,
    *,
    sequence_number: int,
    payload: bytes,
    created_date: int,
    payload_type: int = 0,
    flags: int = 0,
    message_id: bytes,
    header_length: int = HEADER_LENGTH,
) -> bytes:
    """Encode one message from loose fields; ``message_id`` is the canonical 16 bytes.

    The channel's hot path uses this directly to skip building a :class:`Message`.
    """
    if not payload:
        # §2.6 rule 4: official encoders cannot express an empty payload.
        raise LocalProtocolError("a message payload must not be empty")
    if created_date <= 0:
        raise LocalProtocolError("CreatedDate must be a positive millisecond count (§2.6)")
    type_field = _type_field(message_type)
    digest = _sha256(payload).digest()
    # §2.3: the canonical least-significant half goes first on the wire.
    low, high = message_id[8:16], message_id[0:8]
    try:
        if header_length == HEADER_LENGTH:
            header = _FULL.pack(
                HEADER_LENGTH,
                type_field,
                1,
                created_date,
                sequence_number,
                flags,
                low,
                high,
                digest,
                payload_type,
                len(payload),
            )
        elif header_length == MIN_HEADER_LENGTH:
            # Only for reproducing the service's channel_closed (§2.5).
            header = _FIXED.pack(
                MIN_HEADER_LENGTH,
                type_field,
                1,
                created_date,
                sequence_number,
                flags,
                low,
                high,
                digest,
            ) + _U32.pack(len(payload))
        else:
            raise LocalProtocolError(f"header length must be 116 or 112, not {header_length}")
    except struct.error as exc:
        raise LocalProtocolError(f"field out of range: {exc}") from None
    return header + payload


def encode_message(message: Message) -> bytes:
    """Encode ``message`` per §2.6; the digest is always computed from the payload."""
    return build_frame(
        message.message_type,
        sequence_number=message.sequence_number,
        payload=message.payload,
        created_date=message.created_date,
        payload_type=message.payload_type,
        flags=message.flags,
        message_id=message.message_id.bytes,
        header_length=message.header_length,
    )


def _decode_type(field_bytes: bytes) -> str:
    known = _PADDED_TYPES.get(field_bytes)
    if known is not None:
        return known
    # §2.2: the official readers strip NULs from both ends, then whitespace.
    try:
        name = field_bytes.strip(b"\x00").strip().decode("ascii")
    except UnicodeDecodeError:
        raise RemoteProtocolError("message type is not ASCII") from None
    return _KNOWN_TYPES.get(name, name)


def decode_frame(raw: bytes | bytearray | memoryview, *, verify_digest: bool = True) -> Frame:
    """Decode one frame tolerantly (§2.5, §2.7); raise only :class:`RemoteProtocolError`.

    ``verify_digest`` is the client role's check (§2.7); the agent role does not verify.
    """
    size = len(raw)
    if size < MIN_HEADER_LENGTH + 4:
        raise RemoteProtocolError(f"frame of {size} bytes is shorter than any header")
    (hl, type_bytes, schema, created, seq, flags, low, high, digest) = _FIXED.unpack_from(raw)
    if hl < MIN_HEADER_LENGTH:
        raise RemoteProtocolError(f"header length {hl} is too small")
    if size < hl + 4:
        # §2.7 step 1: the official reader panics here; we bounds-check.
        raise RemoteProtocolError(f"frame of {size} bytes ends inside its {hl}-byte header")
    message_type = _decode_type(type_bytes)
    (payload_length,) = _U32.unpack_from(raw, hl)
    # §2.5: PayloadType exists only when the header is long enough to hold it.
    payload_type = _U32.unpack_from(raw, 112)[0] if hl >= HEADER_LENGTH else 0
    # §2.7 step 2: the payload is everything after the length; the length is not trusted.
    payload = bytes(raw[hl + 4 :])
    if message_type not in _UNVALIDATED:
        if not message_type:
            raise RemoteProtocolError("message type is empty")
        if created == 0:
            raise RemoteProtocolError("CreatedDate is zero")
        if verify_digest and payload_length != 0 and _sha256(payload).digest() != digest:
            raise RemoteProtocolError("payload digest does not match the payload")
    # §2.3: undo the half swap.
    return Frame(
        message_type, seq, payload_type, payload, high + low, created, flags, schema, digest, hl
    )


def decode_message(raw: bytes | bytearray | memoryview, *, verify_digest: bool = True) -> Message:
    """Decode one frame into a :class:`Message`; see :func:`decode_frame`."""
    frame = decode_frame(raw, verify_digest=verify_digest)
    return Message(
        message_type=frame.message_type,
        schema_version=frame.schema_version,
        created_date=frame.created_date,
        sequence_number=frame.sequence_number,
        flags=frame.flags,
        message_id=uuid.UUID(bytes=frame.message_id),
        payload_digest=frame.payload_digest,
        payload_type=frame.payload_type,
        payload=frame.payload,
        header_length=frame.header_length,
    )


def uuid_text(canonical: bytes) -> str:
    """The 8-4-4-4-12 lowercase form of a canonical UUID (§2.3), without building a UUID."""
    h = canonical.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

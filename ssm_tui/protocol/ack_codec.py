"""Acknowledges (§6.2) on the hot path: frames built from pre-encoded parts, bodies read leanly."""

from __future__ import annotations

import hashlib
import re
import struct

from .message import HEADER_LENGTH, MessageType, new_message_id
from .payloads import Acknowledgement

__all__ = ["AckEncoder", "acked_sequence_number"]

# The 116-byte header (§2.1) with its constant parts baked in: HL, MessageType and
# SchemaVersion; CreatedDate; Seq 0 and Flags 3 (§6.2); MessageId as its two wire halves;
# digest; PayloadType 0; PayloadLength.
_PREFIX = struct.pack(">I32sI", HEADER_LENGTH, MessageType.ACKNOWLEDGE.encode().ljust(32), 1)
_SEQ_AND_FLAGS = struct.pack(">qQ", 0, 3)
_PAYLOAD_TYPE = struct.pack(">I", 0)
_pack_header = struct.Struct(">40sQ16s8s8s32s4sI").pack
_sha256 = hashlib.sha256


class AckEncoder:
    """Builds the acknowledge frames for one acknowledged stream type.

    Only CreatedDate, our MessageId, the digest and the body's three variable parts (the
    acked id and sequence number; the type is fixed per encoder) differ between acks.
    """

    __slots__ = ("_head",)

    def __init__(self, acked_type: str) -> None:
        # All four fields filled, as the plugin does (§6.2); everything up to the acked id
        # is fixed per encoder.
        self._head = '{"AcknowledgedMessageType":"' + acked_type + '","AcknowledgedMessageId":"'

    def encode(self, wire_id: bytes, sequence_number: int, created_date: int) -> bytes:
        """The ack of the message whose MessageId is ``wire_id``, as it sat on the wire."""
        h = wire_id.hex()
        # §2.3: the wire holds canonical[8:16] then canonical[0:8], so the canonical hex
        # is h[16:32] + h[0:16]; its 8-4-4-4-12 groups are sliced straight from h. An
        # f-string, because this is the hottest formatting in the receive path.
        body = (
            f"{self._head}{h[16:24]}-{h[24:28]}-{h[28:32]}-{h[0:4]}-{h[4:16]}"
            f'","AcknowledgedMessageSequenceNumber":{sequence_number},"IsSequentialMessage":true}}'
        ).encode()
        own_id = new_message_id()
        header = _pack_header(
            _PREFIX, created_date, _SEQ_AND_FLAGS, own_id[8:], own_id[:8],
            _sha256(body).digest(), _PAYLOAD_TYPE, len(body),
        )  # fmt: skip
        return header + body


# Exactly the compact body both ends write; only JSON-safe ASCII in the strings and a
# JSON integer, so whatever matches parses to the same four fields with json.loads.
_STANDARD_ACK = re.compile(
    rb'\{"AcknowledgedMessageType":"[ !#-\[\]-~]*","AcknowledgedMessageId":"[ !#-\[\]-~]*",'
    rb'"AcknowledgedMessageSequenceNumber":(-?(?:0|[1-9][0-9]*)),"IsSequentialMessage":(?:true|false)\}'
)


def acked_sequence_number(payload: bytes) -> int:
    """The sequence number an acknowledge payload names; like ``Acknowledgement.from_json``,
    raises RemoteProtocolError for a malformed one.

    The standard body is matched without building a dict; any other (spacing, key order,
    extra keys) goes through the JSON parser.
    """
    standard = _STANDARD_ACK.fullmatch(payload)
    if standard is not None:
        return int(standard[1])
    return Acknowledgement.from_json(payload).sequence_number

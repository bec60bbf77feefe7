"""FaultLink plans what a faulty network does to each frame; service messages pass untouched."""

from __future__ import annotations

import hashlib
import random
import uuid

from ssm_tui.emulator.fault_link import FaultLink, frame_type
from ssm_tui.emulator.faults import Faults
from ssm_tui.protocol.message import build_frame, decode_message

NOW_MS = 1_700_000_000_000


def _frame(kind: str, payload: bytes = b"data") -> bytes:
    return build_frame(
        kind,
        sequence_number=1,
        payload=payload,
        created_date=NOW_MS,
        payload_type=1,
        message_id=uuid.uuid4().bytes,
    )


def _link(**faults: float) -> FaultLink:
    return FaultLink(Faults(**faults), rng=random.Random(7))


def test_no_faults_delivers_every_frame_at_once() -> None:
    frame = _frame("output_stream_data")
    deliveries = _link().outbound(frame)
    assert [(d.delay, d.frame) for d in deliveries] == [(0.0, frame)]


def test_certain_drop_loses_stream_data_but_never_channel_closed() -> None:
    link = _link(drop=1.0)
    assert link.outbound(_frame("output_stream_data")) == []
    assert link.inbound(_frame("input_stream_data")) == []
    closed = _frame("channel_closed")
    assert [d.frame for d in link.outbound(closed)] == [closed]


def test_withheld_acks_affect_only_acknowledges() -> None:
    link = _link(withhold_acks=1.0)
    assert link.outbound(_frame("acknowledge")) == []
    assert len(link.outbound(_frame("output_stream_data"))) == 1


def test_corruption_spoils_the_digest_and_nothing_else() -> None:
    frame = _frame("output_stream_data", b"payload")
    (delivery,) = _link(corrupt=1.0).outbound(frame)
    spoiled = decode_message(delivery.frame, verify_digest=False)
    assert spoiled.payload == b"payload"
    assert spoiled.payload_digest != hashlib.sha256(b"payload").digest()


def test_duplicates_follow_the_original_and_reorders_are_held_back() -> None:
    (first, second) = _link(dup=1.0, delay=0.01).outbound(_frame("output_stream_data"))
    assert first.frame == second.frame and second.delay > first.delay
    (held,) = _link(reorder=1.0).outbound(_frame("output_stream_data"))
    assert held.delay > 0


def test_frame_type_reads_nul_padded_names() -> None:
    frame = bytearray(_frame("input_stream_data"))
    frame[4:36] = b"input_stream_data".rjust(32, b"\x00")
    assert frame_type(bytes(frame)) == b"input_stream_data"

"""Planned misbehaviour of one session's websocket: which frames to drop, copy, delay or spoil."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ssm_tui.emulator.faults import Faults

_TYPE = slice(4, 36)
_DIGEST_OFFSET = 80
_ACK = b"acknowledge"
_STREAM_TYPES = frozenset({b"input_stream_data", b"output_stream_data"})
# How long a reordered frame is held back, on top of the configured delay, so that the
# frames sent right after it overtake it.
_REORDER_HOLD = 0.03
# How long a publication pause lasts (the spec only says "shortly after").
_MAX_PAUSE = 0.2


@dataclass(frozen=True, slots=True)
class Delivery:
    """One frame to deliver after ``delay`` seconds."""

    delay: float
    frame: bytes


def frame_type(frame: bytes) -> bytes:
    """The MessageType name of a raw frame, tolerant of NUL and space padding (§2.2)."""
    return bytes(frame[_TYPE]).strip(b"\x00").strip()


class FaultLink:
    """Decides, frame by frame, what a faulty network does to a session's traffic.

    Only the data messages and acknowledges are touched: ``channel_closed`` and the
    publication messages are service messages that nobody retransmits (§3, §9.1), so
    losing them would not test recovery, only break it.
    """

    def __init__(self, faults: Faults, *, rng: random.Random | None = None) -> None:
        self.faults = faults
        self._rng = rng or random.Random()

    @property
    def pause_interval(self) -> float | None:
        """Seconds between publication pauses, or None."""
        return self.faults.pause

    @property
    def pause_length(self) -> float:
        """How long each publication pause lasts before start_publication."""
        return min(_MAX_PAUSE, (self.faults.pause or 0.0) / 2)

    @property
    def close_interval(self) -> float | None:
        """Seconds between forced websocket closes ("1000 Bye", aws/session-manager-plugin#135)."""
        return self.faults.close_every

    def outbound(self, frame: bytes) -> list[Delivery]:
        """Agent → client: drop, withhold acks, corrupt digests, duplicate, delay, reorder."""
        kind = frame_type(frame)
        if kind != _ACK and kind not in _STREAM_TYPES:
            return [Delivery(0.0, frame)]
        if kind == _ACK and self._chance(self.faults.withhold_acks):
            # §14 item 5: without the ack the client retransmits and we re-ack (§9.3).
            return []
        if kind in _STREAM_TYPES and self._chance(self.faults.corrupt):
            # The client checks the digest and drops the frame unacked (§2.7 step 4).
            frame = _spoil_digest(frame)
        return self._travel(frame)

    def inbound(self, frame: bytes) -> list[Delivery]:
        """Client → agent: drop, duplicate, delay, reorder (the agent ignores digests, §2.7)."""
        kind = frame_type(frame)
        if kind != _ACK and kind not in _STREAM_TYPES:
            return [Delivery(0.0, frame)]
        return self._travel(frame)

    def _travel(self, frame: bytes) -> list[Delivery]:
        if self._chance(self.faults.drop):
            return []
        delay = self.faults.delay
        if self._chance(self.faults.reorder):
            delay += _REORDER_HOLD
        deliveries = [Delivery(delay, frame)]
        if self._chance(self.faults.dup):
            deliveries.append(Delivery(delay + self.faults.delay, frame))
        return deliveries

    def _chance(self, probability: float) -> bool:
        return probability > 0.0 and self._rng.random() < probability


def _spoil_digest(frame: bytes) -> bytes:
    spoiled = bytearray(frame)
    if len(spoiled) > _DIGEST_OFFSET:
        spoiled[_DIGEST_OFFSET] ^= 0xFF
    return bytes(spoiled)

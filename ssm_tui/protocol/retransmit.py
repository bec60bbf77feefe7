"""The send side of §9.4-9.5: RTT/RTO estimation and the buffer of unacknowledged messages."""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["RttEstimator", "SendBuffer"]

# §9.5: the official constants, identical on both sides (seconds).
INITIAL_RTT = 0.100
INITIAL_RTTVAR = 0.0
INITIAL_RTO = 0.200
RTT_GAIN = 1 / 8
RTTVAR_GAIN = 1 / 4
CLOCK_GRANULARITY = 0.010
MAX_RTO = 1.0


class RttEstimator:
    """Smoothed RTT and retransmission timeout, updated per acknowledged message (§9.5)."""

    __slots__ = ("rto", "rtt", "rttvar")

    def __init__(self) -> None:
        self.rtt = INITIAL_RTT
        self.rttvar = INITIAL_RTTVAR
        self.rto = INITIAL_RTO

    def update(self, sample: float) -> None:
        # §9.5: RTTVAR uses the old RTT, so it is updated first.
        self.rttvar = (1 - RTTVAR_GAIN) * self.rttvar + RTTVAR_GAIN * abs(self.rtt - sample)
        self.rtt = (1 - RTT_GAIN) * self.rtt + RTT_GAIN * sample
        self.rto = min(MAX_RTO, self.rtt + max(CLOCK_GRANULARITY, 4 * self.rttvar))


class _Unacked:
    __slots__ = ("first_sent", "frame", "last_sent", "size")

    def __init__(self, frame: bytes, size: int, now: float) -> None:
        self.frame = frame
        self.size = size
        self.first_sent = now
        self.last_sent = now


class SendBuffer:
    """Sent but unacknowledged frames, ordered by when each was last put on the wire.

    Keeping that order (a resent entry moves to the back) makes the oldest entry the
    next to expire, so the timer is O(1). Nothing is ever evicted: fullness is the
    caller's back-pressure signal (§14.1 item 5), unlike the plugin's silent eviction.
    """

    __slots__ = ("_entries", "bytes", "rtt")

    def __init__(self) -> None:
        self._entries: OrderedDict[int, _Unacked] = OrderedDict()
        self.bytes = 0
        self.rtt = RttEstimator()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, sequence_number: int, frame: bytes, size: int, *, now: float) -> None:
        self._entries[sequence_number] = _Unacked(frame, size, now)
        self.bytes += size

    def acknowledge(self, sequence_number: int, *, now: float) -> bool:
        """Forget an acked frame and learn from its round trip; False if unknown (§6.2)."""
        entry = self._entries.pop(sequence_number, None)
        if entry is None:
            return False
        self.bytes -= entry.size
        # Measured from the first send, as the plugin effectively does (§9.5): samples
        # then include retransmission delay, so RTO grows on a slow link instead of
        # collapsing to the gap since the last resend. Over-estimates are capped at MAX_RTO.
        self.rtt.update(max(0.0, now - entry.first_sent))
        return True

    def next_deadline(self) -> float | None:
        for entry in self._entries.values():
            return entry.last_sent + self.rtt.rto
        return None

    def expired(self, *, now: float, limit: int) -> list[bytes]:
        """Up to ``limit`` frames older than RTO, oldest first; their send time is updated.

        Updating the send time is deliberate: the plugin's copy bug resends every 100 ms
        after the first expiry (§9.4); we resend once per RTO.
        """
        frames: list[bytes] = []
        rto = self.rtt.rto
        entries = self._entries
        while entries and len(frames) < limit:
            sequence_number, entry = next(iter(entries.items()))
            if entry.last_sent + rto > now:
                break
            entry.last_sent = now
            entries.move_to_end(sequence_number)
            frames.append(entry.frame)
        return frames

    def resend_all(self, *, now: float) -> list[bytes]:
        """Every unacked frame in sequence order, e.g. onto a new websocket (§9.8)."""
        order = sorted(self._entries)
        for sequence_number in order:
            self._entries[sequence_number].last_sent = now
            self._entries.move_to_end(sequence_number)
        return [self._entries[s].frame for s in order]

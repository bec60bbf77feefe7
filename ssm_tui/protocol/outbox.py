"""The outgoing side of a channel: sequencing, held data, unacked frames and back-pressure."""

from __future__ import annotations

import uuid
from collections import deque
from datetime import UTC, datetime

from .ack_codec import AckEncoder
from .encryption import SessionCipher
from .errors import LocalProtocolError
from .message import HEADER_LENGTH, MessageType, build_frame, new_message_id
from .payloads import ChannelClosedPayload
from .retransmit import SendBuffer

__all__ = ["Outbox"]


def millis(now: float) -> int:
    return max(1, int(now * 1000))  # §2.6 rule 1: CreatedDate is never 0


class Outbox:
    """Builds every frame a channel sends and remembers the ones awaiting an ack.

    Stream data waits in ``pending`` (unsequenced) until the channel may send it; it is
    numbered only when released, so handshake messages sent meanwhile keep the counter
    contiguous (§9.1). Nothing is ever dropped: ``writable`` turns False above the high
    water mark and True again at the low one (§14.1 item 5). Once the handshake agrees a
    KMS data key, the outbox owns the session's cipher and seals every payload with it.
    """

    def __init__(
        self,
        stream_type: str,
        *,
        acked_type: str,
        flag_first: bool,
        high_water: int,
        low_water: int,
    ) -> None:
        self.stream_type = stream_type
        self._acks = AckEncoder(acked_type)
        self.flag_first = flag_first  # §14 step 2: the agent marks its Seq 0 with SYN
        self.high_water, self.low_water = high_water, low_water
        self._cipher: SessionCipher | None = None
        self.sent = SendBuffer()
        self._frames: list[bytes] = []
        self.pending: deque[tuple[int, bytes]] = deque()
        self.pending_bytes = 0
        self.next_seq = 0
        self.writable = True

    @property
    def buffered_bytes(self) -> int:
        return self.sent.bytes + self.pending_bytes

    @property
    def cipher(self) -> SessionCipher | None:
        """The §4/§8 session cipher once a KMS data key is agreed, else None."""
        return self._cipher

    def encrypt_with(self, cipher: SessionCipher) -> None:
        """Seal every stream payload from now on (§8); a session has one data key."""
        if self._cipher is not None:
            raise LocalProtocolError("the session already has a data key")
        self._cipher = cipher

    def take(self) -> list[bytes]:
        frames, self._frames = self._frames, []
        return frames

    def resend_expired(self, *, now: float, limit: int) -> None:
        """Resend up to ``limit`` unacked frames whose timeout passed (§9.5)."""
        self._frames.extend(self.sent.expired(now=now, limit=limit))

    def resend_all(self, *, now: float) -> None:
        """Resend every unacked frame at once: a new websocket is up (§9.8)."""
        self._frames.extend(self.sent.resend_all(now=now))

    def hold(self, payload_type: int, payload: bytes) -> None:
        self.pending.append((payload_type, payload))
        self.pending_bytes += len(payload)

    def release(self, *, now: float) -> None:
        """Sequence and send everything held."""
        pending = self.pending
        while pending:
            payload_type, payload = pending.popleft()
            self.pending_bytes -= len(payload)
            self.send(payload_type, payload, now=now)

    def send(self, payload_type: int, payload: bytes, *, now: float) -> None:
        """Sequence, encrypt per §4, send and keep one stream message until acked."""
        cipher = self._cipher
        wire = payload if cipher is None else cipher.seal(payload_type, payload)
        seq = self.next_seq
        self.next_seq = seq + 1
        frame = build_frame(
            self.stream_type,
            sequence_number=seq,
            payload=wire,
            created_date=millis(now),
            payload_type=payload_type,
            flags=1 if seq == 0 and self.flag_first else 0,
            message_id=new_message_id(),
        )
        self.sent.add(seq, frame, len(payload), now=now)
        self._frames.append(frame)

    def send_ack(self, wire_id: bytes, sequence_number: int, *, now: float) -> None:
        """Acknowledge the received message whose MessageId was ``wire_id`` on the wire."""
        created = int(now * 1000)  # millis(now), inlined: this is the hottest encoder
        if created < 1:
            created = 1
        self._frames.append(self._acks.encode(wire_id, sequence_number, created))

    def send_unsequenced(self, kind: str, payload: bytes, *, flags: int = 0, now: float) -> None:
        self._frames.append(
            build_frame(
                kind,
                sequence_number=0,
                payload=payload,
                created_date=millis(now),
                flags=flags,
                message_id=new_message_id(),
                header_length=HEADER_LENGTH,
            )
        )

    def send_channel_closed(self, *, session_id: str, target: str, output: str, now: float) -> None:
        """What the service sends to end a session (§6.3); only the agent role mimics it."""
        stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
        payload = ChannelClosedPayload(
            message_id=str(uuid.UUID(bytes=new_message_id())),
            created_date=stamp.replace("+00:00", "Z"),
            destination_id=target,
            session_id=session_id,
            output=output,
        )
        self.send_unsequenced(MessageType.CHANNEL_CLOSED, payload.to_json(), now=now)

    def writable_changed(self) -> bool:
        """Apply the water marks; True when ``writable`` flipped."""
        buffered = self.sent.bytes + self.pending_bytes
        if self.writable and buffered >= self.high_water:
            self.writable = False
            return True
        if not self.writable and buffered <= self.low_water:
            self.writable = True
            return True
        return False

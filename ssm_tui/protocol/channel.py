"""DataChannel: one end of an SSM data channel (client or agent), sans-IO, time passed in."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from .encryption import SessionCipher
from .errors import LocalProtocolError, RemoteProtocolError
from .events import (
    ChannelClosed,
    DataReceived,
    Event,
    ExitCodeReceived,
    FlagReceived,
    MessageRejected,
    PublicationPaused,
    PublicationResumed,
    SessionFailed,
    SessionStarted,
    SizeReceived,
    StderrReceived,
    WritableChanged,
)
from .handshake import TIMEOUT_REASON, AgentHandshake, ClientHandshake, Phase
from .message import Frame, MessageType, PayloadType, decode_frame, new_message_id
from .outbox import Outbox
from .payloads import (
    Acknowledgement,
    ChannelClosedPayload,
    EncryptionChallenge,
    HandshakeComplete,
    HandshakeRequest,
    HandshakeResponse,
    TerminalSize,
    decode_exit_code,
    decode_flag,
    encode_exit_code,
    encode_flag,
)
from .role import Role
from .sequencing import Arrival, ReceiveWindow

__all__ = ["DataChannel", "Role"]

_P = PayloadType
_CLIENT_HANDSHAKE = frozenset(
    {_P.HANDSHAKE_REQUEST, _P.HANDSHAKE_COMPLETE, _P.ENC_CHALLENGE_REQUEST}
)
_AGENT_HANDSHAKE = frozenset({_P.HANDSHAKE_RESPONSE, _P.ENC_CHALLENGE_RESPONSE})


def _size_received(payload: bytes) -> SizeReceived:
    size = TerminalSize.from_json(payload)
    return SizeReceived(cols=size.cols, rows=size.rows)


# §4: the plain payloads each role accepts, as the event they become.
_EVENTS: dict[Role, dict[int, Callable[[bytes], Event]]] = {
    Role.CLIENT: {
        _P.OUTPUT: lambda p: DataReceived(data=p),
        _P.STDERR: lambda p: StderrReceived(data=p),
        _P.EXIT_CODE: lambda p: ExitCodeReceived(exit_code=decode_exit_code(p)),
        _P.FLAG: lambda p: FlagReceived(flag=decode_flag(p)),
    },
    Role.AGENT: {
        _P.OUTPUT: lambda p: DataReceived(data=p),
        _P.SIZE: _size_received,
        _P.FLAG: lambda p: FlagReceived(flag=decode_flag(p)),
    },
}


class DataChannel:
    """One role of a data channel: feed frames, queue data, drain events and frames.

    See ``docs/sansio.md`` for how to drive it and ``docs/contracts.md`` for the API.
    """

    def __init__(
        self,
        role: Role,
        *,
        session_id: str,
        target: str = "",
        client_version: str = "1.2.677.0",
        session_type: str = "Standard_Stream",
        properties: Mapping[str, Any] | None = None,
        agent_version: str = "3.3.1142.0",
        kms_key_id: str | None = None,
        max_payload_size: int = 1024,
        high_water: int = 1 << 20,
        low_water: int = 1 << 18,
        reorder_capacity: int = 10_000,
        resend_limit: int = 32,
    ) -> None:
        if max_payload_size < 1 or not 0 <= low_water <= high_water:
            raise LocalProtocolError("need max_payload_size >= 1 and 0 <= low_water <= high_water")
        self.role = role
        self.session_id = session_id
        self.target = target
        self.max_payload_size = max_payload_size
        self._resend_limit = resend_limit
        client = role is Role.CLIENT
        # §3: each role sends one stream type and receives the other.
        self._in_type = MessageType.OUTPUT_STREAM_DATA if client else MessageType.INPUT_STREAM_DATA
        self._out_type = MessageType.INPUT_STREAM_DATA if client else MessageType.OUTPUT_STREAM_DATA
        self._client = ClientHandshake(
            session_id=session_id, target=target, client_version=client_version
        )
        self._agent = AgentHandshake(
            session_id=session_id,
            target=target,
            session_type=session_type,
            properties=properties,
            agent_version=agent_version,
            kms_key_id=kms_key_id,
        )
        self._window: ReceiveWindow[Frame] = ReceiveWindow(capacity=reorder_capacity)
        self._outbox = Outbox(
            self._out_type, flag_first=not client, high_water=high_water, low_water=low_water
        )
        self._events: list[Event] = []
        self._now = 0.0
        self._started = self._closed = self._close_sent = False
        self._publication_paused = self._receive_paused = False
        self._handshake_types = _CLIENT_HANDSHAKE if client else _AGENT_HANDSHAKE
        self._verify_digest = client  # §2.7: only the client checks digests
        self._ack_type = self._in_type.value
        self._event_for = _EVENTS[role]
        handlers: dict[int, Callable[[bytes, float], None]] = {
            _P.HANDSHAKE_REQUEST: self._on_handshake_request,
            _P.ENC_CHALLENGE_REQUEST: self._on_challenge_request,
            _P.HANDSHAKE_COMPLETE: self._on_handshake_complete,
            _P.HANDSHAKE_RESPONSE: self._on_handshake_response,
            _P.ENC_CHALLENGE_RESPONSE: self._on_challenge_response,
        }
        self._handshake_handlers: dict[int, Callable[[bytes, float], None]] = {
            t: handlers[t] for t in self._handshake_types
        }

    # -- state ----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def started(self) -> bool:
        """True once SessionStarted was emitted: data flows both ways."""
        return self._started

    @property
    def writable(self) -> bool:
        """False between crossing the high and the low water mark of buffered bytes."""
        return self._outbox.writable

    @property
    def unacked_count(self) -> int:
        return len(self._outbox.sent)

    @property
    def buffered_bytes(self) -> int:
        """Payload bytes held or sent but not yet acknowledged."""
        return self._outbox.buffered_bytes

    # -- draining -------------------------------------------------------------------

    def events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def messages_to_send(self) -> list[bytes]:
        """Binary frames to send, in order, each as one websocket message (§1.4)."""
        return self._outbox.take()

    def get_timer(self) -> float | None:
        """When to call :meth:`handle_timer` next (epoch seconds), or None."""
        if self._closed:
            return None
        deadline = self._agent.deadline
        if not self._publication_paused:  # §3: no resends while paused
            resend = self._outbox.sent.next_deadline()
            if resend is not None and (deadline is None or resend < deadline):
                deadline = resend
        return deadline

    def handle_timer(self, *, now: float) -> None:
        if self._closed:
            return
        self._now = now
        deadline = self._agent.deadline
        if deadline is not None and now >= deadline:
            self._fail(TIMEOUT_REASON)  # §6.5: the agent waits 15 s for each answer
            return
        if not self._publication_paused:
            outbox = self._outbox
            outbox.frames.extend(outbox.sent.expired(now=now, limit=self._resend_limit))

    # -- sending --------------------------------------------------------------------

    def start(self, *, now: float) -> None:
        """Agent role: send the HandshakeRequest when one is needed, else start (§14 step 3)."""
        self._require(Role.AGENT, "start")
        self._now = now
        request = self._agent.start(now=now)
        if request is None:
            self._session_started(self._agent.started(), now)
        else:
            self._outbox.send(_P.HANDSHAKE_REQUEST, request.to_json(), now=now)
        self._drain(now)

    def send_data(self, data: bytes | bytearray | memoryview, *, now: float) -> None:
        """Queue Output bytes, split into payloads of at most ``max_payload_size``."""
        self._check_open()
        self._send_chunks(_P.OUTPUT, data, now)

    def send_stderr(self, data: bytes | bytearray | memoryview, *, now: float) -> None:
        self._require(Role.AGENT, "send_stderr")
        self._send_chunks(_P.STDERR, data, now)

    def send_size(self, cols: int, rows: int, *, now: float) -> None:
        self._require(Role.CLIENT, "send_size")
        if not (0 <= cols < 2**32 and 0 <= rows < 2**32):
            raise LocalProtocolError("cols and rows must fit in uint32 (§6.8)")
        self._outbox.hold(_P.SIZE, TerminalSize(cols=cols, rows=rows).to_json())
        self._flush(now)

    def send_flag(self, flag: int, *, now: float) -> None:
        self._check_open()
        self._outbox.hold(_P.FLAG, encode_flag(flag))
        self._flush(now)

    def send_exit_code(self, exit_code: int, *, now: float) -> None:
        self._require(Role.AGENT, "send_exit_code")
        self._outbox.hold(_P.EXIT_CODE, encode_exit_code(exit_code))
        self._flush(now)

    def close(self, *, now: float, output: str = "") -> None:
        """End the channel; the agent role also queues a ``channel_closed`` (§6.3, §14 step 9).

        Unacked and held data is abandoned: wait for ``unacked_count == 0`` first to flush.
        """
        if self.role is Role.AGENT and not self._close_sent:
            self._close_sent = True
            stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
            payload = ChannelClosedPayload(
                message_id=str(uuid.UUID(bytes=new_message_id())),
                created_date=stamp.replace("+00:00", "Z"),
                destination_id=self.target,
                session_id=self.session_id,
                output=output,
            )
            self._outbox.send_unsequenced(MessageType.CHANNEL_CLOSED, payload.to_json(), now=now)
        self._closed = True

    def provide_data_key(
        self, plaintext: bytes, ciphertext_blob: bytes = b"", *, now: float
    ) -> None:
        """Answer DataKeyRequested (client: both values) or DataKeyDecryptionRequested
        (agent: the decrypted ``plaintext``), §8."""
        self._check_open()
        self._now = now
        if self.role is Role.CLIENT:
            if self._client.phase is not Phase.AWAITING_KEY:
                raise LocalProtocolError("no data key was requested")
            self._outbox.cipher = SessionCipher(plaintext, Role.CLIENT)
            response = self._client.key_provided(ciphertext_blob)
            self._outbox.send(_P.HANDSHAKE_RESPONSE, response.to_json(), now=now)
        else:
            cipher = SessionCipher(plaintext, Role.AGENT)
            challenge = self._agent.challenge(cipher, now=now)
            self._outbox.cipher = cipher
            self._outbox.send(_P.ENC_CHALLENGE_REQUEST, challenge.to_json(), now=now)

    def reject_data_key(self, reason: str, *, now: float) -> None:
        """The KMS call failed: the client answers Failed (§6.5); either role then fails."""
        self._check_open()
        if self.role is Role.CLIENT:
            response = self._client.key_failed(reason)
            self._outbox.send(_P.HANDSHAKE_RESPONSE, response.to_json(), now=now)
        self._fail(f"KMS data key unavailable: {reason}")

    def reconnected(self, *, now: float) -> None:
        """A new websocket is up: resend every unacked frame now (§9.8), lift any pause."""
        if self._closed:
            return
        self._now = now
        # Resend first: lifting the pause flushes held data, which must go out only once.
        self._outbox.frames.extend(self._outbox.sent.resend_all(now=now))
        self._set_publication_paused(False)
        self._flush(now)

    def pause_receiving(self) -> None:
        """Stop accepting new stream messages; they go unacked so the peer resends them."""
        self._receive_paused = True

    def resume_receiving(self) -> None:
        self._receive_paused = False
        self._drain(self._now)

    # -- receiving ------------------------------------------------------------------

    def receive_message(self, raw: bytes, *, now: float) -> None:
        """Feed one inbound binary websocket message; malformed ones become MessageRejected."""
        if self._closed:
            return
        self._now = now
        try:
            frame = decode_frame(raw, verify_digest=self._verify_digest)
        except RemoteProtocolError as exc:
            # §2.7: log and drop, no ack; the peer retransmits a corrupted message.
            self._events.append(MessageRejected(reason=str(exc)))
            return
        kind = frame.message_type
        if kind != MessageType.PAUSE_PUBLICATION and self._publication_paused:
            self._set_publication_paused(False)  # §14.1 item 8: any traffic resumes
        if kind == self._in_type:
            self._receive_stream(frame, now)
        elif kind == MessageType.ACKNOWLEDGE:
            self._receive_ack(frame, now)
        elif kind == MessageType.CHANNEL_CLOSED:
            try:
                closed = ChannelClosedPayload.from_json(frame.payload)
                event = ChannelClosed(session_id=closed.session_id, output=closed.output)
            except RemoteProtocolError:
                event = ChannelClosed(session_id=self.session_id)
            self._events.append(event)
            self._closed = True
        elif kind == MessageType.PAUSE_PUBLICATION:
            self._set_publication_paused(True)
        elif kind != MessageType.START_PUBLICATION:
            self._events.append(MessageRejected(reason=f"unexpected message type {kind!r}"))

    def _receive_stream(self, frame: Frame, now: float) -> None:
        window = self._window
        seq = frame.sequence_number
        if seq == window.expected and not self._receive_paused and self._ready(frame.payload_type):
            # The common case first: the next message, accepted.
            self._ack(frame, now)
            window.advance()
            self._dispatch(frame, now)
            if window:
                self._drain(now)
            return
        arrival = window.classify(seq)
        if arrival is Arrival.DUPLICATE:
            self._ack(frame, now)  # §9.2: unlike the plugin, re-ack so a lost ack heals
        elif self._receive_paused:
            return
        elif arrival is Arrival.EARLY and window.store(seq, frame):
            self._ack(frame, now)  # §9.2: ack early arrivals as they are stored
        # else: §9.2 not ready, or no room: no ack, no advance; the peer retransmits.

    def _drain(self, now: float) -> None:
        window = self._window
        while not self._closed and not self._receive_paused:
            frame = window.peek()
            if frame is None or not self._ready(frame.payload_type):
                return
            window.advance()
            self._dispatch(frame, now)

    def _ready(self, payload_type: int) -> bool:
        if self.role is Role.AGENT:
            return self._agent.phase is not Phase.IDLE  # before start(): handler not up
        # §9.2: the client drops non-handshake data until the handshake completes.
        return payload_type in _CLIENT_HANDSHAKE or not self._client.in_progress

    def _dispatch(self, frame: Frame, now: float) -> None:
        payload_type, payload = frame.payload_type, frame.payload
        handshake = self._handshake_handlers.get(payload_type)
        if handshake is not None:
            try:
                handshake(payload, now)
            except RemoteProtocolError as exc:
                self._fail(f"handshake failed: {exc}")
            return
        if self.role is Role.AGENT:
            if self._agent.in_progress:
                return  # §9.3: acked and discarded during the agent's handshake
        elif self._client.phase is Phase.IDLE:
            self._session_started(self._client.start_without_handshake(), now)
        make_event = self._event_for.get(payload_type)
        if make_event is None:
            self._events.append(MessageRejected(reason=f"unexpected payload type {payload_type}"))
            return
        cipher = self._outbox.cipher
        try:
            if cipher is not None and payload_type in cipher.decrypts:
                try:
                    payload = cipher.decrypt(payload)
                except RemoteProtocolError as exc:
                    self._fail(f"cannot decrypt payload type {payload_type}: {exc}")  # §8
                    return
            self._events.append(make_event(payload))
        except RemoteProtocolError as exc:
            self._events.append(MessageRejected(reason=str(exc)))

    def _receive_ack(self, frame: Frame, now: float) -> None:
        try:
            ack = Acknowledgement.from_json(frame.payload)
        except RemoteProtocolError as exc:
            self._events.append(MessageRejected(reason=str(exc)))
            return
        # §6.2: match only on the sequence number; unknown ones are stale duplicates.
        if self._outbox.sent.acknowledge(ack.sequence_number, now=now):
            self._check_writable()

    # -- handshake payloads ---------------------------------------------------------

    def _on_handshake_request(self, payload: bytes, now: float) -> None:
        outcome = self._client.receive_request(HandshakeRequest.from_json(payload))
        if isinstance(outcome, HandshakeResponse):
            self._outbox.send(_P.HANDSHAKE_RESPONSE, outcome.to_json(), now=now)
            if self._client.failure is not None:
                self._fail(self._client.failure)
        else:
            self._events.append(outcome)  # DataKeyRequested: the caller calls KMS

    def _on_challenge_request(self, payload: bytes, now: float) -> None:
        cipher = self._outbox.cipher
        if cipher is None:
            raise RemoteProtocolError("EncChallengeRequest without a KMS data key")
        answer = self._client.answer_challenge(EncryptionChallenge.from_json(payload), cipher)
        self._outbox.send(_P.ENC_CHALLENGE_RESPONSE, answer.to_json(), now=now)

    def _on_handshake_complete(self, payload: bytes, now: float) -> None:
        complete = HandshakeComplete.from_json(payload)
        encrypted = self._outbox.cipher is not None
        self._session_started(self._client.complete(complete, encrypted=encrypted), now)

    def _on_handshake_response(self, payload: bytes, now: float) -> None:
        request = self._agent.receive_response(HandshakeResponse.from_json(payload))
        if request is None:
            self._finish_agent_handshake(now)
        else:
            self._events.append(request)  # DataKeyDecryptionRequested: the caller calls KMS

    def _on_challenge_response(self, payload: bytes, now: float) -> None:
        cipher = self._outbox.cipher
        if cipher is None:
            raise RemoteProtocolError("EncChallengeResponse without a KMS data key")
        self._agent.check_challenge(EncryptionChallenge.from_json(payload), cipher)
        self._finish_agent_handshake(now)

    def _finish_agent_handshake(self, now: float) -> None:
        complete = self._agent.complete(now=now)
        self._outbox.send(_P.HANDSHAKE_COMPLETE, complete.to_json(), now=now)
        self._session_started(self._agent.started(), now)

    # -- internals ------------------------------------------------------------------

    def _session_started(self, event: SessionStarted, now: float) -> None:
        self._started = True
        self._events.append(event)
        self._flush(now)

    def _fail(self, reason: str) -> None:
        self._events.append(SessionFailed(reason=reason))
        self._closed = True

    def _set_publication_paused(self, paused: bool) -> None:
        if paused != self._publication_paused:
            self._publication_paused = paused
            self._events.append(PublicationPaused() if paused else PublicationResumed())
            if not paused:
                self._flush(self._now)

    def _send_chunks(
        self, payload_type: int, data: bytes | bytearray | memoryview, now: float
    ) -> None:
        size = self.max_payload_size
        # bytes() copies: a caller may reuse its buffer once this returns (§15, #116).
        for start in range(0, len(data), size):
            self._outbox.hold(payload_type, bytes(data[start : start + size]))
        self._flush(now)

    def _flush(self, now: float) -> None:
        """Send held stream data once the session runs and publication is not paused."""
        self._now = now
        if self._started and not self._publication_paused and not self._closed:
            self._outbox.release(now=now)
        self._check_writable()

    def _check_writable(self) -> None:
        if self._outbox.writable_changed():
            self._events.append(WritableChanged(writable=self._outbox.writable))

    def _ack(self, frame: Frame, now: float) -> None:
        self._outbox.send_ack(self._ack_type, frame.message_id, frame.sequence_number, now=now)

    def _check_open(self) -> None:
        if self._closed:
            raise LocalProtocolError("the data channel is closed")

    def _require(self, role: Role, what: str) -> None:
        if self.role is not role:
            raise LocalProtocolError(f"{what}() is for the {role.value} role")
        self._check_open()

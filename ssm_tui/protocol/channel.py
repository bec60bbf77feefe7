"""DataChannel: one end of an SSM data channel (client or agent), sans-IO, time passed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ack_codec import acked_sequence_number
from .errors import LocalProtocolError, RemoteProtocolError
from .events import (
    ChannelClosed,
    Event,
    MessageRejected,
    PublicationPaused,
    PublicationResumed,
    SessionFailed,
    SessionStarted,
    WritableChanged,
)
from .handshake import TIMEOUT_REASON, Phase
from .handshake_exchange import AgentExchange, ChannelHooks, exchange_for
from .inbox import Inbox
from .lifecycle import ChannelInput, ChannelState, Lifecycle
from .message import Frame, MessageType, PayloadType, decode_frame
from .outbox import Outbox
from .payload_events import EVENT_MAKERS
from .payloads import (
    ChannelClosedPayload,
    TerminalSize,
    encode_exit_code,
    encode_flag,
)
from .role import Role

__all__ = ["ChannelState", "DataChannel", "Role"]

_RUNNING = ChannelState.RUNNING


class DataChannel:
    """One role of a data channel: feed frames, queue data, drain events and frames.

    Its life is a ``Lifecycle`` (``lifecycle.py``): every change of state goes through
    that table. See ``docs/sansio.md`` for how to drive it and ``docs/contracts.md`` for
    the API.
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
        # §3: each role sends one stream type and receives (and acks) the other.
        self._in_type = MessageType.OUTPUT_STREAM_DATA if client else MessageType.INPUT_STREAM_DATA
        out_type = MessageType.INPUT_STREAM_DATA if client else MessageType.OUTPUT_STREAM_DATA
        self._outbox = Outbox(
            out_type,
            acked_type=self._in_type,
            flag_first=not client,
            high_water=high_water,
            low_water=low_water,
        )
        self._events: list[Event] = []
        self._emit = self._events.append
        self._lifecycle = Lifecycle(role)
        self._client_role = client
        self._lean = False  # see _lean_path_open()
        hooks = ChannelHooks(self._emit, self._session_started, self._fail)
        self._exchange = exchange_for(
            role,
            self._outbox,
            hooks,
            session_id=session_id,
            target=target,
            client_version=client_version,
            session_type=session_type,
            properties=properties,
            agent_version=agent_version,
            kms_key_id=kms_key_id,
        )
        self._inbox = Inbox(
            self._outbox,
            self._exchange,
            EVENT_MAKERS[role],
            hooks,
            is_closed=lambda: not self._lifecycle.state.is_open,
            capacity=reorder_capacity,
        )

    # -- state ----------------------------------------------------------------------

    @property
    def state(self) -> ChannelState:
        """Where the channel is in its life (``lifecycle.TRANSITIONS`` has every move)."""
        return self._lifecycle.state

    @property
    def closed(self) -> bool:
        return not self._lifecycle.state.is_open

    @property
    def started(self) -> bool:
        """True once SessionStarted was emitted (and still after the channel closed)."""
        return self._exchange.handshake.phase is Phase.COMPLETE

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
        # Copy and clear rather than swap lists: ``_emit`` stays bound to this one.
        events = self._events[:]
        self._events.clear()
        return events

    def messages_to_send(self) -> list[bytes]:
        """Binary frames to send, in order, each as one websocket message (§1.4)."""
        return self._outbox.take()

    def get_timer(self) -> float | None:
        """When to call :meth:`handle_timer` next (epoch seconds), or None."""
        state = self._lifecycle.state
        if not state.is_open:
            return None
        deadline = self._exchange.deadline
        if not state.paused:  # §3: no resends while paused
            resend = self._outbox.sent.next_deadline()
            if resend is not None and (deadline is None or resend < deadline):
                deadline = resend
        return deadline

    def handle_timer(self, *, now: float) -> None:
        state = self._lifecycle.state
        if not state.is_open:
            return
        deadline = self._exchange.deadline
        if deadline is not None and now >= deadline:
            self._fail(TIMEOUT_REASON)  # §6.5: the agent waits 15 s for each answer
            return
        if not state.paused:
            self._outbox.resend_expired(now=now, limit=self._resend_limit)

    # -- sending --------------------------------------------------------------------

    def start(self, *, now: float) -> None:
        """Agent role: send the HandshakeRequest when one is needed, else start (§14 step 3)."""
        self._require(Role.AGENT, "start")
        assert isinstance(self._exchange, AgentExchange)
        self._exchange.start(now)
        self._inbox.drain(now)

    def send_data(self, data: bytes | bytearray | memoryview, *, now: float) -> None:
        """Queue Output bytes, split into payloads of at most ``max_payload_size``."""
        self._check_open()
        self._send_chunks(PayloadType.OUTPUT, data, now)

    def send_stderr(self, data: bytes | bytearray | memoryview, *, now: float) -> None:
        self._require(Role.AGENT, "send_stderr")
        self._send_chunks(PayloadType.STDERR, data, now)

    def send_size(self, cols: int, rows: int, *, now: float) -> None:
        self._require(Role.CLIENT, "send_size")
        if not (0 <= cols < 2**32 and 0 <= rows < 2**32):
            raise LocalProtocolError("cols and rows must fit in uint32 (§6.8)")
        self._outbox.hold(PayloadType.SIZE, TerminalSize(cols=cols, rows=rows).to_json())
        self._flush(now)

    def send_flag(self, flag: int, *, now: float) -> None:
        self._check_open()
        self._outbox.hold(PayloadType.FLAG, encode_flag(flag))
        self._flush(now)

    def send_exit_code(self, exit_code: int, *, now: float) -> None:
        self._require(Role.AGENT, "send_exit_code")
        self._outbox.hold(PayloadType.EXIT_CODE, encode_exit_code(exit_code))
        self._flush(now)

    def close(self, *, now: float, output: str = "") -> None:
        """End the channel; the agent role also queues a ``channel_closed`` (§6.3, §14 step 9).

        Unacked and held data is abandoned: wait for ``unacked_count == 0`` first to flush.
        """
        before = self._lifecycle.state
        after = self._move(ChannelInput.CLOSE)
        if after is ChannelState.CLOSE_SENT and before is not after:
            self._outbox.send_channel_closed(
                session_id=self.session_id, target=self.target, output=output, now=now
            )

    def provide_data_key(
        self, plaintext: bytes, ciphertext_blob: bytes = b"", *, now: float
    ) -> None:
        """Answer DataKeyRequested (client: both values) or DataKeyDecryptionRequested
        (agent: the decrypted ``plaintext``), §8."""
        self._check_open()
        self._exchange.provide_data_key(plaintext, ciphertext_blob, now)

    def reject_data_key(self, reason: str, *, now: float) -> None:
        """The KMS call failed: the client answers Failed (§6.5); either role then fails."""
        self._check_open()
        self._exchange.reject_data_key(reason, now)
        self._fail(f"KMS data key unavailable: {reason}")

    def reconnected(self, *, now: float) -> None:
        """A new websocket is up: resend every unacked frame now (§9.8), lift any pause."""
        if not self._lifecycle.state.is_open:
            return
        # Resend first: lifting the pause flushes held data, which must go out only once.
        self._outbox.resend_all(now=now)
        self._set_publication_paused(False, now)
        self._flush(now)

    def pause_receiving(self, *, now: float) -> None:
        """Stop accepting new stream messages; they go unacked so the peer resends them."""
        self._inbox.pause()
        self._lean = self._lean_path_open()

    def resume_receiving(self, *, now: float) -> None:
        """Accept stream messages again; deliver those stored meanwhile whose turn came."""
        self._inbox.resume(now)
        self._lean = self._lean_path_open()

    # -- receiving ------------------------------------------------------------------

    def receive_message(self, raw: bytes, *, now: float) -> None:
        """Feed one inbound binary websocket message; malformed ones become MessageRejected."""
        if self._lean and self._inbox.receive_output(raw, now):
            return  # the common case, read leanly: a running client's next Output
        if not self._lifecycle.state.is_open:
            return
        try:
            # §2.7: only the client checks digests.
            frame = decode_frame(raw, verify_digest=self._client_role)
        except RemoteProtocolError as exc:
            # §2.7: log and drop, no ack; the peer retransmits a corrupted message.
            self._emit(MessageRejected(reason=str(exc)))
            return
        kind = frame.message_type
        if kind != MessageType.PAUSE_PUBLICATION and self._lifecycle.state.paused:
            self._set_publication_paused(False, now)  # §14.1 item 8: any traffic resumes
        if kind == self._in_type:
            self._inbox.receive(frame, now)
        elif kind == MessageType.ACKNOWLEDGE:
            self._receive_ack(frame, now)
        elif kind == MessageType.CHANNEL_CLOSED:
            try:
                closed = ChannelClosedPayload.from_json(frame.payload)
                event = ChannelClosed(session_id=closed.session_id, output=closed.output)
            except RemoteProtocolError:
                event = ChannelClosed(session_id=self.session_id)
            self._emit(event)
            self._move(ChannelInput.REMOTE_CLOSE)
        elif kind == MessageType.PAUSE_PUBLICATION:
            self._set_publication_paused(True, now)
        elif kind != MessageType.START_PUBLICATION:
            self._emit(MessageRejected(reason=f"unexpected message type {kind!r}"))

    def _lean_path_open(self) -> bool:
        """Whether Output may take the lean path: this client delivers it as is (§9.2).

        Kept in ``_lean`` and re-read whenever one of its inputs changes: the state, the
        receive pause, the cipher (which is only ever set before the session runs).
        """
        return (
            self._client_role
            and self._lifecycle.state is _RUNNING
            and not self._inbox.paused
            and self._outbox.cipher is None
        )

    def _receive_ack(self, frame: Frame, now: float) -> None:
        try:
            sequence_number = acked_sequence_number(frame.payload)
        except RemoteProtocolError as exc:
            self._emit(MessageRejected(reason=str(exc)))
            return
        # §6.2: match only on the sequence number; unknown ones are stale duplicates.
        if self._outbox.sent.acknowledge(sequence_number, now=now):
            self._check_writable()

    # -- internals ------------------------------------------------------------------

    def _move(self, event: ChannelInput) -> ChannelState:
        """The one place the state changes (LocalProtocolError if the table forbids it)."""
        state = self._lifecycle.process(event)
        self._lean = self._lean_path_open()
        return state

    def _session_started(self, event: SessionStarted, now: float) -> None:
        self._move(ChannelInput.START)
        self._emit(event)
        self._flush(now)

    def _fail(self, reason: str) -> None:
        self._emit(SessionFailed(reason=reason))
        self._move(ChannelInput.FAIL)

    def _set_publication_paused(self, paused: bool, now: float) -> None:
        before = self._lifecycle.state
        if self._move(ChannelInput.PAUSE if paused else ChannelInput.RESUME) is not before:
            self._emit(PublicationPaused() if paused else PublicationResumed())
            if not paused:
                self._flush(now)

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
        if self._lifecycle.state.flowing:
            self._outbox.release(now=now)
        self._check_writable()

    def _check_writable(self) -> None:
        if self._outbox.writable_changed():
            self._emit(WritableChanged(writable=self._outbox.writable))

    def _check_open(self) -> None:
        if not self._lifecycle.state.is_open:
            raise LocalProtocolError(f"the data channel is {self._lifecycle.state.label}")

    def _require(self, role: Role, what: str) -> None:
        if self.role is not role:
            raise LocalProtocolError(f"{what}() is for the {role.value} role")
        self._check_open()

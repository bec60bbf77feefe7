"""A sans-IO smux v1 session: many TCP streams over one data channel (protocol.md §11.3).

Feed the concatenated Output payloads with ``receive_data``, drain events with
``events()`` and bytes for the data channel with ``data_to_send()``. Time is the
``now=`` argument (epoch seconds); with keepalive on, drive ``get_timer`` /
``handle_timer`` like aioquic's connection.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias

from ssm_tui.protocol.errors import LocalProtocolError, RemoteProtocolError
from ssm_tui.protocol.smux_frame import (
    HEADER,
    MAX_DATA_SIZE,
    MAX_STREAM_ID,
    VERSION,
    Command,
    Frame,
    FrameDecoder,
    encode_frame,
)

__all__ = [
    "MuxClosed",
    "MuxEvent",
    "MuxRole",
    "MuxSession",
    "StreamDataReceived",
    "StreamEnded",
    "StreamOpened",
    "StreamState",
]

# The official client's first stream id: smux starts its counter at 1 and adds 2 first.
FIRST_CLIENT_STREAM_ID = 3
_NOP = encode_frame(Command.NOP, 0)


class MuxRole(enum.Enum):
    """Which end of the mux: the client opens streams, the server (the agent) accepts them."""

    CLIENT = "client"
    SERVER = "server"


class StreamState(enum.Enum):
    """A live stream's state; a stream is gone once both sides have sent FIN."""

    OPEN = "open"
    HALF_CLOSED_LOCAL = "half-closed (local)"  # we sent FIN, the peer may still send
    HALF_CLOSED_REMOTE = "half-closed (remote)"  # the peer sent FIN, we may still send


# Transitions: state -> state after the FIN, None meaning the stream is gone.
_AFTER_LOCAL_FIN: dict[StreamState, StreamState | None] = {
    StreamState.OPEN: StreamState.HALF_CLOSED_LOCAL,
    StreamState.HALF_CLOSED_REMOTE: None,
}
_AFTER_REMOTE_FIN: dict[StreamState, StreamState | None] = {
    StreamState.OPEN: StreamState.HALF_CLOSED_REMOTE,
    StreamState.HALF_CLOSED_LOCAL: None,
}
_CAN_SEND = frozenset({StreamState.OPEN, StreamState.HALF_CLOSED_REMOTE})
_CAN_RECEIVE = frozenset({StreamState.OPEN, StreamState.HALF_CLOSED_LOCAL})


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamOpened:
    """The peer opened a stream (SYN); the server dials its destination now."""

    stream_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamDataReceived:
    """Bytes arrived on a stream (one PSH frame's worth)."""

    stream_id: int
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamEnded:
    """The peer finished sending on a stream (FIN); answer with ``close_stream``."""

    stream_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MuxClosed:
    """The whole session died: a protocol error or the keepalive timeout."""

    reason: str


MuxEvent: TypeAlias = StreamOpened | StreamDataReceived | StreamEnded | MuxClosed


class MuxSession:
    """One smux v1 session, either end, with no I/O of its own."""

    def __init__(
        self,
        role: MuxRole,
        *,
        keepalive: bool = False,
        keepalive_interval: float = 10.0,
        keepalive_timeout: float = 30.0,
        max_frame_size: int = 32768,
    ) -> None:
        if not 0 < max_frame_size <= MAX_DATA_SIZE:
            raise ValueError(f"max_frame_size must be in 1..{MAX_DATA_SIZE}")
        if keepalive_interval <= 0 or keepalive_timeout <= 0:
            raise ValueError("keepalive interval and timeout must be positive")
        self._role = role
        self._keepalive = keepalive
        self._keepalive_interval = keepalive_interval
        self._keepalive_timeout = keepalive_timeout
        self._max_frame_size = max_frame_size
        self._next_stream_id = FIRST_CLIENT_STREAM_ID
        self._streams: dict[int, StreamState] = {}
        self._decoder = FrameDecoder()
        self._outgoing = bytearray()
        self._events: list[MuxEvent] = []
        self._closed = False
        self._error: RemoteProtocolError | None = None
        # Keepalive clock, started by the first call that carries `now`.
        self._next_nop: float | None = None
        self._last_received = 0.0
        self._streams_opened = 0
        self._bytes_sent = 0
        self._bytes_received = 0

    # -- the caller's side -------------------------------------------------------------

    def open_stream(self, *, now: float) -> int:
        """Open a stream (queue its SYN) and return its id: 3, 5, 7, ... (client only)."""
        self._check_usable(now)
        if self._role is MuxRole.SERVER:
            raise LocalProtocolError("the smux server never opens streams (§11.3)")
        stream_id = self._next_stream_id
        if stream_id > MAX_STREAM_ID:
            raise LocalProtocolError("smux stream ids exhausted; start a new session")
        self._next_stream_id += 2
        self._streams[stream_id] = StreamState.OPEN
        self._streams_opened += 1
        self._outgoing += encode_frame(Command.SYN, stream_id)
        return stream_id

    def send(self, stream_id: int, data: bytes | bytearray | memoryview, *, now: float) -> None:
        """Queue ``data`` on a stream as PSH frames of at most ``max_frame_size`` bytes.

        The bytes are copied now, so the caller may reuse its buffer (protocol.md §15,
        "Connection corrupted").
        """
        self._check_usable(now)
        if self._streams.get(stream_id) not in _CAN_SEND:
            raise LocalProtocolError(f"smux stream {stream_id} is not open for sending")
        with memoryview(data) as view, view.cast("B") as octets:
            size = len(octets)
            step = self._max_frame_size
            for start in range(0, size, step):
                chunk = octets[start : start + step]
                self._outgoing += HEADER.pack(VERSION, Command.PSH, len(chunk), stream_id)
                self._outgoing += chunk
        self._bytes_sent += size

    def close_stream(self, stream_id: int, *, now: float) -> None:
        """Queue our FIN for a stream; a stream we already closed, or one that is gone,
        is left alone, so bindings may call this from every cleanup path."""
        self._check_usable(now)
        state = self._streams.get(stream_id)
        if state is None or state is StreamState.HALF_CLOSED_LOCAL:
            return
        self._outgoing += encode_frame(Command.FIN, stream_id)
        self._transition(stream_id, _AFTER_LOCAL_FIN[state])

    def close(self) -> None:
        """Stop the session locally (smux sends nothing on close); no event is emitted."""
        self._closed = True
        self._streams.clear()

    # -- the peer's side ---------------------------------------------------------------

    def receive_data(self, data: bytes, *, now: float) -> None:
        """Feed the next bytes from the peer, split at any point.

        Raises ``RemoteProtocolError`` on a malformed frame, after queueing the events of
        the frames before it and a ``MuxClosed``; so does every later call. Bytes fed
        after a local close or a keepalive timeout are discarded.
        """
        if self._error is not None:
            raise RemoteProtocolError(f"smux session failed earlier: {self._error}")
        if self._closed:
            return
        self._start_clock(now)
        if not data:
            return
        self._last_received = now
        self._decoder.receive_data(data)
        while True:
            try:
                frame = self._decoder.next_frame()
            except RemoteProtocolError as exc:
                self._error = exc
                self._shut_down(str(exc))
                raise
            if frame is None:
                return
            self._handle_frame(frame)

    def _handle_frame(self, frame: Frame) -> None:
        stream_id = frame.stream_id
        command = frame.command
        if command is Command.PSH:
            # Data for an unknown or finished stream is dropped, as smux does.
            if frame.data and self._streams.get(stream_id) in _CAN_RECEIVE:
                self._bytes_received += len(frame.data)
                self._events.append(StreamDataReceived(stream_id=stream_id, data=frame.data))
        elif command is Command.SYN:
            # The official client never accepts streams; its smux parks them unread.
            if self._role is MuxRole.SERVER and stream_id not in self._streams:
                self._streams[stream_id] = StreamState.OPEN
                self._streams_opened += 1
                self._events.append(StreamOpened(stream_id=stream_id))
        elif command is Command.FIN:
            state = self._streams.get(stream_id)
            if state is not None and state in _AFTER_REMOTE_FIN:
                self._transition(stream_id, _AFTER_REMOTE_FIN[state])
                self._events.append(StreamEnded(stream_id=stream_id))
        # NOP only proves the peer is alive, which receive_data already noted.

    # -- time --------------------------------------------------------------------------

    def get_timer(self) -> float | None:
        """When ``handle_timer`` must run next; None without keepalive or once closed.

        Before any call carrying ``now`` it returns 0.0 (already due), so the binding's
        first ``handle_timer`` starts the keepalive clock.
        """
        if not self._keepalive or self._closed:
            return None
        if self._next_nop is None:
            return 0.0
        return min(self._next_nop, self._last_received + self._keepalive_timeout)

    def handle_timer(self, *, now: float) -> None:
        """Queue the NOP that is due, or close the session if the peer went silent."""
        if not self._keepalive or self._closed:
            return
        if self._next_nop is None:
            self._start_clock(now)
            return
        if now >= self._last_received + self._keepalive_timeout:
            self._shut_down(
                f"keepalive timeout: nothing received for {self._keepalive_timeout:g} s"
            )
            return
        if now >= self._next_nop:
            self._outgoing += _NOP
            self._next_nop += self._keepalive_interval
            if self._next_nop <= now:  # woken late: one NOP, not a burst (like a Go ticker)
                self._next_nop = now + self._keepalive_interval

    # -- draining ----------------------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Return and forget the bytes queued for the peer."""
        data = bytes(self._outgoing)
        self._outgoing.clear()
        return data

    def events(self) -> list[MuxEvent]:
        """Return and forget the events since the last call."""
        events, self._events = self._events, []
        return events

    # -- state for callers and panels ------------------------------------------------

    @property
    def role(self) -> MuxRole:
        return self._role

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def open_stream_count(self) -> int:
        """Streams not yet closed by both sides."""
        return len(self._streams)

    @property
    def streams_opened(self) -> int:
        """Streams opened over the session's life (by us as client, by the peer as server)."""
        return self._streams_opened

    @property
    def bytes_sent(self) -> int:
        """Stream payload bytes queued by ``send`` (headers excluded)."""
        return self._bytes_sent

    @property
    def bytes_received(self) -> int:
        """Stream payload bytes delivered in ``StreamDataReceived`` events."""
        return self._bytes_received

    def stream_state(self, stream_id: int) -> StreamState | None:
        """A stream's state, or None if it never existed or is gone."""
        return self._streams.get(stream_id)

    # -- internals ---------------------------------------------------------------------

    def _check_usable(self, now: float) -> None:
        if self._closed:
            raise LocalProtocolError("the smux session is closed")
        self._start_clock(now)

    def _start_clock(self, now: float) -> None:
        if self._keepalive and self._next_nop is None:
            self._next_nop = now + self._keepalive_interval
            self._last_received = now

    def _transition(self, stream_id: int, state: StreamState | None) -> None:
        if state is None:
            del self._streams[stream_id]
        else:
            self._streams[stream_id] = state

    def _shut_down(self, reason: str) -> None:
        self._closed = True
        self._streams.clear()
        self._events.append(MuxClosed(reason=reason))

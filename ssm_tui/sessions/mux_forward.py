"""MuxBridge: many local TCP connections, each an smux stream over one data channel (§11.3)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from ssm_tui.protocol.errors import ProtocolError
from ssm_tui.protocol.smux import (
    MuxClosed,
    MuxRole,
    MuxSession,
    StreamDataReceived,
    StreamEnded,
)
from ssm_tui.sessions.base import Session
from ssm_tui.sessions.flow import LocalWriter, ReceiveGate
from ssm_tui.sessions.forward_stats import ForwardStats

log = logging.getLogger(__name__)

# smux's MaxFrameSize: reading more per call would only be split again (§11.3).
READ_CHUNK = 32768


class MuxBridge:
    """Maps each accepted connection to a client smux stream (ids 3, 5, 7...)."""

    def __init__(
        self, session: Session, stats: ForwardStats, *, keepalive: bool, gate: ReceiveGate
    ) -> None:
        self._session = session
        self._stats = stats
        self._mux = MuxSession(MuxRole.CLIENT, keepalive=keepalive)
        self._gate = gate
        self._writers: dict[int, LocalWriter] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._flush()

    @property
    def closed(self) -> bool:
        """True once the smux session died (protocol error or keepalive timeout)."""
        return self._mux.closed

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward one accepted connection until either side closes it."""
        mux = self._mux
        if mux.closed:
            writer.close()
            return
        stream_id = mux.open_stream(now=time.time())
        local = LocalWriter(writer, self._gate)
        self._writers[stream_id] = local
        self._stats.opened()
        self._flush()
        session = self._session
        try:
            while True:
                await session.wait_writable()
                data = await reader.read(READ_CHUNK)
                if mux.closed or stream_id not in self._writers:
                    return
                if not data:
                    break
                mux.send(stream_id, data, now=time.time())
                self._stats.bytes_sent += len(data)
                self._flush()
            # Local EOF: send our FIN but keep the socket open for the rest of the reply
            # (half-close); the agent's FIN then closes it (StreamEnded).
            mux.close_stream(stream_id, now=time.time())
            self._flush()
        except (ConnectionError, ProtocolError) as exc:
            log.debug("stream %d: %s", stream_id, exc)
            self._finish(stream_id)
        except asyncio.CancelledError:
            self._finish(stream_id, send_fin=False)
            raise

    def receive(self, data: bytes) -> None:
        """Feed Output bytes from the agent (the concatenated smux byte stream)."""
        mux = self._mux
        try:
            mux.receive_data(data, now=time.time())
        except ProtocolError as exc:
            log.warning("smux error: %s", exc)
        for event in mux.events():
            if isinstance(event, StreamDataReceived):
                local = self._writers.get(event.stream_id)
                if local is not None:
                    local.write(event.data)
                    self._stats.bytes_received += len(event.data)
            elif isinstance(event, StreamEnded):
                # §11.3: destination EOF -> close the local connection, answer with our FIN.
                self._finish(event.stream_id)
            elif isinstance(event, MuxClosed):
                log.warning("smux session closed: %s", event.reason)
                for stream_id in list(self._writers):
                    self._finish(stream_id)
        self._flush()

    def connection_failed(self) -> None:
        """The agent could not dial the destination (ConnectToPortError, §5.2)."""
        self._stats.connection_errors += 1
        log.warning("connection to the destination port failed (check the agent's logs)")

    def close(self) -> None:
        """Stop everything: close the local connections (the session is over)."""
        if self._timer is not None:
            self._timer.cancel()
        for stream_id in list(self._writers):
            self._finish(stream_id, send_fin=False)
        self._mux.close()

    def _finish(self, stream_id: int, *, send_fin: bool = True) -> None:
        local = self._writers.pop(stream_id, None)
        if local is None:
            return
        self._stats.closed()
        if send_fin and not self._mux.closed:
            with contextlib.suppress(ProtocolError):
                self._mux.close_stream(stream_id, now=time.time())
            self._flush()
        self._session.spawn(local.close())

    def _flush(self) -> None:
        """Move queued smux bytes into the channel and re-arm the keepalive timer."""
        mux = self._mux
        data = mux.data_to_send()
        if data:
            self._session.send(data)
        deadline = mux.get_timer()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadline is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_at(
                loop.time() + max(0.0, deadline - time.time()), self._on_timer
            )

    def _on_timer(self) -> None:
        self._timer = None
        self._mux.handle_timer(now=time.time())
        self.receive(b"")

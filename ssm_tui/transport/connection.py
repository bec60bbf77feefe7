"""DataChannelConnection: one session's websocket, bound to its sans-IO DataChannel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from ssm_tui.aio.channel_driver import ChannelDriver
from ssm_tui.aio.frame_queue import FrameQueue
from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.errors import ProtocolError
from ssm_tui.protocol.events import ChannelClosed, Event, SessionFailed
from ssm_tui.protocol.payloads import OpenDataChannel
from ssm_tui.protocol.versions import CLIENT_VERSION
from ssm_tui.transport.backoff import Backoff
from ssm_tui.transport.state import (
    CONNECTING,
    LIVE,
    ConnectionState,
    StateObserver,
    ended,
    reconnecting,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """Where and with what to open the data channel (StartSession/ResumeSession output)."""

    stream_url: str
    token: str


class SessionGone(Exception):
    """Raised by a resume callable when the session cannot come back (terminated, expired)."""


ResumeSession = Callable[[], Awaitable[Endpoint]]
"""Calls ResumeSession (off the event loop) and returns the new endpoint."""

EventHandler = Callable[[Event], None]
"""Receives every event the channel produces, in order, synchronously."""


class DataChannelConnection:
    """Runs one DataChannel over a websocket, resuming the session when the socket is lost.

    Thin by design (design.md): a ``ChannelDriver`` feeds frames to the core, sends what
    it drains and keeps ONE ``loop.call_at`` timer; websockets pings every
    ``ping_interval`` seconds; on loss this calls ``resume`` and reconnects with every
    sequence/ack/retransmission counter kept (protocol.md §9.8).
    """

    def __init__(
        self,
        channel: DataChannel,
        endpoint: Endpoint,
        *,
        resume: ResumeSession,
        on_event: EventHandler,
        on_state: StateObserver | None = None,
        ping_interval: float = 30.0,
        ping_timeout: float = 30.0,
        open_timeout: float = 45.0,
        backoff: Backoff | None = None,
        first_connect_attempts: int = 3,
    ) -> None:
        self._channel = channel
        self._driver: ChannelDriver[FrameQueue] = ChannelDriver(channel, on_event=self._dispatch)
        self._endpoint = endpoint
        self._resume = resume
        self._on_event = on_event
        self._on_state = on_state
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._open_timeout = open_timeout
        self._backoff = backoff or Backoff()
        self._first_connect_attempts = first_connect_attempts
        self._client_id = str(uuid.uuid4())  # stable across reconnects (§6.1)
        self._state = CONNECTING
        self._stop = asyncio.Event()
        self._was_live = False

    # -- what sessions and the UI look at -------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        """The current state (connecting / live / reconnecting(n) / ended(reason))."""
        return self._state

    @property
    def channel(self) -> DataChannel:
        """The sans-IO core this connection drives."""
        return self._channel

    def transmit(self) -> None:
        """Dispatch the channel's events, queue its messages, and re-arm its timer.

        Call after every change made to the channel (``send_data``, ``send_size``...).
        Re-entrant calls from an event handler are folded into the running one.
        """
        self._driver.transmit()

    def end(self, reason: str) -> None:
        """Stop for good (no reconnect): close the websocket and report ``ended(reason)``."""
        if self._state.ended:
            return
        self._set_state(ended(reason))
        self._stop.set()
        self._driver.stop()

    async def flush(self, timeout: float) -> bool:
        """Wait until everything sent has been acknowledged; False on timeout or loss."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._driver.wait_acked(), timeout)
        return self._channel.unacked_count == 0

    async def run(self) -> str:
        """Connect and serve until the session ends; return the end reason."""
        last_error = ""
        attempts = 0
        while not self._stop.is_set():
            ws = await self._open(self._endpoint)
            if isinstance(ws, str):
                last_error = ws
                attempts += 1
                if not self._was_live and attempts >= self._first_connect_attempts:
                    self.end(f"cannot open the data channel: {last_error}")
                    break
            else:
                attempts = 0
                last_error = await self._serve(ws)
                if self._stop.is_set():
                    break
            if not await self._recover(last_error):
                break
        return self._state.reason

    # -- internals --------------------------------------------------------------------------

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, ChannelClosed):
            self.end(event.output or f"session {event.session_id} closed")
        elif isinstance(event, SessionFailed):
            self.end(event.reason)
        self._on_event(event)

    def _set_state(self, state: ConnectionState) -> None:
        self._state = state
        if self._on_state is not None:
            self._on_state(state)

    async def _open(self, endpoint: Endpoint) -> ClientConnection | str:
        """Open the websocket and send OpenDataChannel; a string is the failure reason."""
        try:
            ws = await connect(
                endpoint.stream_url,  # verbatim, ws:// or wss:// (§1.1, §1.3)
                max_size=None,
                compression=None,
                open_timeout=self._open_timeout,
                ping_interval=self._ping_interval,
                ping_timeout=self._ping_timeout,
                close_timeout=2.0,
                max_queue=64,
                write_limit=2**18,
            )
        except (OSError, WebSocketException, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        opening = OpenDataChannel(
            message_schema_version="1.0",
            request_id=str(uuid.uuid4()),  # new per attempt
            token_value=endpoint.token,
            client_id=self._client_id,
            client_version=CLIENT_VERSION,
        )
        try:
            await ws.send(opening.to_json().decode())
        except ConnectionClosed as exc:
            return f"closed while opening: {exc}"
        return ws

    async def _serve(self, ws: ClientConnection) -> str:
        """Pump frames both ways until the socket is lost or we stop; return why it ended."""
        unsent = FrameQueue()
        self._driver.attach(unsent)
        if self._was_live:
            self._channel.reconnected(now=time.time())
        self._was_live = True
        self._set_state(LIVE)
        self.transmit()
        writer = asyncio.create_task(unsent.write_to(ws.send))
        stopper = asyncio.create_task(self._stop.wait())
        reader = asyncio.create_task(self._read(ws))
        try:
            await asyncio.wait({reader, writer, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._driver.detach()
            for task in (reader, writer, stopper):
                task.cancel()
            if self._stop.is_set():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.close(), 2.0)
            else:
                ws.transport.abort()
        for task in (reader, writer):
            if task.done() and not task.cancelled() and task.exception() is not None:
                error = task.exception()
                if not isinstance(error, ConnectionClosed):
                    log.error("data channel pump failed", exc_info=error)
        if reader.done() and not reader.cancelled() and reader.exception() is None:
            return reader.result()
        return "connection lost"

    async def _read(self, ws: ClientConnection) -> str:
        backoff_reset = False
        try:
            async for frame in ws:
                if not backoff_reset:
                    # Only traffic proves the new socket works: a service that accepts and
                    # at once closes must not reset the budget (no endless fast loop).
                    self._backoff.reset()
                    backoff_reset = True
                raw = frame if isinstance(frame, bytes) else frame.encode()
                try:
                    self._channel.receive_message(raw, now=time.time())
                except ProtocolError as exc:  # a bad frame is dropped, not fatal (§2.7)
                    log.debug("dropped a frame: %s", exc)
                self.transmit()
        except ConnectionClosed as exc:
            return f"websocket closed ({exc})"
        return f"websocket closed ({ws.close_code} {ws.close_reason})".replace(" )", ")")

    async def _recover(self, last_error: str) -> bool:
        """Wait, ResumeSession, and point at the new endpoint; False once the session ended."""
        while not self._stop.is_set():
            delay = self._backoff.next_delay(now=time.time())
            if delay is None:
                self.end(f"could not reconnect in time ({last_error})")
                return False
            self._set_state(reconnecting(self._backoff.attempt))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return False
            if not self._was_live:
                return True  # first connection: retry with the original token (§9.8)
            try:
                endpoint = await self._resume()
            except SessionGone as exc:
                self.end(str(exc) or "session terminated")
                return False
            except Exception as exc:  # throttling, network down: keep trying within budget
                last_error = f"ResumeSession failed: {exc}"
                continue
            if not endpoint.token:
                self.end(f"session {self._channel_session_id()} timed out")
                return False
            self._endpoint = endpoint
            return True
        return False

    def _channel_session_id(self) -> str:
        return str(getattr(self._channel, "session_id", "")) or "?"

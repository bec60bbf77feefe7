"""Session: one SSM session from StartSession to its end, owning its data channel."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.sessions_api import SessionApi, SessionTicket, SessionTimedOutError
from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import (
    ChannelClosed,
    DataKeyRequested,
    DataReceived,
    Event,
    ExitCodeReceived,
    FlagReceived,
    MessageRejected,
    SessionFailed,
    SessionStarted,
    StderrReceived,
    WritableChanged,
)
from ssm_tui.protocol.payloads import Flag
from ssm_tui.protocol.versions import CLIENT_VERSION
from ssm_tui.transport.backoff import Backoff
from ssm_tui.transport.connection import DataChannelConnection, Endpoint, SessionGone
from ssm_tui.transport.state import CONNECTING, ConnectionState, StateObserver

log = logging.getLogger(__name__)

# AWS error codes meaning ResumeSession will never work again for this session.
_GONE_CODES = frozenset({"DoesNotExistException", "InvalidSessionId", "SessionTimedOut"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionOptions:
    """Knobs shared by every session kind; the defaults suit real AWS."""

    # Bytes per input_stream_data payload. Real agents read 1024-byte chunks, but they
    # accept any size; per-message cost dominates Python throughput, so bulk sessions
    # (port forwards) raise this (see sessions/forward.py).
    max_payload_size: int = 1024
    ping_interval: float = 30.0
    ping_timeout: float = 30.0
    reconnect_budget: float = 600.0
    high_water: int = 1 << 20
    low_water: int = 1 << 18


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEnd:
    """How a session ended: ``ok`` for a normal close (remote end or ours), else a failure."""

    reason: str
    ok: bool
    exit_code: int | None = None


class Session:
    """Base of every session kind: start, run the data channel, dispatch events, end.

    Subclasses override the ``on_*`` hooks; everything runs on one event loop and
    nothing is shared between sessions, so any number can run side by side.
    """

    document_name: str | None = None

    def __init__(
        self,
        api: SessionApi,
        target: str,
        *,
        parameters: Mapping[str, Sequence[str]] | None = None,
        options: SessionOptions | None = None,
        on_state: StateObserver | None = None,
    ) -> None:
        self.api = api
        self.target = target
        self.parameters = dict(parameters or {})
        self.options = options or SessionOptions()
        self.session_id = ""
        self.agent_version = ""
        self.exit_code: int | None = None
        self.started = asyncio.Event()
        self._on_state = on_state
        self._state = CONNECTING
        self._writable = asyncio.Event()
        self._writable.set()
        self._channel: DataChannel | None = None
        self._connection: DataChannelConnection | None = None
        self._task: asyncio.Task[SessionEnd] | None = None
        self._closed_by_remote = False
        self._ended_by_us = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsent: list[bytes] = []  # sent before ``attach``: there is no channel yet

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Call StartSession and begin connecting; AwsError if the service refuses."""
        ticket = await self.api.start_session(
            self.target, document_name=self.document_name, parameters=self.parameters or None
        )
        self.attach(ticket)

    def attach(self, ticket: SessionTicket) -> None:
        """Run the data channel of an already started session (``start`` calls this)."""
        self.session_id = ticket.session_id
        options = self.options
        self._channel = DataChannel(
            Role.CLIENT,
            session_id=ticket.session_id,
            target=self.target,
            client_version=CLIENT_VERSION,
            max_payload_size=options.max_payload_size,
            high_water=options.high_water,
            low_water=options.low_water,
        )
        self._connection = DataChannelConnection(
            self._channel,
            Endpoint(stream_url=ticket.stream_url, token=ticket.token_value),
            resume=self._resume,
            on_event=self._dispatch,
            on_state=self._state_changed,
            ping_interval=options.ping_interval,
            ping_timeout=options.ping_timeout,
            backoff=Backoff(budget=options.reconnect_budget),
        )
        self.prepare()
        # After what ``prepare`` queued (a shell's Size); the channel holds it all until
        # the session has started, then sends it in order.
        unsent, self._unsent = self._unsent, []
        for data in unsent:
            self._channel.send_data(data, now=time.time())
        self._task = asyncio.create_task(self._run(self._connection))

    async def wait(self) -> SessionEnd:
        """Wait until the session is over and say how it ended."""
        if self._task is None:
            raise RuntimeError("the session was not started")
        return await asyncio.shield(self._task)

    async def terminate(self) -> None:
        """End the session on purpose (Ctrl-C, closing a tab); returns once it is over."""
        connection = self._connection
        if connection is None or connection.state.ended:
            return
        self._ended_by_us = True
        channel = self.channel
        if self.uses_terminate_flag() and channel.started and not channel.closed:
            channel.send_flag(Flag.TERMINATE_SESSION, now=time.time())
            connection.transmit()
            await connection.flush(timeout=1.0)  # §5.2: the agent cancels on the flag
        else:
            try:
                await asyncio.wait_for(self.api.terminate_session(self.session_id), 5.0)
            except (AwsError, TimeoutError) as exc:
                log.warning("TerminateSession failed: %s", exc)
        connection.end("terminated")
        await self.wait()

    # -- what subclasses and callers use ------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        """The websocket's state: connecting / live / reconnecting(n) / ended(reason)."""
        return self._state

    @property
    def channel(self) -> DataChannel:
        """The sans-IO core (after ``start``)."""
        if self._channel is None:
            raise RuntimeError("the session was not started")
        return self._channel

    @property
    def connection(self) -> DataChannelConnection:
        """The websocket binding (after ``start``)."""
        if self._connection is None:
            raise RuntimeError("the session was not started")
        return self._connection

    @property
    def writable(self) -> bool:
        """False while the channel applies back-pressure (too much unacknowledged data)."""
        return self._writable.is_set()

    async def wait_writable(self) -> None:
        """Return once the channel accepts more data (local readers pause here)."""
        await self._writable.wait()

    def send(self, data: bytes, *, now: float | None = None) -> None:
        """Queue Output bytes for the agent and push them out.

        Bytes sent before the session is attached (while StartSession is in flight: keys
        typed into a tab that is still connecting) are kept and sent, in order, once it is.
        """
        if not data:
            return
        if self._channel is None:
            self._unsent.append(data)
            return
        if self._channel.closed:
            return
        self._channel.send_data(data, now=time.time() if now is None else now)
        self.connection.transmit()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a helper coroutine tied to this session (kept referenced, cancelled at the end)."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- hooks ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Queue what must go first (a shell's Size); the channel holds it until started."""

    def uses_terminate_flag(self) -> bool:
        """Whether ``terminate`` sends the TerminateSession flag (port sessions, §5.2)."""
        return False

    def on_started(self, event: SessionStarted) -> None:
        """The handshake finished (or the first Output came): data flows now."""

    def on_data(self, data: bytes) -> None:
        """Output bytes arrived."""

    def on_stderr(self, data: bytes) -> None:
        """StdErr bytes arrived (NonInteractiveCommands)."""
        self.on_data(data)

    def on_flag(self, flag: int) -> None:
        """A Flag payload arrived (ConnectToPortError)."""

    def on_ended(self, end: SessionEnd) -> None:
        """The session is over; release local resources."""

    # -- internals ----------------------------------------------------------------------

    async def _run(self, connection: DataChannelConnection) -> SessionEnd:
        reason = await connection.run()
        for task in list(self._tasks):
            task.cancel()
        ok = self._closed_by_remote or self._ended_by_us
        end = SessionEnd(reason=reason, ok=ok, exit_code=self.exit_code)
        self._writable.set()  # release anybody waiting to write
        self.on_ended(end)
        return end

    def _state_changed(self, state: ConnectionState) -> None:
        self._state = state
        if self._on_state is not None:
            self._on_state(state)

    async def _resume(self) -> Endpoint:
        try:
            ticket = await self.api.resume_session(self.session_id)
        except SessionTimedOutError as exc:
            raise SessionGone(str(exc)) from exc
        except AwsError as exc:
            if exc.code in _GONE_CODES:
                raise SessionGone(str(exc)) from exc
            raise
        return Endpoint(stream_url=ticket.stream_url, token=ticket.token_value)

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, DataReceived):
            self.on_data(event.data)
        elif isinstance(event, StderrReceived):
            self.on_stderr(event.data)
        elif isinstance(event, WritableChanged):
            if event.writable:
                self._writable.set()
            else:
                self._writable.clear()
        elif isinstance(event, SessionStarted):
            self.agent_version = event.agent_version or ""
            self.started.set()
            self.on_started(event)
        elif isinstance(event, ExitCodeReceived):
            self.exit_code = event.exit_code
        elif isinstance(event, FlagReceived):
            self.on_flag(event.flag)
        elif isinstance(event, ChannelClosed):
            self._closed_by_remote = True
        elif isinstance(event, DataKeyRequested):
            self.spawn(self._answer_data_key(event))
        elif isinstance(event, SessionFailed):
            log.warning("session %s failed: %s", self.session_id, event.reason)
        elif isinstance(event, MessageRejected):
            log.debug("session %s dropped a message: %s", self.session_id, event.reason)

    async def _answer_data_key(self, event: DataKeyRequested) -> None:
        """§8: GenerateDataKey (boto3 in a thread), then hand the key to the channel."""
        channel = self.channel
        try:
            key = await self.api.generate_data_key(event.kms_key_id, event.encryption_context)
        except AwsError as exc:
            if not channel.closed:
                channel.reject_data_key(str(exc), now=time.time())
        else:
            if not channel.closed:
                channel.provide_data_key(key.plaintext, key.ciphertext_blob, now=time.time())
        self.connection.transmit()

"""One session's agent runtime: the agent role of a DataChannel bound to a backend and a socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ssm_tui.aio.channel_driver import ChannelDriver, FrameLink
from ssm_tui.emulator.session_backend import BackendRefused, SessionBackend
from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.errors import ProtocolError
from ssm_tui.protocol.events import (
    DataKeyDecryptionRequested,
    DataReceived,
    Event,
    FlagReceived,
    SessionFailed,
    SessionStarted,
    SizeReceived,
)
from ssm_tui.protocol.role import Role

_log = logging.getLogger(__name__)

# §9.6: the agent waits up to 2 s for its outgoing buffer to drain before closing. Ours
# waits 2 s *without progress*: under injected loss a large tail drains slower than that,
# and cutting it would make the fault tests measure the agent, not the client. A ceiling
# keeps a client that acks one message a second from holding the session forever.
FLUSH_TIMEOUT = 2.0
FLUSH_CEILING = 60.0
IDLE_MESSAGE = "Your session timed out due to inactivity and has been terminated."

BackendFactory = Callable[[str | None], SessionBackend]
# Decrypts the client's KMS data key (§8 step 4); raises when KMS refuses.
DataKeyDecrypter = Callable[[bytes, Mapping[str, str]], bytes]


class SessionLink(FrameLink, Protocol):
    """The websocket a session is attached to right now."""

    def close(self) -> None:
        """Close the socket once the frames queued so far are out."""


class AgentSession:
    """Drives one session: handshake, acks, retransmission, the backend, and its ending.

    The session outlives its websockets: while the client is away, the channel keeps its
    sequence state and unacked messages and resends them after a reconnect (§9.8).
    """

    def __init__(
        self,
        *,
        session_id: str,
        target: str,
        session_type: str,
        properties: Mapping[str, Any] | None,
        agent_version: str,
        kms_key_id: str | None,
        backend_factory: BackendFactory,
        decrypt_data_key: DataKeyDecrypter,
        idle_timeout: float,
        on_ended: Callable[[AgentSession], None],
        max_payload_size: int = 1024,
    ) -> None:
        self.session_id = session_id
        channel = DataChannel(
            Role.AGENT,
            session_id=session_id,
            target=target,
            session_type=session_type,
            properties=dict(properties) if properties is not None else None,
            agent_version=agent_version,
            kms_key_id=kms_key_id,
            max_payload_size=max_payload_size,
        )
        self._channel = channel
        self._driver: ChannelDriver[SessionLink] = ChannelDriver(channel, on_event=self._on_event)
        self._backend_factory = backend_factory
        self._decrypt_data_key = decrypt_data_key
        self._idle_timeout = idle_timeout
        self._on_ended = on_ended
        self._started = False
        self._client_version: str | None = None
        self._backend: SessionBackend | None = None
        self._backend_ready = False
        self._early: list[Event] = []  # client input that arrived while the backend started
        self._idle_timer: asyncio.TimerHandle | None = None
        self._last_activity = time.time()
        self._ending = False
        self.ended = False
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the socket side ----------------------------------------------------------------

    def attach(self, link: SessionLink, *, client_version: str | None) -> None:
        """A websocket opened with a valid token now carries this session."""
        previous = self._driver.attach(link)
        if previous is not None and previous is not link:
            previous.close()
        now = time.time()
        self._last_activity = now
        if client_version is not None:
            self._client_version = client_version
        if not self._started:
            self._started = True
            self._channel.start(now=now)
        else:
            # §9.8: everything still unacked goes out again on the new socket.
            self._channel.reconnected(now=now)
        self._driver.transmit()
        if self._idle_timer is None and not self.ended:
            self._arm_idle_timer()

    def detach(self, link: SessionLink) -> None:
        """The websocket went away; the session stays until resumed, ended or idle."""
        if self._driver.link is link:
            self._driver.detach()

    def receive_frame(self, frame: bytes) -> None:
        """One binary frame from the client."""
        if self.ended:
            return
        self._last_activity = time.time()
        try:
            self._channel.receive_message(frame, now=time.time())
        except ProtocolError as exc:
            _log.debug("session %s: dropped frame: %s", self.session_id, exc)
        self._driver.transmit()

    # -- ending -------------------------------------------------------------------------

    def finish(self, output: str = "") -> None:
        """End the session gracefully: flush while acks arrive, then channel_closed (§9.6)."""
        if not self._ending:
            self._ending = True
            self._spawn(self._finish(output))

    def terminate(self, output: str = "") -> None:
        """End now (TerminateSession, idle timeout, failure): channel_closed, then close."""
        if self.ended:
            return
        self._ending = True
        self._close_channel(output)
        self._spawn(self._release())

    async def stop(self) -> None:
        """Server shutdown: end without ceremony and wait until every process is gone."""
        self.terminate("The local fleet is shutting down.")
        current = asyncio.current_task()
        while pending := [t for t in self._tasks if t is not current and not t.done()]:
            await asyncio.gather(*pending, return_exceptions=True)
        await self._stop_backend()

    async def _finish(self, output: str) -> None:
        # Also while the client is away: it may resume within the 2 s and collect the rest.
        deadline = time.monotonic() + FLUSH_CEILING
        while (unacked := self._channel.unacked_count) and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._driver.wait_acked(), FLUSH_TIMEOUT)
            if self._channel.unacked_count >= unacked:
                break  # no ack arrived in a whole flush period: the client is gone
        self.terminate(output)

    def _close_channel(self, output: str) -> None:
        self.ended = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        with contextlib.suppress(ProtocolError):
            self._channel.close(now=time.time(), output=output)
        driver = self._driver
        driver.send_frames()  # the channel_closed, before the socket closes
        driver.stop()  # wakes anything waiting to send or for acks: it finds the channel closed
        link = driver.detach()
        if link is not None:
            link.close()
        self._on_ended(self)

    async def _release(self) -> None:
        await self._stop_backend()

    async def _stop_backend(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            await backend.stop()

    # -- the channel's events -----------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if isinstance(event, DataReceived | SizeReceived | FlagReceived):
            if self._backend_ready:
                self._deliver(event)
            else:
                self._early.append(event)
        elif isinstance(event, SessionStarted):
            if event.client_version is not None:
                self._client_version = event.client_version
            self._spawn(self._start_backend())
        elif isinstance(event, DataKeyDecryptionRequested):
            self._provide_data_key(event)
        elif isinstance(event, SessionFailed):
            self.terminate(event.reason)
        else:
            _log.debug("session %s: %s", self.session_id, event)

    def _provide_data_key(self, event: DataKeyDecryptionRequested) -> None:
        now = time.time()
        try:
            key = self._decrypt_data_key(event.ciphertext_blob, event.encryption_context)
        except Exception as exc:  # KMS refused: the agent fails the session (§8 step 4)
            self._channel.reject_data_key(str(exc) or type(exc).__name__, now=now)
        else:
            self._channel.provide_data_key(plaintext=key, now=now)
        self._driver.transmit()

    async def _start_backend(self) -> None:
        try:
            backend = self._backend_factory(self._client_version)
            self._backend = backend
            await backend.start(_Sink(self))
        except BackendRefused as exc:
            self.terminate(str(exc))
            return
        except OSError as exc:
            self.terminate(f"The session could not start: {exc}")
            return
        if self.ended:
            await self._stop_backend()
            return
        self._backend_ready = True
        early, self._early = self._early, []
        for event in early:
            self._deliver(event)

    def _deliver(self, event: Event) -> None:
        backend = self._backend
        if backend is None:
            return
        if isinstance(event, DataReceived):
            backend.receive_data(event.data)
        elif isinstance(event, SizeReceived):
            backend.receive_size(event.cols, event.rows)
        elif isinstance(event, FlagReceived):
            backend.receive_flag(int(event.flag))

    # -- sending and time ---------------------------------------------------------------

    async def send(self, queue: Callable[[DataChannel, float], None]) -> None:
        """Run ``queue(channel, now)`` once the channel accepts more (back-pressure, §9.4)."""
        await self._driver.wait_writable()
        if self.ended:
            return
        now = time.time()
        self._last_activity = now
        try:
            queue(self._channel, now)
        except ProtocolError as exc:
            _log.debug("session %s: cannot send: %s", self.session_id, exc)
            return
        self._driver.transmit()

    def _arm_idle_timer(self) -> None:
        # Armed once and moved on when it fires, not on every frame: activity only
        # pushes the deadline later.
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last_activity + self._idle_timeout - time.time())
        self._idle_timer = loop.call_at(loop.time() + delay, self._on_idle_timer)

    def _on_idle_timer(self) -> None:
        self._idle_timer = None
        if self.ended:
            return
        if time.time() >= self._last_activity + self._idle_timeout:
            self.terminate(IDLE_MESSAGE)
        else:
            self._arm_idle_timer()

    def _spawn(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _Sink:
    """The `BackendSink` a backend writes into."""

    def __init__(self, session: AgentSession) -> None:
        self._session = session

    async def output(self, data: bytes) -> None:
        await self._session.send(lambda channel, now: channel.send_data(data, now=now))

    async def stderr(self, data: bytes) -> None:
        await self._session.send(lambda channel, now: channel.send_stderr(data, now=now))

    async def exit_code(self, code: int) -> None:
        await self._session.send(lambda channel, now: channel.send_exit_code(code, now=now))

    async def flag(self, flag: int) -> None:
        await self._session.send(lambda channel, now: channel.send_flag(flag, now=now))

    def finished(self, output: str = "") -> None:
        self._session.finish(output)

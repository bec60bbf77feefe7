"""A test-only client: the project's client-role DataChannel driven over a real websocket."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from ssm_tui.aio.channel_driver import ChannelDriver
from ssm_tui.aio.frame_queue import FrameQueue
from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.events import (
    ChannelClosed,
    DataKeyRequested,
    DataReceived,
    Event,
    ExitCodeReceived,
    FlagReceived,
    PublicationPaused,
    SessionFailed,
    SessionStarted,
    StderrReceived,
)
from ssm_tui.protocol.payloads import OpenDataChannel
from ssm_tui.protocol.role import Role
from ssm_tui.protocol.smux import (
    MuxRole,
    MuxSession,
    StreamDataReceived,
    StreamEnded,
)

# (kms_key_id, encryption_context) -> (plaintext, ciphertext_blob), e.g. KMS GenerateDataKey.
DataKeySource = Callable[[str, dict[str, str]], Awaitable[tuple[bytes, bytes]]]
# Called when the server closed the socket: ResumeSession, returning the new token.
Resumer = Callable[[], Awaitable[str]]
FrameRewriter = Callable[[bytes], bytes]


def nul_padded_hex_digest(frame: bytes) -> bytes:
    """Rewrite a frame like the third-party browser client (§2.2, §2.7): the type
    right-justified with NULs and the first 32 characters of the hex SHA-256 as digest."""
    name = frame[4:36].strip()
    payload = frame[120:]
    hex_digest = hashlib.sha256(payload).hexdigest()[:32].encode()
    return frame[:4] + name.rjust(32, b"\x00") + frame[36:80] + hex_digest + frame[112:]


class ClientLoop:
    """Connects, sends OpenDataChannel, feeds frames both ways and honours the timer."""

    def __init__(
        self,
        *,
        session_id: str,
        target: str,
        stream_url: str,
        client_version: str | None = "1.2.677.0",
        data_keys: DataKeySource | None = None,
        resume: Resumer | None = None,
        rewrite: FrameRewriter | None = None,
    ) -> None:
        self.channel = DataChannel(
            Role.CLIENT,
            session_id=session_id,
            target=target,
            client_version=client_version or "",
        )
        self._driver: ChannelDriver[FrameQueue] = ChannelDriver(self.channel, on_event=self._handle)
        self.stream_url = stream_url
        self.client_version = client_version
        self.client_id = str(uuid.uuid4())
        self.token = ""  # the token StartSession issued (set by whoever creates us)
        self._data_keys = data_keys
        self._resume = resume
        self._rewrite = rewrite
        self._ws: ClientConnection | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._changed = asyncio.Event()
        self.on_data: Callable[[bytes], None] | None = None
        self.started: SessionStarted | None = None
        self.output = bytearray()
        self.stderr = bytearray()
        self.exit_code: int | None = None
        self.flags: list[int] = []
        self.closed: ChannelClosed | None = None
        self.failure: str | None = None
        self.connections = 0
        self.publication_pauses = 0
        self.close_codes: list[int | None] = []

    # -- connection ---------------------------------------------------------------------

    async def connect(self, token: str) -> None:
        """Open the websocket and send OpenDataChannel with ``token`` (§6.1)."""
        ws = await connect(self.stream_url, max_size=None, compression=None)
        opened = OpenDataChannel(
            token_value=token,
            client_id=self.client_id,
            request_id=str(uuid.uuid4()),
            client_version=self.client_version,
        )
        await ws.send(opened.to_json().decode())
        self._ws = ws
        unsent = FrameQueue()
        self._driver.attach(unsent)
        self.connections += 1
        if self.connections > 1:
            self.channel.reconnected(now=time.time())  # §9.8: resend everything unacked
        self._spawn(self._read(ws))
        self._spawn(self._write(ws, unsent))
        self._pump()

    async def drop(self) -> None:
        """Lose the websocket from our side (no resume): the session must survive it."""
        ws, self._ws = self._ws, None
        self._driver.detach()
        if ws is not None:
            await ws.close()

    async def close(self) -> None:
        """Stop every task and close the socket."""
        ws, self._ws = self._ws, None
        self._driver.detach()
        self._driver.stop()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if ws is not None:
            await ws.close()

    # -- sending ------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue Output (keystrokes or port bytes)."""
        self.channel.send_data(data, now=time.time())
        self._pump()

    def send_size(self, cols: int, rows: int) -> None:
        self.channel.send_size(cols, rows, now=time.time())
        self._pump()

    def send_flag(self, flag: int) -> None:
        self.channel.send_flag(flag, now=time.time())
        self._pump()

    # -- waiting -----------------------------------------------------------------------

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``condition()`` holds, re-checking after every received frame."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    async def wait_output(self, needle: bytes, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: needle in self.output, timeout)

    async def wait_closed(self, timeout: float = 10.0) -> ChannelClosed:
        await self.wait_for(lambda: self.closed is not None or self.failure is not None, timeout)
        assert self.closed is not None, self.failure
        return self.closed

    # -- internals ---------------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                data = raw if isinstance(raw, bytes) else raw.encode()
                self.channel.receive_message(data, now=time.time())
                self._pump()
        except ConnectionClosed:
            pass
        self.close_codes.append(ws.close_code)
        if ws is not self._ws:
            return  # we dropped it on purpose
        self._ws = None
        self._driver.detach()
        self._notify()
        if self.channel.closed or self._resume is None:
            return
        token = await self._resume()  # §9.8: ResumeSession, then the same StreamUrl
        if token:
            await self.connect(token)

    async def _write(self, ws: ClientConnection, unsent: FrameQueue) -> None:
        rewrite = self._rewrite
        with contextlib.suppress(ConnectionClosed):
            if rewrite is None:
                await unsent.write_to(ws.send)
            else:
                await unsent.write_to(lambda frame: ws.send(rewrite(frame)))

    def _pump(self) -> None:
        self._driver.transmit()
        self._notify()

    def _handle(self, event: Event) -> None:
        if isinstance(event, SessionStarted):
            self.started = event
        elif isinstance(event, DataReceived):
            if self.on_data is not None:
                self.on_data(event.data)
            else:
                self.output += event.data
        elif isinstance(event, StderrReceived):
            self.stderr += event.data
        elif isinstance(event, ExitCodeReceived):
            self.exit_code = event.exit_code
        elif isinstance(event, FlagReceived):
            self.flags.append(int(event.flag))
        elif isinstance(event, ChannelClosed):
            self.closed = event
        elif isinstance(event, SessionFailed):
            self.failure = event.reason
        elif isinstance(event, DataKeyRequested):
            self._spawn(self._answer_data_key(event))
        elif isinstance(event, PublicationPaused):
            self.publication_pauses += 1

    async def _answer_data_key(self, event: DataKeyRequested) -> None:
        assert self._data_keys is not None, "the agent asked for KMS but no key source is set"
        plaintext, blob = await self._data_keys(event.kms_key_id, dict(event.encryption_context))
        self.channel.provide_data_key(plaintext=plaintext, ciphertext_blob=blob, now=time.time())
        self._pump()

    def _notify(self) -> None:
        self._changed.set()

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class MuxClient:
    """An smux v1 client over a ClientLoop's Output (§11.3), with per-stream buffers."""

    def __init__(self, loop: ClientLoop) -> None:
        self._loop = loop
        self.mux = MuxSession(MuxRole.CLIENT)
        self.received: dict[int, bytearray] = {}
        self.ended: set[int] = set()
        loop.on_data = self._on_data

    def open_stream(self) -> int:
        stream_id = self.mux.open_stream(now=time.time())
        self.received[stream_id] = bytearray()
        self._flush()
        return stream_id

    def send(self, stream_id: int, data: bytes) -> None:
        self.mux.send(stream_id, data, now=time.time())
        self._flush()

    def close_stream(self, stream_id: int) -> None:
        self.mux.close_stream(stream_id, now=time.time())
        self._flush()

    async def wait_ended(self, stream_id: int, timeout: float = 10.0) -> bytes:
        """Everything the stream carried once the agent sent its FIN."""
        await self._loop.wait_for(lambda: stream_id in self.ended, timeout)
        return bytes(self.received[stream_id])

    def _on_data(self, data: bytes) -> None:
        self.mux.receive_data(data, now=time.time())
        for event in self.mux.events():
            if isinstance(event, StreamDataReceived):
                self.received.setdefault(event.stream_id, bytearray()).extend(event.data)
            elif isinstance(event, StreamEnded):
                self.ended.add(event.stream_id)
                self.mux.close_stream(event.stream_id, now=time.time())
        self._flush()

    def _flush(self) -> None:
        data = self.mux.data_to_send()
        if data:
            self._loop.send(data)

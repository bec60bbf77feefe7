"""A Port session's agent side: smux server, basic forwarding or stdio, over real TCP."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import Coroutine, Mapping
from typing import Any

from ssm_tui.emulator.port_destination import (
    Address,
    DestinationRefused,
    DestinationResolver,
    dial,
)
from ssm_tui.emulator.session_backend import BackendRefused, BackendSink
from ssm_tui.protocol.errors import RemoteProtocolError
from ssm_tui.protocol.payloads import Flag
from ssm_tui.protocol.smux import (
    MuxClosed,
    MuxRole,
    MuxSession,
    StreamDataReceived,
    StreamEnded,
    StreamOpened,
)
from ssm_tui.protocol.versions import (
    LOCAL_PORT_FORWARDING,
    agent_sends_keepalive,
    agent_uses_mux,
    client_uses_mux,
)

_READ_SIZE = 32768
_CLOSE_TIMEOUT = 1.0


class PortMode(enum.Enum):
    """How the agent carries a port session (protocol.md §11)."""

    MUX = "mux"  # smux v1 server, one TCP connection per stream (§11.3)
    BASIC = "basic"  # raw bytes, one connection at a time, DisconnectToPort (§11.2)
    STDIO = "stdio"  # no ``type`` (AWS-StartSSHSession): one connection for the session (§11.1)


def port_mode(
    properties: Mapping[str, Any] | None, client_version: str | None, agent_version: str
) -> PortMode:
    """The agent's choice by the §10.4 gates; no ClientVersion compares lowest (basic).

    Agents up to 3.0.196.0 predate smux, which is why the client checks the agent's
    version (§10.4); an emulated old agent therefore serves basic mode whatever the client.
    """
    port_type = str((properties or {}).get("type", ""))
    if port_type != LOCAL_PORT_FORWARDING:
        return PortMode.STDIO
    if agent_uses_mux(client_version or "", port_type) and client_uses_mux(
        agent_version, port_type
    ):
        return PortMode.MUX
    return PortMode.BASIC


class _Connection:
    """One destination connection: bytes written in order, even while it is being dialed."""

    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.writer: asyncio.StreamWriter | None = None
        self.pending = bytearray()
        self.eof_pending = False
        self.closed = False

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.writer is None:
            self.pending += data
        else:
            self.writer.write(data)

    def write_eof(self) -> None:
        if self.writer is None:
            self.eof_pending = True
        elif self.writer.can_write_eof() and not self.writer.is_closing():
            with contextlib.suppress(OSError):
                self.writer.write_eof()

    def attach(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        if self.pending:
            writer.write(bytes(self.pending))
            self.pending.clear()
        if self.eof_pending:
            self.write_eof()
        self.ready.set()

    async def close(self) -> None:
        self.closed = True
        writer = self.writer
        if writer is not None and not writer.is_closing():
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), _CLOSE_TIMEOUT)


class PortBackend:
    """Bridges a port session's Output stream to real TCP connections on this machine."""

    def __init__(
        self,
        *,
        mode: PortMode,
        resolver: DestinationResolver,
        host: str | None,
        port: int,
        client_version: str | None = None,
    ) -> None:
        self.mode = mode
        self._resolver = resolver
        self._host = host
        self._port = port
        self._sink: BackendSink | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._send_lock = asyncio.Lock()
        self._stopped = False
        # smux server (§11.3); keepalive only for clients ≤ 1.2.331.0 (§10.4).
        keepalive = mode is PortMode.MUX and agent_sends_keepalive(client_version or "")
        self._mux = MuxSession(MuxRole.SERVER, keepalive=keepalive)
        self._streams: dict[int, _Connection] = {}
        # basic / stdio: the single destination connection, if any.
        self._single: _Connection | None = None
        self._address: Address | None = None

    async def start(self, sink: BackendSink) -> None:
        """Validate the destination and, for basic and stdio, connect to it now."""
        self._sink = sink
        if self.mode is PortMode.MUX:
            # Each smux stream resolves and dials on its SYN; failures are per stream.
            if self._mux.get_timer() is not None:
                self._spawn(self._keepalive_loop())
            return
        try:
            # The real agent dials when the session starts in these modes (§11.1-11.2).
            self._address = self._resolver.resolve(self._host, self._port)
            await self._connect_single()
        except DestinationRefused as exc:
            raise BackendRefused(f"Unable to start port forwarding: {exc}") from exc

    def receive_data(self, data: bytes) -> None:
        """Output from the client: smux frames (mux) or raw destination bytes."""
        if self._stopped:
            return
        if self.mode is PortMode.MUX:
            self._receive_mux(data)
            return
        if self._single is None:
            # §11.2: after a disconnect the agent re-dials on the next Output; the new
            # connection buffers this Output until the dial completes.
            self._single = _Connection()
            self._spawn(self._redial(self._single))
        self._single.write(data)

    def receive_size(self, cols: int, rows: int) -> None:
        """Port sessions have no terminal."""

    def receive_flag(self, flag: int) -> None:
        """DisconnectToPort closes the basic destination; TerminateSession ends the session."""
        if flag == Flag.TERMINATE_SESSION:
            self._finish("")
        elif flag == Flag.DISCONNECT_TO_PORT and self.mode is PortMode.BASIC:
            connection, self._single = self._single, None
            if connection is not None:
                self._spawn(connection.close())

    async def stop(self) -> None:
        """Close every destination connection and cancel every task."""
        self._stopped = True
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        for task in list(self._tasks):
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        connections = [*self._streams.values(), *([self._single] if self._single else [])]
        self._streams.clear()
        self._single = None
        for connection in connections:
            await connection.close()
        if not self._mux.closed:
            self._mux.close()

    # -- mux ---------------------------------------------------------------------------

    def _receive_mux(self, data: bytes) -> None:
        with contextlib.suppress(RemoteProtocolError):  # reported as MuxClosed below
            self._mux.receive_data(data, now=time.time())
        for event in self._mux.events():
            if isinstance(event, StreamOpened):
                connection = self._streams[event.stream_id] = _Connection()
                self._spawn(self._serve_stream(event.stream_id, connection))
            elif isinstance(event, StreamDataReceived):
                stream = self._streams.get(event.stream_id)
                if stream is not None:
                    stream.write(event.data)
            elif isinstance(event, StreamEnded):
                stream = self._streams.get(event.stream_id)
                if stream is not None:
                    stream.write_eof()
            elif isinstance(event, MuxClosed):
                self._finish(f"Port forwarding ended: {event.reason}")
        self._schedule_flush()

    async def _serve_stream(self, stream_id: int, connection: _Connection) -> None:
        try:
            address = self._resolver.resolve(self._host, self._port)
            reader, writer = await dial(address)
        except DestinationRefused:
            # §5.2 code 3 and §11.3: tell the client, and close that smux stream.
            self._streams.pop(stream_id, None)
            await self._send_flag(Flag.CONNECT_TO_PORT_ERROR)
            self._close_stream(stream_id)
            await self._flush()
            return
        connection.attach(writer)
        try:
            while data := await _read(reader):
                if self._mux.closed:
                    break
                self._mux.send(stream_id, data, now=time.time())
                await self._flush()
        finally:
            self._streams.pop(stream_id, None)
            self._close_stream(stream_id)
            await connection.close()
            with contextlib.suppress(Exception):
                await self._flush()

    def _close_stream(self, stream_id: int) -> None:
        if not self._mux.closed:
            self._mux.close_stream(stream_id, now=time.time())

    async def _keepalive_loop(self) -> None:
        while not self._mux.closed:
            deadline = self._mux.get_timer()
            if deadline is None:
                return
            await asyncio.sleep(max(0.0, deadline - time.time()))
            self._mux.handle_timer(now=time.time())
            for event in self._mux.events():
                if isinstance(event, MuxClosed):
                    self._finish(f"Port forwarding ended: {event.reason}")
            await self._flush()

    # -- basic and stdio ---------------------------------------------------------------

    async def _connect_single(self) -> None:
        assert self._address is not None
        connection = self._single = _Connection()
        reader, writer = await dial(self._address)
        connection.attach(writer)
        self._spawn(self._pump_single(connection, reader))

    async def _redial(self, connection: _Connection) -> None:
        assert self._address is not None
        try:
            reader, writer = await dial(self._address)
        except DestinationRefused as exc:
            # No Flag here: the official client in basic mode writes every payload, flags
            # included, into the user's TCP connection (§11.2), so end the session instead.
            self._finish(f"Connection to destination port failed: {exc}")
            return
        connection.attach(writer)
        await self._pump_single(connection, reader)

    async def _pump_single(self, connection: _Connection, reader: asyncio.StreamReader) -> None:
        try:
            while data := await _read(reader):
                await self._output(data)
        finally:
            await connection.close()
            if self._single is connection:
                self._single = None
        if self.mode is PortMode.STDIO:
            # §11.1: destination EOF ends a stdio session successfully.
            self._finish("")

    # -- output ------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        self._spawn(self._flush())

    async def _flush(self) -> None:
        async with self._send_lock:
            data = self._mux.data_to_send()
            if data and self._sink is not None:
                await self._sink.output(data)

    async def _output(self, data: bytes) -> None:
        async with self._send_lock:
            if self._sink is not None:
                await self._sink.output(data)

    async def _send_flag(self, flag: Flag) -> None:
        async with self._send_lock:
            if self._sink is not None:
                await self._sink.flag(flag)

    def _finish(self, output: str) -> None:
        if self._sink is not None and not self._stopped:
            self._stopped = True
            self._sink.finished(output)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _read(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read(_READ_SIZE)
    except OSError:
        return b""

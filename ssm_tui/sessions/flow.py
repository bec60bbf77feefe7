"""Back-pressure between local asyncio streams and a session's data channel, both ways."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable

from ssm_tui.transport.connection import DataChannelConnection

# A local writer holding more than this unsent makes the agent wait (receive pause).
WRITE_HIGH_WATER = 1 << 20


class ReceiveGate:
    """Pauses the channel's receiving while any local consumer is behind, resumes after all.

    Paused messages stay unacknowledged, so the agent keeps (and later resends) them:
    memory stays bounded however slow the local side is.
    """

    def __init__(self, connection: DataChannelConnection) -> None:
        self._connection = connection
        self._held: set[Hashable] = set()

    @property
    def paused(self) -> bool:
        """True while some consumer is behind."""
        return bool(self._held)

    def hold(self, key: Hashable) -> None:
        """``key``'s consumer is behind: stop taking new data from the agent."""
        if not self._held:
            self._connection.channel.pause_receiving(now=time.time())
        self._held.add(key)

    def release(self, key: Hashable) -> None:
        """``key``'s consumer caught up (or went away)."""
        if key not in self._held:
            return
        self._held.discard(key)
        if not self._held:
            self._connection.channel.resume_receiving(now=time.time())
            self._connection.transmit()


class LocalWriter:
    """An asyncio StreamWriter fed by the agent, holding the gate while its buffer is full."""

    def __init__(self, writer: asyncio.StreamWriter, gate: ReceiveGate) -> None:
        self.writer = writer
        self._gate = gate
        self._draining: asyncio.Task[None] | None = None

    def write(self, data: bytes) -> None:
        """Write now; if the socket buffer passed the high-water mark, pause the agent."""
        writer = self.writer
        if writer.is_closing():
            return
        writer.write(data)
        if self._draining is None and writer.transport.get_write_buffer_size() > WRITE_HIGH_WATER:
            self._gate.hold(self)
            self._draining = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()
        finally:
            self._draining = None
            self._gate.release(self)

    async def close(self) -> None:
        """Flush what is buffered (best effort), then close the socket."""
        writer = self.writer
        with contextlib.suppress(ConnectionError, RuntimeError):
            if writer.can_write_eof() and not writer.is_closing():
                writer.write_eof()
            if self._draining is not None:
                await self._draining
        writer.close()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await writer.wait_closed()
        self._gate.release(self)


async def pump(
    reader: asyncio.StreamReader,
    send: Callable[[bytes], None],
    wait_writable: Callable[[], Awaitable[None]],
    *,
    chunk_size: int,
) -> None:
    """Copy ``reader`` into ``send`` until EOF, waiting whenever the channel is full."""
    while True:
        await wait_writable()
        data = await reader.read(chunk_size)
        if not data:
            return
        send(data)

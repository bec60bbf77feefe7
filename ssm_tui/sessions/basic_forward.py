"""BasicBridge: one local TCP connection at a time, raw bytes, DisconnectToPort between (§11.2)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from ssm_tui.protocol.payloads import Flag
from ssm_tui.sessions.base import Session
from ssm_tui.sessions.flow import LocalWriter, ReceiveGate
from ssm_tui.sessions.forward_stats import ForwardStats

log = logging.getLogger(__name__)


class BasicBridge:
    """Forwards connections one after another; later ones wait in line, as the plugin's do."""

    def __init__(
        self, session: Session, stats: ForwardStats, *, gate: ReceiveGate, chunk_size: int
    ) -> None:
        self._session = session
        self._stats = stats
        self._gate = gate
        self._chunk_size = chunk_size
        self._turn = asyncio.Lock()
        self._current: LocalWriter | None = None

    @property
    def closed(self) -> bool:
        """Basic mode has no session of its own to die."""
        return False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Wait for our turn, then forward this connection until the local side closes it."""
        async with self._turn:
            local = LocalWriter(writer, self._gate)
            self._current = local
            self._stats.opened()
            session = self._session
            try:
                while True:
                    await session.wait_writable()
                    data = await reader.read(self._chunk_size)
                    if not data or session.channel.closed:
                        break
                    session.send(data)
                    self._stats.bytes_sent += len(data)
            except ConnectionError as exc:
                log.debug("local connection: %s", exc)
            finally:
                self._current = None
                self._stats.closed()
                channel = session.channel
                if not channel.closed:
                    # §11.2: the agent closes its destination connection and re-dials on
                    # the next Output.
                    channel.send_flag(Flag.DISCONNECT_TO_PORT, now=time.time())
                    session.connection.transmit()
                with contextlib.suppress(Exception):
                    await local.close()

    def receive(self, data: bytes) -> None:
        """Output bytes from the agent go to the current connection (dropped between them)."""
        local = self._current
        if local is not None:
            local.write(data)
            self._stats.bytes_received += len(data)

    def connection_failed(self) -> None:
        """Basic agents do not send ConnectToPortError; count it anyway."""
        self._stats.connection_errors += 1

    def close(self) -> None:
        """The session is over: drop the current connection."""
        local = self._current
        if local is not None:
            local.writer.close()

"""ProxySession: a byte pipe to a port on the target, for SSH's ProxyCommand (§11.1)."""

from __future__ import annotations

import asyncio

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.protocol.versions import client_sends_terminate_flag
from ssm_tui.sessions.base import Session, SessionEnd, SessionOptions
from ssm_tui.sessions.flow import LocalWriter, ReceiveGate, pump
from ssm_tui.sessions.forward import DEFAULT_UPLOAD_CHUNK
from ssm_tui.transport.state import StateObserver

SSH_DOCUMENT = "AWS-StartSSHSession"


class ProxySession(Session):
    """AWS-StartSSHSession: the properties carry no ``type``, so the client runs "stdio" mode:
    everything read locally becomes Output, every Output is written locally (§11.1)."""

    document_name = SSH_DOCUMENT

    def __init__(
        self,
        api: SessionApi,
        target: str,
        port: int = 22,
        *,
        options: SessionOptions | None = None,
        on_state: StateObserver | None = None,
    ) -> None:
        options = options or SessionOptions(max_payload_size=DEFAULT_UPLOAD_CHUNK)
        super().__init__(
            api, target, parameters={"portNumber": [str(port)]}, options=options, on_state=on_state
        )
        self.port = port
        self._local: LocalWriter | None = None
        self._early: list[bytes] = []

    def uses_terminate_flag(self) -> bool:
        return client_sends_terminate_flag(self.agent_version)

    async def bridge(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> SessionEnd:
        """Pipe ``reader`` to the target and the target to ``writer`` until either ends.

        Local EOF (ssh closed its side) waits for what we sent to be acknowledged, then
        ends the session; the remote end closing closes ``writer``.
        """
        local = LocalWriter(writer, ReceiveGate(self.connection))
        self._local = local
        for data in self._early:
            local.write(data)
        self._early.clear()
        copier = asyncio.create_task(
            pump(reader, self.send, self.wait_writable, chunk_size=self.options.max_payload_size)
        )
        ended = asyncio.create_task(self.wait())
        await asyncio.wait({copier, ended}, return_when=asyncio.FIRST_COMPLETED)
        if not ended.done():
            if copier.exception() is None:  # local EOF: let what we sent arrive first
                await self.connection.flush(timeout=10.0)
            await self.terminate()
        copier.cancel()
        end = await ended
        await local.close()
        return end

    def on_data(self, data: bytes) -> None:
        if self._local is None:
            self._early.append(data)
        else:
            self._local.write(data)

    def on_ended(self, end: SessionEnd) -> None:
        if self._local is not None:
            self._local.writer.close()

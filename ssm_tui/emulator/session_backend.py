"""The interface between an agent session and the thing it runs: a shell, a command, a port."""

from __future__ import annotations

from typing import Protocol


class BackendRefused(Exception):
    """The backend cannot run for this session; the message is shown to the client."""


class BackendSink(Protocol):
    """Where a backend puts what it produces; the agent session turns it into messages."""

    async def output(self, data: bytes) -> None:
        """Queue Output bytes (PayloadType 1); waits while the channel applies back-pressure."""

    async def stderr(self, data: bytes) -> None:
        """Queue StdErr bytes (PayloadType 11, protocol.md §4)."""

    async def exit_code(self, code: int) -> None:
        """Queue the ExitCode payload `EXIT_CODE: <n>` (PayloadType 12, protocol.md §4)."""

    async def flag(self, flag: int) -> None:
        """Queue a Flag payload (PayloadType 10, protocol.md §5.2)."""

    def finished(self, output: str = "") -> None:
        """The backend is done: flush, then end the session with this channel_closed Output."""


class SessionBackend(Protocol):
    """One session's workload, driven by the agent session once the handshake is over."""

    async def start(self, sink: BackendSink) -> None:
        """Start producing into ``sink``; raise `BackendRefused` when the session cannot run."""

    def receive_data(self, data: bytes) -> None:
        """Handle Output bytes from the client (keystrokes, port bytes, smux frames)."""

    def receive_size(self, cols: int, rows: int) -> None:
        """Handle a Size message (protocol.md §6.8)."""

    def receive_flag(self, flag: int) -> None:
        """Handle a Flag payload from the client (protocol.md §5.2)."""

    async def stop(self) -> None:
        """Stop at once and release every process, descriptor and connection."""

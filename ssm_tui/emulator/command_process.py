"""A NonInteractiveCommands session: one command without a PTY, stdout, stderr and exit code."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from ssm_tui.emulator.process_group import end_group, signal_group
from ssm_tui.emulator.pty_shell import session_environment
from ssm_tui.emulator.session_backend import BackendSink

_READ_SIZE = 4096
_DRAIN_GRACE = 0.5

# protocol.md §10.1: stdin is ignored except control bytes, which become signals (the
# same mapping the client applies to its own signals, §7 step 7).
_CONTROL_SIGNALS = {
    0x03: signal.SIGINT,
    0x1C: signal.SIGQUIT,
    0x1A: signal.SIGTSTP,
}


def exit_status(returncode: int) -> int:
    """A shell-style exit status: a death by signal N is reported as 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


class CommandProcess:
    """Runs ``sh -c command``; stdout → Output, stderr → StdErr (or Output), then ExitCode."""

    def __init__(self, command: str, *, cwd: Path, separate_output: bool = True) -> None:
        self._command = command
        self._cwd = cwd
        self._separate_output = separate_output
        self._process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, sink: BackendSink) -> None:
        """Start the command and stream its output into ``sink``."""
        self._cwd.mkdir(parents=True, exist_ok=True)
        self._process = await asyncio.create_subprocess_exec(
            shutil.which("sh") or "/bin/sh",
            "-c",
            self._command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=self._cwd,
            env=session_environment(self._cwd),
            start_new_session=True,
        )
        self._task = asyncio.create_task(self._run(sink), name=f"command-{self._process.pid}")

    def receive_data(self, data: bytes) -> None:
        """Map control bytes to signals for the command's process group; ignore the rest."""
        if self._process is None or self._process.returncode is not None:
            return
        for byte in data:
            sig = _CONTROL_SIGNALS.get(byte)
            if sig is not None:
                signal_group(self._process, sig)

    def receive_size(self, cols: int, rows: int) -> None:
        """NonInteractiveCommands ignore Size (protocol.md §6.8)."""

    def receive_flag(self, flag: int) -> None:
        """Flags mean nothing to a command session (protocol.md §5.2)."""

    async def stop(self) -> None:
        """Kill the command's process group and reap it."""
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._kill()

    async def _run(self, sink: BackendSink) -> None:
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        pumps = asyncio.gather(
            self._pump(process.stdout, sink.output),
            self._pump(process.stderr, sink.stderr if self._separate_output else sink.output),
        )
        status = exit_status(await process.wait())
        # Background children may hold the pipes open: give them a moment, then end them
        # so the pipes reach EOF and the session can close.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pumps), _DRAIN_GRACE)
        await self._kill()
        await pumps
        if self._separate_output:
            await sink.exit_code(status)
        sink.finished()

    @staticmethod
    async def _pump(stream: asyncio.StreamReader, send: Callable[[bytes], Awaitable[None]]) -> None:
        while data := await stream.read(_READ_SIZE):
            await send(data)

    async def _kill(self) -> None:
        if self._process is not None:
            await end_group(self._process, signal.SIGTERM)

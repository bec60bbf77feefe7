"""``ssm-tui shell TARGET``: an interactive shell in this terminal, with ssh's ``~.`` escape."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import termios
import tty
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.cli.errors import EXIT_SESSION_FAILED, print_error, print_warning, run_guarded
from ssm_tui.cli.runtime import (
    Terminator,
    on_signals,
    session_api,
    setup_logging,
    with_env_overrides,
)
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.shell import DEFAULT_SIZE, ShellSession

if TYPE_CHECKING:
    from ssm_tui.cli.shell_recording import TerminalRecording

READ_SIZE = 4096
EOF_REPEAT = 1.0
"""Seconds between the Ctrl-Ds that end a shell whose piped input is over."""


def run(args: argparse.Namespace) -> int:
    """Run the shell until it exits (0), ``~.`` (0), or the session fails (255)."""
    setup_logging()
    return run_guarded(lambda: asyncio.run(_main(args)))


class EscapeFilter:
    """ssh's escapes on keyboard input: ``~.`` right after Enter (or at the start) closes.

    ``~~`` sends one ``~``; ``~`` followed by anything else sends both bytes.
    """

    def __init__(self) -> None:
        self._line_start = True
        self._tilde = False

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """Return the bytes to send and whether the user asked to close."""
        out = bytearray()
        for byte in data:
            if self._tilde:
                self._tilde = False
                if byte == 0x2E:  # "."
                    return bytes(out), True
                if byte != 0x7E:  # "~~" -> "~"
                    out.append(0x7E)
            elif self._line_start and byte == 0x7E:
                self._tilde = True
                self._line_start = False
                continue
            out.append(byte)
            self._line_start = byte in (0x0D, 0x0A)
        return bytes(out), False


class FdReader:
    """Reads a descriptor as it becomes readable, leaving its blocking mode alone."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        try:
            asyncio.get_running_loop().add_reader(fd, lambda: None)
            asyncio.get_running_loop().remove_reader(fd)
            self._pollable = True
        except PermissionError:  # a regular file: epoll cannot watch it
            self._pollable = False

    async def read(self, size: int) -> bytes:
        """Up to ``size`` bytes; b"" at end of input."""
        if not self._pollable:
            return await asyncio.to_thread(os.read, self._fd, size)
        loop = asyncio.get_running_loop()
        ready = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(self._fd, readable)
        try:
            await ready
        finally:
            loop.remove_reader(self._fd)
        try:
            return os.read(self._fd, size)
        except BlockingIOError:
            return await self.read(size)
        except OSError:
            return b""


def write_all(fd: int, data: bytes) -> None:
    """Write everything, even to a descriptor someone made non-blocking."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        view = view[written:]


def terminal_size() -> tuple[int, int]:
    """The local terminal's (cols, rows), or 300x100 when stdout is not one (§7 step 7)."""
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        return DEFAULT_SIZE
    return size.columns, size.lines


async def _main(args: argparse.Namespace) -> int:
    api, instance_id = await session_api(args)
    tape = None
    if args.record is not None:
        from ssm_tui.cli.shell_recording import TerminalRecording  # pyte only when recording

        tape = TerminalRecording(Path(args.record), size=terminal_size(), title=args.target)
    try:
        session = terminal_shell(api, instance_id, tape=tape)
        await session.start()
        return await run_in_terminal(session)
    finally:
        if tape is not None and (problem := tape.close()):
            print_warning(problem)


def terminal_shell(
    api: SessionApi,
    target: str,
    *,
    document_name: str | None = None,
    parameters: Mapping[str, Sequence[str]] | None = None,
    tape: TerminalRecording | None = None,
) -> ShellSession:
    """A shell whose output goes to this process's stdout (and ``tape``), sized like it."""
    stdout_fd = sys.stdout.fileno()

    def output(data: bytes) -> None:
        write_all(stdout_fd, data)
        if tape is not None:
            tape.output(data, size=session.size)

    session = ShellSession(
        api,
        target,
        on_output=output,
        size=terminal_size(),
        document_name=document_name,
        parameters=parameters,
        options=with_env_overrides(SessionOptions()),
    )
    return session


async def run_in_terminal(session: ShellSession) -> int:
    """Wire a started ``terminal_shell`` to this terminal (raw mode, SIGWINCH, ``~.``).

    Returns once the session is over: 0 when it ended normally or the user closed it,
    else 255 after one line on stderr saying why.
    """
    stdin_fd = sys.stdin.fileno()
    interactive = os.isatty(stdin_fd)
    saved = termios.tcgetattr(stdin_fd) if interactive else None
    close = Terminator(session)

    async def keyboard() -> None:
        reader = FdReader(stdin_fd)
        escapes = EscapeFilter() if interactive else None
        while True:
            await session.wait_writable()
            data = await reader.read(READ_SIZE)
            if not data:
                # Piped input is over: Ctrl-D ends the remote shell as EOF would locally.
                # One that reaches the remote terminal while a command runs (or before
                # bash has set up its line editor) is kept by the line discipline as an
                # end-of-file mark, which bash later reads as a NUL: so it is repeated
                # until the session ends (this task is cancelled then).
                while True:
                    session.send_input(b"\x04")
                    await asyncio.sleep(EOF_REPEAT)
            if escapes is not None:
                data, close_now = escapes.feed(data)
                if close_now:
                    write_all(sys.stderr.fileno(), b"\r\nssm-tui: closing the session\r\n")
                    session.send_input(data)
                    close()
                    return
            session.send_input(data)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGWINCH, lambda: session.resize(*terminal_size()))
    if interactive:
        tty.setraw(stdin_fd)  # Ctrl-C, Ctrl-Z... go to the remote shell as bytes
        on_signals(close, signal.SIGTERM, signal.SIGHUP)
    else:
        on_signals(close)
    typing = asyncio.create_task(keyboard())
    try:
        end = await session.wait()
    finally:
        typing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typing
        if saved is not None:
            termios.tcsetattr(stdin_fd, termios.TCSADRAIN, saved)
    if close.requested or end.ok:
        return 0
    print_error(f"session {session.session_id} failed: {end.reason}")
    return EXIT_SESSION_FAILED

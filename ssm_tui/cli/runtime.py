"""What the session subcommands share: the target's session API, options, and stdio streams."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import replace

from ssm_tui.aws.profiles import pairs_for
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.aws.targets import TargetError, resolve
from ssm_tui.sessions.base import Session, SessionOptions
from ssm_tui.sessions.forward import DEFAULT_UPLOAD_CHUNK

# Bytes per input_stream_data payload, overriding each session kind's default.
MAX_PAYLOAD_ENV = "SSM_TUI_MAX_PAYLOAD"


class CliError(Exception):
    """A problem with what the user asked for; the message is the whole story."""


async def session_api(args: argparse.Namespace) -> tuple[SessionApi, str]:
    """Find TARGET (an id or a Name tag) in --profile/--region; return its API and id."""
    pairs, problems = pairs_for(getattr(args, "profile", None), getattr(args, "region", None))
    if not pairs:
        raise CliError(problems[0] if problems else "no AWS profile or region to use")
    node = await resolve(args.target, pairs)
    if node.ping_status and not node.online:
        label = f"{node.name} ({node.instance_id})" if node.name else node.instance_id
        raise TargetError(f"{label} is offline (ping status {node.ping_status})")
    return SessionApi(node.pair), node.instance_id


def with_env_overrides(options: SessionOptions) -> SessionOptions:
    """``options`` with the payload size from ``SSM_TUI_MAX_PAYLOAD`` when it is set."""
    raw = os.environ.get(MAX_PAYLOAD_ENV, "").strip()
    if not raw:
        return options
    try:
        size = int(raw)
    except ValueError:
        raise CliError(f"{MAX_PAYLOAD_ENV}={raw}: expected a number of bytes") from None
    if not 1 <= size <= 1 << 20:
        raise CliError(f"{MAX_PAYLOAD_ENV}={raw}: expected 1 to 1048576 bytes")
    return replace(options, max_payload_size=size)


def bulk_options() -> SessionOptions:
    """Options for port traffic (16 KiB uploads), honouring ``SSM_TUI_MAX_PAYLOAD``."""
    return with_env_overrides(SessionOptions(max_payload_size=DEFAULT_UPLOAD_CHUNK))


def _streamable(fd: int) -> bool:
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


async def stdio_streams() -> tuple[asyncio.StreamReader, asyncio.StreamWriter, Callable[[], None]]:
    """stdin and stdout as asyncio streams with flow control, and a function to restore them.

    asyncio pipes switch the descriptors to non-blocking mode, which the terminal or the
    parent process shares: the returned function puts the original flags back.
    """
    loop = asyncio.get_running_loop()
    stdin_fd, stdout_fd = sys.stdin.fileno(), sys.stdout.fileno()
    saved = {fd: fcntl.fcntl(fd, fcntl.F_GETFL) for fd in (stdin_fd, stdout_fd)}

    def restore() -> None:
        for fd, flags in saved.items():
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETFL, flags)

    reader = asyncio.StreamReader(limit=1 << 20)
    read_fd = os.dup(stdin_fd)
    if not _streamable(stdin_fd):  # a regular file: copy it through a pipe in a thread
        read_fd, write_fd = os.pipe()
        threading.Thread(target=_copy_file, args=(stdin_fd, write_fd), daemon=True).start()
    stdin = os.fdopen(read_fd, "rb", buffering=0)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    if not _streamable(stdout_fd):
        raise CliError("stdout must be a pipe, socket or terminal for this command")
    stdout = os.fdopen(os.dup(stdout_fd), "wb", buffering=0)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return reader, writer, restore


def _copy_file(source: int, pipe: int) -> None:
    try:
        while data := os.read(source, 1 << 16):
            os.write(pipe, data)  # blocks while the pipe is full: back-pressure for free
    except OSError:
        pass
    finally:
        os.close(pipe)


def on_signals(callback: Callable[[], None], *signals: signal.Signals) -> None:
    """Call ``callback`` on the event loop when any of ``signals`` arrives."""
    loop = asyncio.get_running_loop()
    for sig in signals or (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, callback)


class Terminator:
    """Ends a session once, whoever asks first (a signal, ``~.``); ``requested`` says if so."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._task: asyncio.Task[None] | None = None
        self.requested = False

    def __call__(self) -> None:
        if not self.requested:
            self.requested = True
            self._task = asyncio.get_running_loop().create_task(self._session.terminate())


def setup_logging() -> None:
    """Library warnings become ``ssm-tui: ...`` lines on stderr."""
    logging.basicConfig(level=logging.WARNING, format="ssm-tui: %(message)s")

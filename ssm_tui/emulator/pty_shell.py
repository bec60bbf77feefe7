"""A real pseudo-terminal on this machine running an instance's shell or interactive command."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import struct
import termios
from collections.abc import Mapping, Sequence
from pathlib import Path

from ssm_tui.emulator.process_group import end_group
from ssm_tui.emulator.session_backend import BackendSink

_READ_SIZE = 4096
_DEFAULT_COLS = 80
_DEFAULT_ROWS = 24
# After the shell exits, how long its children may keep the terminal open before we stop
# waiting for their output.
_DRAIN_GRACE = 0.5


def shell_argv() -> list[str]:
    """The shell a session runs: bash without startup files when present, else sh."""
    bash = shutil.which("bash")
    if bash:
        return [bash, "--norc", "--noprofile", "-i"]
    return [shutil.which("sh") or "/bin/sh", "-i"]


def prompt_for(name: str, shell: str) -> str:
    """A PS1 naming the instance; the name is reduced to characters a prompt cannot expand."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name) or "instance"
    if Path(shell).name == "bash":
        return f"[ssm-user@{safe} \\W]\\$ "
    return f"[ssm-user@{safe}]$ "


def session_environment(cwd: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small, predictable environment: nothing of this process's secrets leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(cwd),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "USER": "ssm-user",
        "LOGNAME": "ssm-user",
        "SHELL": shell_argv()[0],
    }
    env.update(extra or {})
    return env


def _set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _become_terminal_owner() -> None:  # pragma: no cover - runs in the child
    # start_new_session made the child a session leader; now make its stdin (the pty
    # slave) its controlling terminal so job control and ^C reach the foreground group.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyShell:
    """Runs ``argv`` on a fresh PTY and bridges it to a session (a `SessionBackend`)."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> None:
        self._argv = list(argv)
        self._cwd = cwd
        self._env = dict(env)
        self._size = (_DEFAULT_COLS, _DEFAULT_ROWS)
        self._master: int | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._pending = bytearray()
        self._writer_armed = False
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def login_shell(cls, *, name: str, cwd: Path) -> PtyShell:
        """An interactive shell whose prompt names the instance (Standard_Stream)."""
        argv = shell_argv()
        env = session_environment(cwd, {"PS1": prompt_for(name, argv[0])})
        return cls(argv, cwd=cwd, env=env)

    @classmethod
    def command(cls, command: str, *, cwd: Path) -> PtyShell:
        """One command in a PTY (InteractiveCommands, protocol.md §10.1)."""
        sh = shutil.which("sh") or "/bin/sh"
        return cls([sh, "-c", command], cwd=cwd, env=session_environment(cwd))

    @property
    def pid(self) -> int | None:
        """The child's process id (also its process group and session id)."""
        return self._process.pid if self._process else None

    async def start(self, sink: BackendSink) -> None:
        """Open the PTY, start the child on it and pump its output into ``sink``."""
        self._cwd.mkdir(parents=True, exist_ok=True)
        master, slave = os.openpty()
        try:
            _set_winsize(master, *self._size)
            self._process = await asyncio.create_subprocess_exec(
                *self._argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=self._cwd,
                env=self._env,
                start_new_session=True,
                preexec_fn=_become_terminal_owner,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        if self._pending:
            self._flush_input()
        self._tasks.append(asyncio.create_task(self._run(sink), name=f"pty-{self.pid}"))

    def receive_data(self, data: bytes) -> None:
        """Type ``data`` into the terminal; control bytes reach the line discipline as is."""
        self._pending += data
        if self._master is not None:
            self._flush_input()

    def receive_size(self, cols: int, rows: int) -> None:
        """Resize the terminal (TIOCSWINSZ); the kernel signals SIGWINCH to the foreground."""
        if cols <= 0 or rows <= 0:
            return
        self._size = (cols, rows)
        if self._master is not None:
            _set_winsize(self._master, cols, rows)

    def receive_flag(self, flag: int) -> None:
        """Shells ignore Flag payloads (protocol.md §5.2)."""

    async def stop(self) -> None:
        """Kill the child's whole process group, reap it and close the terminal."""
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        for task in self._tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self._kill()
        self._close_master()

    async def _run(self, sink: BackendSink) -> None:
        assert self._process is not None
        pump = asyncio.create_task(self._pump(sink))
        # Tracked so that stop() cancels it too before closing the master side: this task's
        # own cancellation does not reach a shielded pump.
        self._tasks.append(pump)
        await self._process.wait()
        # Let what the shell printed last reach the client before ending (§9.6: the agent
        # flushes before closing); children still holding the PTY get a short grace.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pump), _DRAIN_GRACE)
        if not pump.done():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
        await self._kill()
        code = self._process.returncode
        sink.finished("" if code == 0 else f"Shell exited with status {code}.")

    async def _pump(self, sink: BackendSink) -> None:
        assert self._master is not None
        while True:
            await self._readable()
            try:
                data = os.read(self._master, _READ_SIZE)
            except BlockingIOError:
                continue
            except OSError as exc:
                # EIO: every holder of the slave side has closed it.
                if exc.errno == errno.EIO:
                    return
                raise
            if not data:
                return
            await sink.output(data)

    async def _readable(self) -> None:
        assert self._master is not None
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = self._master

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)

    def _flush_input(self) -> None:
        assert self._master is not None
        while self._pending:
            try:
                written = os.write(self._master, self._pending)
            except BlockingIOError:
                break
            except OSError:
                self._pending.clear()  # the terminal is gone; input has nowhere to go
                break
            del self._pending[:written]
        loop = asyncio.get_running_loop()
        if self._pending and not self._writer_armed:
            loop.add_writer(self._master, self._flush_input)
            self._writer_armed = True
        elif not self._pending and self._writer_armed:
            loop.remove_writer(self._master)
            self._writer_armed = False

    async def _kill(self) -> None:
        if self._process is not None:
            await end_group(self._process, signal.SIGHUP)

    def _close_master(self) -> None:
        if self._master is None:
            return
        loop = asyncio.get_running_loop()
        if self._writer_armed:
            loop.remove_writer(self._master)
            self._writer_armed = False
        os.close(self._master)
        self._master = None

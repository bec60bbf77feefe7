"""Running ``python -m ssm_tui`` against the sessions lab, with pipes or a pseudo-terminal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

CLI = (sys.executable, "-m", "ssm_tui")


@dataclass
class Completed:
    """What a finished command left behind."""

    returncode: int
    stdout: bytes
    stderr: bytes


async def run_cli(
    env: dict[str, str], *args: str, stdin: bytes | None = None, timeout: float = 60
) -> Completed:
    """Run ``ssm-tui ARGS`` to completion with pipes (the emulator keeps serving meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(timeout):
        out, err = await process.communicate(stdin)
    assert process.returncode is not None
    return Completed(process.returncode, out, err)


@dataclass
class PtyProcess:
    """A child whose stdin/stdout/stderr are a pseudo-terminal we hold the master side of."""

    process: asyncio.subprocess.Process
    master: int
    output: bytearray = field(default_factory=bytearray)
    _reader_added: bool = False

    def start_reading(self) -> None:
        loop = asyncio.get_running_loop()

        def readable() -> None:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            if data:
                self.output.extend(data)
            else:
                loop.remove_reader(self.master)

        loop.add_reader(self.master, readable)
        self._reader_added = True

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    async def expect(self, predicate: Callable[[bytes], bool], timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(bytes(self.output)):
                await asyncio.sleep(0.02)

    async def expect_text(self, text: bytes, timeout: float = 20) -> None:
        try:
            await self.expect(lambda out: text in out, timeout)
        except TimeoutError:
            raise AssertionError(f"{text!r} not in {bytes(self.output)[-2000:]!r}") from None

    def resize(self, cols: int, rows: int) -> None:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    async def wait(self, timeout: float = 20) -> int:
        async with asyncio.timeout(timeout):
            return await self.process.wait()

    def close(self) -> None:
        if self._reader_added:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.master)
        with contextlib.suppress(OSError):
            os.close(self.master)
        if self.process.returncode is None:
            self.process.kill()


async def spawn_in_pty(
    env: dict[str, str],
    *args: str,
    cols: int = 100,
    rows: int = 30,
    command: Sequence[str] = CLI,
) -> PtyProcess:
    """Start ``command ARGS`` (``ssm-tui`` unless told) on a new pseudo-terminal of that size."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    process = await asyncio.create_subprocess_exec(
        *command, *args, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
    )
    os.close(slave)
    child = PtyProcess(process, master)
    child.start_reading()
    return child

"""CommandRunner: every Run Command of the emulator, really executed on this machine."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import tempfile
import time
import weakref
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

from ssm_tui.emulator.command_process import exit_status
from ssm_tui.emulator.fleet import Instance
from ssm_tui.emulator.process_group import end_group
from ssm_tui.emulator.pty_shell import session_environment
from ssm_tui.emulator.run_command import STDERR_LIMIT, STDOUT_LIMIT, Command, Invocation

# Processes run at once on this machine whatever MaxConcurrency says: a command to 500
# instances must not fork 500 shells on a laptop.
MACHINE_SLOTS = 32
_READ_SIZE = 65536
_DRAIN_GRACE = 0.5
_EXIT_POLL = 0.02


def concurrency_limit(max_concurrency: str, targets: int) -> int:
    """How many invocations may run at once: a count, or a percentage of the targets."""
    if max_concurrency.endswith("%"):
        return max(1, targets * int(max_concurrency[:-1]) // 100)
    return max(1, int(max_concurrency))


class CommandRunner:
    """Holds the commands SendCommand accepted and runs their invocations as processes.

    Each instance gets a home directory under one temporary root (removed with the runner);
    the script runs there under ``sh`` with the agent's ``AWS_SSM_*`` variables set.
    """

    def __init__(self, *, machine_slots: int = MACHINE_SLOTS) -> None:
        self._commands: dict[str, Command] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._processes: dict[tuple[str, str], asyncio.subprocess.Process] = {}
        self._machine = asyncio.Semaphore(machine_slots)
        self._root: Path | None = None

    def add(self, command: Command, instances: list[Instance]) -> None:
        """Register ``command`` (its invocations are made here) and start delivering it.

        An offline instance's invocation waits for its agent until the delivery timeout
        (TimeoutSeconds) and then times out; a Windows one fails: this is a shell script.
        """
        loop = asyncio.get_running_loop()
        runnable = []
        for instance in instances:
            invocation = Invocation(
                command_id=command.command_id,
                instance_id=instance.instance_id,
                instance_name=instance.name,
            )
            command.invocations[instance.instance_id] = invocation
            if not instance.online:
                delay = max(0.0, command.requested + command.timeout_seconds - time.time())
                loop.call_later(delay, _undelivered, invocation)
            elif instance.platform_type == "Windows":
                invocation.finish("Failed", "InvalidPlatform", now=time.time())
            else:
                runnable.append(instance)
        self._commands[command.command_id] = command
        self._spawn(self._deliver(command, runnable))

    def get(self, command_id: str) -> Command | None:
        """The command with this id, if it was ever sent."""
        return self._commands.get(command_id)

    def commands(self, account_id: str, region: str) -> Iterator[Command]:
        """One account's commands in one region, newest first (as ListCommands orders them)."""
        found = [
            c for c in self._commands.values() if (c.account_id, c.region) == (account_id, region)
        ]
        return reversed(found)

    def cancel(self, command: Command, instance_ids: list[str], *, now: float) -> None:
        """Cancel the invocations on ``instance_ids`` (all when empty) that are not over yet."""
        command.cancel_requested = True
        for invocation in command.invocations.values():
            if instance_ids and invocation.instance_id not in instance_ids:
                continue
            process = self._processes.get((command.command_id, invocation.instance_id))
            if process is not None:
                invocation.status = invocation.status_details = "Cancelling"
                self._spawn(end_group(process, signal.SIGTERM))
            else:
                invocation.finish("Cancelled", "Cancelled", now=now)

    async def close(self) -> None:
        """Stop every running invocation and remove the instances' home directories."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)

    async def _deliver(self, command: Command, instances: list[Instance]) -> None:
        limit = asyncio.Semaphore(
            concurrency_limit(command.max_concurrency, len(command.invocations))
        )
        await asyncio.gather(*(self._invoke(command, i, limit) for i in instances))

    async def _invoke(self, command: Command, instance: Instance, limit: asyncio.Semaphore) -> None:
        invocation = command.invocations[instance.instance_id]
        async with limit, self._machine:
            if invocation.done:  # cancelled while it waited for a slot
                return
            await self._execute(command, instance, invocation)

    async def _execute(self, command: Command, instance: Instance, invocation: Invocation) -> None:
        home = self._home(instance.instance_id)
        cwd = Path(command.working_directory) if command.working_directory else home
        env = session_environment(
            home,
            {"AWS_SSM_INSTANCE_ID": instance.instance_id, "AWS_SSM_REGION_NAME": instance.region},
        )
        invocation.status = invocation.status_details = "InProgress"
        invocation.started = time.time()
        try:
            process = await asyncio.create_subprocess_exec(
                shutil.which("sh") or "/bin/sh",
                "-c",
                command.script,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            invocation.stderr = f"failed to run commands: {exc}"[:STDERR_LIMIT]
            invocation.finish("Failed", "Failed", now=time.time(), code=1)
            return
        key = (command.command_id, instance.instance_id)
        self._processes[key] = process
        try:
            await self._collect(command, invocation, process)
        finally:
            del self._processes[key]
            await end_group(process, signal.SIGTERM)

    async def _collect(
        self, command: Command, invocation: Invocation, process: asyncio.subprocess.Process
    ) -> None:
        assert process.stdout is not None and process.stderr is not None
        reading = asyncio.gather(
            _head(process.stdout, STDOUT_LIMIT * 4), _head(process.stderr, STDERR_LIMIT * 4)
        )
        try:
            async with asyncio.timeout(command.execution_timeout):
                returncode = await _exited(process)
                # Background children may hold the pipes open: a moment, then end them.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(reading), _DRAIN_GRACE)
                await end_group(process, signal.SIGTERM)
                stdout, stderr = await reading
        except TimeoutError:
            reading.cancel()
            invocation.finish("TimedOut", "ExecutionTimedOut", now=time.time())
            return
        invocation.stdout = stdout.decode("utf-8", "replace")[:STDOUT_LIMIT]
        invocation.stderr = stderr.decode("utf-8", "replace")[:STDERR_LIMIT]
        if invocation.status == "Cancelling":
            invocation.finish("Cancelled", "Cancelled", now=time.time())
            return
        code = exit_status(returncode)
        status = "Success" if code == 0 else "Failed"
        invocation.finish(status, status, now=time.time(), code=code)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _home(self, instance_id: str) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="ssm-tui-run-command-"))
            weakref.finalize(self, shutil.rmtree, self._root, True)
        home = self._root / instance_id
        home.mkdir(exist_ok=True)
        return home


def _undelivered(invocation: Invocation) -> None:
    invocation.finish("TimedOut", "DeliveryTimedOut", now=time.time())


async def _exited(process: asyncio.subprocess.Process) -> int:
    """The exit status of ``process`` as soon as it has exited.

    Not ``process.wait()``: before Python 3.12 that also waits until every pipe is
    closed, which a background child (``sleep 60 &``) can hold open for as long as it runs.
    The transport learns the exit status from the child watcher at once.
    """
    while (code := process.returncode) is None:
        await asyncio.sleep(_EXIT_POLL)
    return code


async def _head(stream: asyncio.StreamReader, limit: int) -> bytes:
    """Read ``stream`` to its end, keeping only the first ``limit`` bytes (the agent's cut)."""
    kept = bytearray()
    while data := await stream.read(_READ_SIZE):
        if len(kept) < limit:
            kept += data[: limit - len(kept)]
    return bytes(kept)

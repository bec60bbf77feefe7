"""Signalling a session's process group, and ending it: a polite signal, then SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

_KILL_GRACE = 1.0


def signal_group(process: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``process`` leads (gone already: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


async def end_group(process: asyncio.subprocess.Process, polite: signal.Signals) -> None:
    """Send ``polite``, give the leader a moment to exit, then SIGKILL the whole group.

    The SIGKILL goes out even when the leader has exited: it sweeps the rest of its group.
    """
    for sig in (polite, signal.SIGKILL):
        signal_group(process, sig)
        if process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), _KILL_GRACE)

"""Resident memory of idle shell sessions: open N shells in one process, measure RSS growth.

The emulator (and its N PTYs) runs in a child process (see bench/forward.py), so only the
client's memory is counted. Prints MB per session; never fails.

Run: .venv/bin/python bench/idle_sessions.py [--sessions 100]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forward import INSTANCE, emulator_process, session_api


def rss_bytes() -> int:
    """This process's resident set size, from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def main(count: int) -> None:
    from ssm_tui.sessions.shell import ShellSession
    from ssm_tui.transport.state import Phase

    async with emulator_process():
        api = session_api()
        # Warm up: one session loads every module and boto3 client we will use.
        warm = ShellSession(api, INSTANCE, on_output=lambda data: None)  # type: ignore[arg-type]
        await warm.start()
        await warm.started.wait()
        gc.collect()
        before = rss_bytes()
        shells = []
        for _ in range(count):
            shell = ShellSession(api, INSTANCE, on_output=lambda data: None)  # type: ignore[arg-type]
            await shell.start()
            shells.append(shell)
        await asyncio.gather(*(shell.started.wait() for shell in shells))
        await asyncio.sleep(2.0)  # idle: prompts drawn, nothing else moving
        gc.collect()
        after = rss_bytes()
        live = sum(shell.state.phase is Phase.LIVE for shell in shells)
        per = (after - before) / count
        print(
            f"{count} idle shells ({live} live): RSS {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB"
        )
        print(f"resident memory per session: {per / 1e6:.2f} MB ({per / 1024:.0f} KiB)")
        await asyncio.gather(*(shell.terminate() for shell in [warm, *shells]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    asyncio.run(main(parser.parse_args().sessions))

"""Exec output throughput: a remote command writes N MB to stdout, the client counts it.

The emulator runs in a child process (see bench/forward.py). Prints MB/s; never fails.

Run: .venv/bin/python bench/exec.py [--mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forward import INSTANCE, MB, emulator_process, session_api


async def main(size_mb: int) -> None:
    from ssm_tui.sessions.exec import ExecSession

    size = size_mb * MB
    async with emulator_process():
        for label, command in (
            ("stdout", f"head -c {size} /dev/zero"),
            ("stderr", f"head -c {size} /dev/zero >&2"),
        ):
            received = 0

            def count(data: bytes) -> None:
                nonlocal received
                received += len(data)

            session = ExecSession(
                session_api(),  # type: ignore[arg-type]
                INSTANCE,
                command,
                on_stdout=count,
                on_stderr=count,
            )
            start, cpu = time.perf_counter(), time.process_time()
            await session.start()
            end = await session.wait()
            elapsed, used = time.perf_counter() - start, time.process_time() - cpu
            assert received == size, (received, size, end)
            print(
                f"exec {label:<7} {size / MB:>5.0f} MB {elapsed:>6.2f} s "
                f"{size / MB / elapsed:>6.1f} MB/s   client CPU {used:>5.2f} s "
                f"({size / MB / used:>4.0f} MB per CPU-second), exit {end.exit_code}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100, help="megabytes of output")
    asyncio.run(main(parser.parse_args().mb))

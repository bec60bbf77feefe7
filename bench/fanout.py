"""Fan-out over 500 emulated nodes: ``ssm-tui exec --filter`` through both engines.

The emulator runs in a child process; each run is the real CLI in its own process
(``--via sessions`` with 16 sessions at once, then ``--via run-command``), so its wall
time and peak RSS are the client's alone. Prints figures; never passes or fails.

Run: .venv/bin/python bench/fanout.py [--nodes 500] [--max-concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGION = "us-east-1"
PROFILE = "fanout"
COMMAND = 'echo "hello from $HOME"; uname -s'


async def _serve(nodes: int) -> None:
    from ssm_tui.emulator import Account, EmulatorServer, Fleet, Instance
    from ssm_tui.emulator.client_config import write_client_files

    account = Account(
        name=PROFILE,
        account_id="999988886666",
        access_key_id="AKIABENCHFANOUTKEY01",
        secret_access_key="bench/fanout+000000000000000000000000000",
        regions=(REGION,),
    )
    fleet = Fleet(
        accounts=[account],
        instances=[
            Instance(
                instance_id=f"i-0{index:016x}",
                account_id=account.account_id,
                region=REGION,
                tags={"Name": f"node-{index:03d}", "Role": "bench"},
            )
            for index in range(nodes)
        ],
        idle_timeout=3600.0,
    )
    async with EmulatorServer(fleet=fleet) as server:
        files = write_client_files(fleet, server.endpoint_url, tempfile.mkdtemp())
        print(json.dumps(files.env), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def _run_cli(env: dict[str, str], *args: str) -> tuple[float, int, int, str]:
    """Run ``ssm-tui ARGS``; wall seconds, peak RSS in KiB, exit status, last stderr line."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "ssm_tui", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        errors.seek(0)
        last = (errors.read().decode().strip().splitlines() or [""])[-1]
    return elapsed, usage.ru_maxrss, child.returncode, last


def main(nodes: int, concurrency: int) -> None:
    emulator = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(nodes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert emulator.stdout is not None and emulator.stdin is not None
    env = {**os.environ, **json.loads(emulator.stdout.readline()), "AWS_PROFILE": PROFILE}
    try:
        for engine in ("sessions", "run-command"):
            seconds, rss, status, last = _run_cli(
                env,
                "exec",
                "--via",
                engine,
                "--max-concurrency",
                str(concurrency),
                "--filter",
                "tag:Role=bench",
                "--",
                COMMAND,
            )
            print(
                f"fan-out {nodes} nodes via {engine:<11} {seconds:6.2f} s total, "
                f"{nodes / seconds:6.1f} nodes/s, client peak RSS {rss / 1024:6.1f} MiB, "
                f"exit {status} ({last})",
                flush=True,
            )
    finally:
        emulator.stdin.close()
        emulator.terminate()
        emulator.wait()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        asyncio.run(_serve(int(sys.argv[2])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=500, help="emulated nodes")
    parser.add_argument("--max-concurrency", type=int, default=16, help="sessions at once")
    options = parser.parse_args()
    main(options.nodes, options.max_concurrency)

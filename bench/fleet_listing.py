"""Prints discovery time for a big emulated fleet (10 000 nodes, 2 profiles x 16 regions).

The goal is a full listing within 3 s and a per-keystroke filter of the result well under
50 ms. The emulator runs in a child process; CPU seconds are printed beside wall time
because on a shared machine the wall time says as much about the neighbours as about us.

Run: ``.venv/bin/python bench/fleet_listing.py [--count N] [--regions R] [--rounds K]
[--concurrency C]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ssm_tui.aws.filter import parse_filter
from ssm_tui.aws.fleet import DEFAULT_CONCURRENCY, discover
from ssm_tui.aws.nodes import Pair
from ssm_tui.emulator.demo_fleet import generate_fleet
from ssm_tui.emulator.fleet import Fleet
from ssm_tui.emulator.server import EmulatorServer


def write_aws_files(fleet: Fleet, directory: Path) -> dict[str, str]:
    """Config and credentials files with one profile per emulated account."""
    config = directory / "config"
    credentials = directory / "credentials"
    config.write_text("".join(f"[profile {a.name}]\nregion = us-east-1\n" for a in fleet.accounts))
    credentials.write_text(
        "".join(
            f"[{a.name}]\naws_access_key_id = {a.access_key_id}\n"
            f"aws_secret_access_key = {a.secret_access_key}\n"
            for a in fleet.accounts
        )
    )
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc; else 0)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    """The 1, 5 and 15 minute load averages (how busy the neighbours are)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def serve(count: int, accounts: int, regions: int) -> None:
    """Child process: serve the generated fleet and print the endpoint URL."""
    fleet = generate_fleet(count, accounts=accounts, regions=regions)
    async with EmulatorServer(fleet) as emulator:
        print(emulator.endpoint_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def main(count: int, accounts: int, regions: int, rounds: int, concurrency: int) -> None:
    fleet = generate_fleet(count, accounts=accounts, regions=regions)
    pairs = [Pair(profile=a.name, region=r) for a in fleet.accounts for r in a.regions]
    print(
        f"fleet: {count} instances, {accounts} profiles x {regions} regions, "
        f"{concurrency} threads; load average {_load()}"
    )
    # The emulator runs in its own process, as AWS would: the client must not share a GIL
    # with the server it is being timed against.
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", f"--count={count}", f"--accounts={accounts}",
         f"--regions={regions}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    try:
        endpoint_url = child.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.update(write_aws_files(fleet, Path(tmp)))
            os.environ["AWS_ENDPOINT_URL"] = endpoint_url
            timings = []
            for round_ in range(rounds):
                started, cpu, server_cpu = time.perf_counter(), time.process_time(), _cpu(child.pid)
                snapshot = await discover(pairs, concurrency=concurrency)
                elapsed = time.perf_counter() - started
                timings.append(elapsed)
                print(
                    f"  round {round_ + 1}: {len(snapshot.nodes)} nodes, "
                    f"{len(snapshot.errors)} failed pairs in {elapsed:.2f} s "
                    f"(client CPU {time.process_time() - cpu:.2f} s, "
                    f"emulator CPU {_cpu(child.pid) - server_cpu:.2f} s)"
                )
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    print(
        f"discover: best {min(timings):.2f} s, median {statistics.median(timings):.2f} s; "
        f"load average {_load()}"
    )
    node_filter = parse_filter("web !tag:role=db us-")
    filter_timings = []
    for _ in range(20):
        started = time.perf_counter()
        matched = node_filter.apply(snapshot.nodes)
        filter_timings.append(time.perf_counter() - started)
    print(
        f"filter {node_filter.text!r} over {len(snapshot.nodes)} nodes: {len(matched)} match, "
        f"median {statistics.median(filter_timings) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=2)
    parser.add_argument("--regions", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve(options.count, options.accounts, options.regions))
    else:
        asyncio.run(
            main(
                options.count, options.accounts, options.regions, options.rounds,
                options.concurrency,
            )
        )  # fmt: skip

"""``ssm-tui emulator``: serve the local fleet on loopback and print the exports a client needs."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from ssm_tui.emulator import EmulatorServer, Faults, FaultSpecError, FleetFileError, load_fleet
from ssm_tui.emulator.client_config import write_client_files
from ssm_tui.emulator.fleet import Fleet


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM: 0 on a clean stop, 2 on bad arguments, 1 if we cannot serve."""
    try:
        faults = Faults.parse(args.faults) if args.faults else None
        fleet = load_fleet(args.fleet) if args.fleet else None
    except (FaultSpecError, FleetFileError) as error:
        option = "--faults" if isinstance(error, FaultSpecError) else "--fleet"
        print(f"ssm-tui emulator: {option}: {error}", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"ssm-tui emulator: --port {args.port} is not a TCP port", file=sys.stderr)
        return 2
    server = EmulatorServer(fleet=fleet, faults=faults, port=args.port)
    try:
        return asyncio.run(_serve(server))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 0


async def _serve(server: EmulatorServer) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"ssm-tui emulator: cannot listen on 127.0.0.1:{server.port}: {reason}", file=sys.stderr
        )
        return 1
    folder = Path(tempfile.mkdtemp(prefix=f"ssm-tui-emulator-{server.port}-", dir=_runtime_dir()))
    try:
        files = write_client_files(server.fleet, server.endpoint_url, folder)
        print("\n".join(files.export_lines()), flush=True)
        print(_banner(server.fleet, server.endpoint_url), file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        await server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _runtime_dir() -> str | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return runtime if runtime and os.path.isdir(runtime) else None


def _banner(fleet: Fleet, endpoint_url: str) -> str:
    profiles = ", ".join(a.name for a in fleet.accounts)
    return (
        f"ssm-tui emulator: {len(fleet.instances)} instances, profiles {profiles}, "
        f"on {endpoint_url} (Ctrl-C to stop)"
    )

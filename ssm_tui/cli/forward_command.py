"""``ssm-tui forward TARGET [LOCAL:]REMOTE [--host H] [--bind ADDR]``: forward until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio

from ssm_tui.cli.errors import EXIT_FAILURE, print_error, print_warning, run_guarded
from ssm_tui.cli.runtime import (
    CliError,
    Terminator,
    bulk_options,
    on_signals,
    session_api,
    setup_logging,
)
from ssm_tui.sessions.forward import PortForward, is_loopback


def run(args: argparse.Namespace) -> int:
    """Forward until Ctrl-C (exit 0) or until the session ends on its own."""
    setup_logging()
    return run_guarded(lambda: asyncio.run(_main(args)))


def parse_spec(spec: str) -> tuple[int, int]:
    """``[LOCAL:]REMOTE`` as (local, remote); a missing LOCAL is 0 (pick a free port)."""
    local_text, _, remote_text = spec.rpartition(":")
    try:
        local = int(local_text) if local_text else 0
        remote = int(remote_text)
    except ValueError:
        raise CliError(f"bad port spec {spec!r}: expected [LOCAL:]REMOTE, e.g. 8080:80") from None
    if not 0 <= local <= 65535 or not 1 <= remote <= 65535:
        raise CliError(f"bad port spec {spec!r}: ports are 1-65535 (LOCAL 0 = pick one)")
    return local, remote


def banner(forward: PortForward, target: str) -> str:
    """The line printed once the forward is up (scripts parse the local port from it)."""
    bind, port = forward.local_address
    where = (
        f"{target} -> {forward.host}:{forward.remote_port}"
        if forward.host
        else (f"{target}:{forward.remote_port}")
    )
    return f"Forwarding {bind}:{port} -> {where}"


async def _main(args: argparse.Namespace) -> int:
    local, remote = parse_spec(args.spec)
    if not is_loopback(args.bind):
        print_warning(f"--bind {args.bind}: other machines can connect to this forward")
    api, instance_id = await session_api(args)
    forward = PortForward(
        api,
        instance_id,
        remote,
        local_port=local,
        bind=args.bind,
        host=args.host,
        options=bulk_options(),
    )
    await forward.start()
    return await serve(forward, banner(forward, args.target))


async def serve(forward: PortForward, announcement: str) -> int:
    """Print ``announcement`` once a started forward listens, then serve until Ctrl-C.

    Returns 0 after Ctrl-C or a normal end, else 1 after one line on stderr.
    """
    stop = Terminator(forward)
    on_signals(stop)
    print(announcement, flush=True)
    end = await forward.wait()
    if stop.requested or end.ok:
        return 0
    print_error(f"forward ended: {end.reason}")
    return EXIT_FAILURE

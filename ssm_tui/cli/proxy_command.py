"""``ssm-tui proxy TARGET [PORT]``: stdin/stdout to a port on TARGET, for SSH's ProxyCommand."""

from __future__ import annotations

import argparse
import asyncio

from ssm_tui.cli.errors import EXIT_FAILURE, print_error, run_guarded
from ssm_tui.cli.runtime import (
    Terminator,
    bulk_options,
    on_signals,
    session_api,
    setup_logging,
    stdio_streams,
)
from ssm_tui.sessions.proxy import ProxySession


def run(args: argparse.Namespace) -> int:
    """Bridge until stdin closes or the remote end does; exit 0 then."""
    setup_logging()
    return run_guarded(lambda: asyncio.run(_main(args)))


async def _main(args: argparse.Namespace) -> int:
    api, instance_id = await session_api(args)
    session = ProxySession(
        api,
        instance_id,
        args.port,
        options=bulk_options(),
    )
    await session.start()
    return await bridge_stdio(session)


async def bridge_stdio(session: ProxySession) -> int:
    """Bridge a started proxy session to stdin/stdout until either side ends.

    Returns 0 after a normal end or a signal, else 1 after one line on stderr.
    """
    reader, writer, restore = await stdio_streams()
    stop = Terminator(session)
    on_signals(stop)
    try:
        end = await session.bridge(reader, writer)
    finally:
        restore()
    if stop.requested or end.ok:
        return 0
    print_error(f"proxy session ended: {end.reason}")
    return EXIT_FAILURE

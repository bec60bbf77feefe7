"""``ssm-tui proxy TARGET [PORT]``: stdin/stdout to a port on TARGET, for SSH's ProxyCommand."""

from __future__ import annotations

import argparse
import asyncio

from ssm_tui.cli.errors import EXIT_FAILURE, print_error, run_guarded
from ssm_tui.cli.runtime import (
    on_signals,
    session_api,
    setup_logging,
    stdio_streams,
    with_env_overrides,
)
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.forward import DEFAULT_UPLOAD_CHUNK
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
        options=with_env_overrides(SessionOptions(max_payload_size=DEFAULT_UPLOAD_CHUNK)),
    )
    await session.start()
    reader, writer, restore = await stdio_streams()
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            asyncio.get_running_loop().create_task(session.terminate())

    on_signals(stop)
    try:
        end = await session.bridge(reader, writer)
    finally:
        restore()
    if stopping or end.ok:
        return 0
    print_error(f"proxy session ended: {end.reason}")
    return EXIT_FAILURE

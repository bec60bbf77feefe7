"""``ssm-tui exec TARGET -- CMD...``: run a command, stream its output, exit with its code.

Several TARGETs, ``--filter`` or ``--json`` run it on many nodes instead (`exec_fanout`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.cli.errors import EXIT_INTERRUPTED, EXIT_SESSION_FAILED, print_error, run_guarded
from ssm_tui.cli.exec_fanout import fan_out_requested, run_fanout
from ssm_tui.cli.runtime import (
    CliError,
    Terminator,
    on_signals,
    session_api,
    setup_logging,
    with_env_overrides,
)
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.exec import ExecSession


def run(args: argparse.Namespace) -> int:
    """Run CMD on TARGET; exit with its exit code (255 if the session failed), or fan out."""
    setup_logging()
    return run_guarded(lambda: asyncio.run(_main(args)))


def split_words(words: list[str]) -> tuple[list[str], list[str]]:
    """TARGETs and the command words: either side of the first ``--`` (one TARGET without)."""
    if "--" in words:
        at = words.index("--")
        return words[:at], words[at + 1 :]
    return words[:1], words[1:]


def command_line(words: list[str]) -> str:
    """The remote command: the words after ``--`` joined by spaces, as ssh joins them."""
    if words and words[0] == "--":
        words = words[1:]
    if not words:
        raise CliError("no command given: ssm-tui exec TARGET -- CMD...")
    return " ".join(words)


def _writer(stream: int) -> Callable[[bytes], None]:
    out = sys.stdout.buffer if stream == 1 else sys.stderr.buffer

    def write(data: bytes) -> None:
        out.write(data)
        out.flush()

    return write


async def _main(args: argparse.Namespace) -> int:
    targets, words = split_words(list(args.words))
    misplaced = [t for t in targets if t.startswith("-")]
    if misplaced:
        raise CliError(f"{misplaced[0]}: options go before the TARGETs")
    command = command_line(words)
    if fan_out_requested(args, targets):
        return await run_fanout(args, targets, command)
    if not targets:
        raise CliError("no TARGET given: ssm-tui exec TARGET -- CMD... (or --filter EXPR)")
    args.target = targets[0]
    api, instance_id = await session_api(args)
    session = stdio_exec(api, instance_id, command)
    await session.start()
    return await run_to_exit(session)


def stdio_exec(api: SessionApi, target: str, command: str) -> ExecSession:
    """An exec session writing the command's stdout and stderr to ours."""
    return ExecSession(
        api,
        target,
        command,
        on_stdout=_writer(1),
        on_stderr=_writer(2),
        options=with_env_overrides(SessionOptions()),
    )


async def run_to_exit(session: ExecSession) -> int:
    """Wait for a started exec session; its exit code (130 on Ctrl-C, 255 if it failed)."""
    interrupt = Terminator(session)
    on_signals(interrupt)
    end = await session.wait()
    if interrupt.requested:
        return EXIT_INTERRUPTED
    if end.exit_code is not None:
        return end.exit_code
    if end.ok:
        return 0
    print_error(f"session {session.session_id} failed: {end.reason}")
    return EXIT_SESSION_FAILED

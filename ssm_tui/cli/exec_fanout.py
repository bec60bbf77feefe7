"""``ssm-tui exec --filter EXPR -- CMD`` (or several TARGETs): one command on many nodes."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ssm_tui.aws.filter import parse_filter
from ssm_tui.aws.fleet import discover
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.aws.profiles import ClientPool, pairs_for
from ssm_tui.aws.targets import resolve_in
from ssm_tui.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, print_warning
from ssm_tui.cli.fanout_output import JsonOutput, LineOutput, summary, use_colour
from ssm_tui.cli.runtime import CliError, on_signals, with_env_overrides
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.fanout_engine import fanout_runner
from ssm_tui.sessions.fanout_events import FanOutListener, NodeFinished, NodeState

# A node in one of these states makes the run fail.
_FAILED = frozenset({NodeState.FAILED, NodeState.ERROR, NodeState.TIMED_OUT, NodeState.CANCELLED})


def fan_out_requested(args: argparse.Namespace, targets: Sequence[str]) -> bool:
    """Fan-out mode: a --filter, several TARGETs, --json or a forced --via."""
    return args.filter is not None or len(targets) > 1 or args.json or args.via != "auto"


def exit_status(results: Sequence[NodeFinished], *, named: bool) -> int:
    """0 when every node that ran exited 0; 1 when any failed, or nothing ran.

    Offline nodes a --filter matched are reported but do not fail the run; an offline
    TARGET named on the command line does.
    """
    if any(r.state in _FAILED for r in results):
        return EXIT_FAILURE
    if named and any(r.state is NodeState.OFFLINE for r in results):
        return EXIT_FAILURE
    return 0 if any(r.ok for r in results) else EXIT_FAILURE


async def run_fanout(args: argparse.Namespace, targets: Sequence[str], command: str) -> int:
    """Select the nodes, run ``command`` on them, print output, the summary; the exit status."""
    clients = ClientPool()
    nodes = await select_nodes(args, targets, clients)
    listener: FanOutListener
    if args.json:
        listener = JsonOutput(sys.stdout)
    else:
        listener = LineOutput(
            nodes,
            stdout=sys.stdout.buffer,
            stderr=sys.stderr.buffer,
            colour_stdout=use_colour(sys.stdout),
            colour_stderr=use_colour(sys.stderr),
        )
    runner = fanout_runner(
        nodes,
        command,
        on_event=listener,
        via=args.via,
        max_sessions=args.max_sessions,
        max_concurrency=args.max_concurrency,
        clients=clients,
        options=with_env_overrides(SessionOptions()),
    )
    cancelling: list[asyncio.Task[None]] = []

    def interrupt() -> None:
        if not cancelling:
            cancelling.append(asyncio.get_running_loop().create_task(runner.cancel()))

    on_signals(interrupt)
    results = await runner.run()
    for task in cancelling:
        await task
    sys.stdout.flush()
    sys.stderr.write(summary(results))
    sys.stderr.flush()
    if cancelling:
        return EXIT_INTERRUPTED
    return exit_status(results, named=args.filter is None)


async def select_nodes(
    args: argparse.Namespace, targets: Sequence[str], clients: ClientPool
) -> list[ManagedNode]:
    """The nodes --filter matches, or the TARGETs, across every --profile and --region."""
    if args.filter is not None and targets:
        raise CliError("give TARGETs or --filter, not both")
    pairs, problems = pairs_for(getattr(args, "profile", None), getattr(args, "region", None))
    if not pairs:
        raise CliError(problems[0] if problems else "no AWS profile or region to use")
    snapshot = await discover(pairs, clients=clients)
    if snapshot.errors and len(snapshot.errors) == len(pairs):
        raise CliError("; ".join(f"{e.pair}: {e.message}" for e in snapshot.errors))
    for error in snapshot.errors:
        print_warning(f"{error.pair}: {error.message}")
    if args.filter is not None:
        nodes = parse_filter(args.filter).apply(snapshot.nodes)
        if not nodes:
            where = ", ".join(str(p) for p in pairs)
            raise CliError(f"no managed nodes match {args.filter!r} in {where}")
    else:
        nodes = [resolve_in(target, snapshot) for target in targets]
    unique = {n.key: n for n in nodes}
    return list(unique.values())

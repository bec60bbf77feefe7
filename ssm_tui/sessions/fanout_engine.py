"""Which engine fans a command out over a set of nodes, and the runner that does it."""

from __future__ import annotations

from collections.abc import Sequence

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.fanout import DEFAULT_MAX_CONCURRENCY, FanOutRunner, SessionFanOut
from ssm_tui.sessions.fanout_events import FanOutListener, runnable
from ssm_tui.sessions.fanout_run_command import RunCommandFanOut

AUTO = "auto"
SESSIONS = "sessions"
RUN_COMMAND = "run-command"
#: Above this many online nodes, ``auto`` hands the command to SSM Run Command.
DEFAULT_MAX_SESSIONS = 200


def choose_engine(via: str, online: int, max_sessions: int = DEFAULT_MAX_SESSIONS) -> str:
    """Sessions up to ``max_sessions`` online nodes, SSM Run Command above; ``via`` forces."""
    if via != AUTO:
        return via
    return RUN_COMMAND if online > max_sessions else SESSIONS


def fanout_runner(
    nodes: Sequence[ManagedNode],
    command: str,
    *,
    on_event: FanOutListener,
    via: str = AUTO,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    clients: ClientPool | None = None,
    options: SessionOptions | None = None,
) -> FanOutRunner:
    """The runner for ``command`` on ``nodes``: a session each, or one Run Command when many."""
    online = sum(1 for node in nodes if runnable(node))
    if choose_engine(via, online, max_sessions) == RUN_COMMAND:
        return RunCommandFanOut(nodes, command, on_event=on_event, clients=clients)
    return SessionFanOut(
        nodes,
        command,
        on_event=on_event,
        max_concurrency=max_concurrency,
        clients=clients,
        options=options,
    )

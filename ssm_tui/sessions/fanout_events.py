"""What a fan-out run reports per node: started, output, finished (state, exit code, time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ssm_tui.aws.nodes import ManagedNode

_FIRST_LINE_CHARS = 200


class NodeState(StrEnum):
    """Where a node stands in a fan-out run; every state after RUNNING is final.

    Runners only report final states (in `NodeFinished`); QUEUED (before `NodeStarted`)
    and RUNNING (after it) are for observers such as a results table.
    """

    QUEUED = "queued"
    RUNNING = "running"
    OK = "ok"  # the command ran and exited 0
    FAILED = "failed"  # the command ran and exited non-zero
    TIMED_OUT = "timed-out"  # the command ran past its execution timeout
    ERROR = "error"  # the command could not run: StartSession refused, session lost, ...
    CANCELLED = "cancelled"  # stopped on purpose (Ctrl-C)
    OFFLINE = "offline"  # not run: the node's agent is not online

    @property
    def final(self) -> bool:
        """True for every state a node ends in."""
        return self not in (NodeState.QUEUED, NodeState.RUNNING)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStarted:
    """The command started on ``node`` (or was handed to the service for it)."""

    node: ManagedNode


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeOutput:
    """Bytes the command wrote on ``node``: stdout, or stderr when ``stderr`` is set."""

    node: ManagedNode
    data: bytes
    stderr: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeFinished:
    """``node`` is done: its final state, exit code, seconds taken and first output line."""

    node: ManagedNode
    state: NodeState
    exit_code: int | None = None
    duration: float = 0.0
    first_line: str = ""
    reason: str = ""  # why, for ERROR, TIMED_OUT, CANCELLED and OFFLINE

    @property
    def ok(self) -> bool:
        """True when the command ran and exited 0."""
        return self.state is NodeState.OK


FanOutEvent = NodeStarted | NodeOutput | NodeFinished
FanOutListener = Callable[[FanOutEvent], None]


class FirstLine:
    """Keeps the first non-blank line of a node's output, from chunks split anywhere."""

    def __init__(self) -> None:
        self._pending = b""
        self.text = ""

    def feed(self, data: bytes) -> None:
        """Look at the next chunk of output (cheap once the line is known)."""
        if self.text:
            return
        self._pending += data
        lines = self._pending.split(b"\n")
        self._pending = lines.pop()[: _FIRST_LINE_CHARS * 4]
        self._take(lines)

    def close(self) -> str:
        """The first line, counting an unterminated last line."""
        if not self.text:
            self._take([self._pending])
        return self.text

    def _take(self, lines: list[bytes]) -> None:
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if text:
                self.text = text[:_FIRST_LINE_CHARS]
                return


def runnable(node: ManagedNode) -> bool:
    """Whether a fan-out should try ``node``: online, or of unknown ping status."""
    return node.online or not node.ping_status


def offline(node: ManagedNode) -> NodeFinished:
    """The result for a node skipped because its agent is not online."""
    return NodeFinished(
        node=node, state=NodeState.OFFLINE, reason=f"ping status {node.ping_status}"
    )

"""FanOutResults: what a fan-out run shows per node, fed by the runner's events, and grouped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.fanout_events import (
    FanOutEvent,
    FirstLine,
    NodeFinished,
    NodeOutput,
    NodeStarted,
    NodeState,
)

NodeKey = tuple[str | None, str, str]

#: Output kept per node and stream; the rest is counted, not stored (hundreds of nodes).
MAX_KEPT = 1024 * 1024

# The order the summary names states in.
_SUMMARY_ORDER = (
    NodeState.QUEUED,
    NodeState.RUNNING,
    NodeState.OK,
    NodeState.FAILED,
    NodeState.TIMED_OUT,
    NodeState.ERROR,
    NodeState.CANCELLED,
    NodeState.OFFLINE,
)


@dataclass(slots=True)
class NodeResult:
    """One node's run so far: state, exit code, times, first line and the output kept."""

    node: ManagedNode
    state: NodeState = NodeState.QUEUED
    exit_code: int | None = None
    started_at: float | None = None
    duration: float | None = None  # set when the node finished
    first_line: str = ""
    reason: str = ""
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    dropped: int = 0  # output bytes past MAX_KEPT
    first_seen: FirstLine = field(default_factory=FirstLine, repr=False)
    #: What identifies the way the node ended, once it has: equal for identical outputs.
    outcome: tuple[object, ...] | None = field(default=None, repr=False)

    @property
    def key(self) -> NodeKey:
        """The node's key (profile, region, instance id)."""
        return self.node.key

    def elapsed(self, now: float) -> float | None:
        """Seconds taken (final) or so far (running, given ``now``); None before it started."""
        if self.duration is not None:
            return self.duration
        if self.started_at is None:
            return None
        return max(0.0, now - self.started_at)

    @property
    def summary_line(self) -> str:
        """The first output line, or why the node did not run when it has no output."""
        return self.first_line or self.reason

    def add_output(self, data: bytes, *, stderr: bool) -> None:
        """Keep a chunk of output (up to MAX_KEPT per stream); the first line shows at once."""
        self.first_seen.feed(data)
        if not self.first_line:
            self.first_line = self.first_seen.text
        stream = self.stderr if stderr else self.stdout
        room = max(0, MAX_KEPT - len(stream))
        stream += data[:room]
        self.dropped += max(0, len(data) - room)

    def finish(self, event: NodeFinished) -> None:
        """The node is done: take its final state, exit code, time and reason."""
        self.state = event.state
        self.exit_code = event.exit_code
        self.reason = event.reason
        self.first_line = event.first_line or self.first_seen.close()
        if event.duration or self.started_at is not None:  # 0.0 for a node never started
            self.duration = event.duration
        digests = (hashlib.sha256(self.stdout).digest(), hashlib.sha256(self.stderr).digest())
        self.outcome = (self.state, self.exit_code, self.reason, self.dropped, *digests)

    def output_text(self) -> tuple[str, str]:
        """Stdout and stderr as text (undecodable bytes replaced)."""
        return (
            self.stdout.decode("utf-8", "replace"),
            self.stderr.decode("utf-8", "replace"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputGroup:
    """Nodes that ended alike: same state, exit code, reason, stdout and stderr."""

    results: tuple[NodeResult, ...]

    @property
    def first(self) -> NodeResult:
        """The group's first node (in the run's order): whose output stands for all."""
        return self.results[0]

    @property
    def count(self) -> int:
        """How many nodes are in the group."""
        return len(self.results)

    @property
    def names(self) -> list[str]:
        """The nodes' labels, in the run's order."""
        return [r.node.label for r in self.results]


class FanOutResults:
    """One `NodeResult` per node, in the order given, kept current by ``receive(event)``.

    ``take_changed()`` hands out the keys of the rows that changed since the last call,
    so a view redraws only those; time is passed in (``now=``), never read here.
    """

    def __init__(self, nodes: Sequence[ManagedNode], command: str = "") -> None:
        self.command = command
        self._results: dict[NodeKey, NodeResult] = {}
        for node in nodes:
            self._results.setdefault(node.key, NodeResult(node=node))
        self._changed: set[NodeKey] = set(self._results)
        self.finished = False  # the whole run is over

    def __len__(self) -> int:
        return len(self._results)

    @property
    def results(self) -> list[NodeResult]:
        """Every node's result, in the order the nodes were given."""
        return list(self._results.values())

    def get(self, key: NodeKey) -> NodeResult | None:
        """The result of the node with ``key``."""
        return self._results.get(key)

    def receive(self, event: FanOutEvent, *, now: float) -> None:
        """Apply one runner event (events for nodes not in the run are ignored)."""
        result = self._results.get(event.node.key)
        if result is None or result.state.final:
            return
        if isinstance(event, NodeStarted):
            result.state = NodeState.RUNNING
            result.started_at = now
        elif isinstance(event, NodeOutput):
            result.add_output(event.data, stderr=event.stderr)
        elif isinstance(event, NodeFinished):
            result.finish(event)
        self._changed.add(result.key)

    def finish(self, *, reason: str = "") -> None:
        """The run is over: a node it never reported on ends ERROR with ``reason``."""
        self.finished = True
        for result in self._results.values():
            if not result.state.final:
                why = reason or "the run ended without a result for this node"
                result.finish(NodeFinished(node=result.node, state=NodeState.ERROR, reason=why))
                result.duration = None  # never reported
                self._changed.add(result.key)

    def take_changed(self) -> set[NodeKey]:
        """The keys of the rows changed since the last call."""
        changed, self._changed = self._changed, set()
        return changed

    def counts(self) -> dict[NodeState, int]:
        """How many nodes are in each state (states with none left out)."""
        counts: dict[NodeState, int] = {}
        for result in self._results.values():
            counts[result.state] = counts.get(result.state, 0) + 1
        return counts

    def summary(self) -> str:
        """``12 nodes · 3 running · 8 ok · 1 offline``: the run at a glance."""
        counts = self.counts()
        total = len(self._results)
        parts = [f"{total:,} node{'' if total == 1 else 's'}"]
        parts += [f"{counts[s]:,} {s.value}" for s in _SUMMARY_ORDER if counts.get(s)]
        if self.finished:
            parts.append("done")
        return " · ".join(parts)

    def groups(self) -> list[OutputGroup]:
        """Nodes grouped by identical outcome, biggest group first (then by first node).

        A node still queued or running is a group of its own: its output is not final.
        """
        buckets: dict[object, list[NodeResult]] = {}
        for index, result in enumerate(self._results.values()):
            key: object = result.outcome if result.outcome is not None else index
            buckets.setdefault(key, []).append(result)
        order = {r.key: i for i, r in enumerate(self._results.values())}
        groups = [OutputGroup(results=tuple(b)) for b in buckets.values()]
        groups.sort(key=lambda g: (-g.count, order[g.first.key]))
        return groups

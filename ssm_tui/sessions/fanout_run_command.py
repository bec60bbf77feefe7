"""RunCommandFanOut: one command on many nodes through SSM Run Command, AWS's own fan-out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.nodes import ManagedNode, Pair
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.aws.run_command import InvocationResult, RunCommandApi
from ssm_tui.sessions.fanout_events import (
    FanOutListener,
    FirstLine,
    NodeFinished,
    NodeOutput,
    NodeStarted,
    NodeState,
    offline,
    runnable,
)
from ssm_tui.sessions.fanout_reporter import FanOutReporter

log = logging.getLogger(__name__)

_FIRST_POLL = 0.25
_MAX_POLL = 3.0
_RESULT_READS = 8  # GetCommandInvocation calls in flight at once
_POLL_FAILURES = 3  # ListCommandInvocations failures in a row before giving up


class RunCommandFanOut:
    """Runs ``command`` on ``nodes`` with SendCommand (AWS-RunShellScript), then polls.

    One SendCommand per 50 nodes of each (profile, region); ListCommandInvocations says
    who is done, GetCommandInvocation fetches their output (AWS keeps the first 24000
    characters of stdout and 8000 of stderr). Events as `SessionFanOut`, except that a
    node's output arrives in one piece when it is done.
    """

    def __init__(
        self,
        nodes: Sequence[ManagedNode],
        command: str,
        *,
        on_event: FanOutListener,
        clients: ClientPool | None = None,
        execution_timeout: int | None = None,
        first_poll: float = _FIRST_POLL,
        max_poll: float = _MAX_POLL,
    ) -> None:
        self.nodes = list(nodes)
        self.command = command
        self._report = FanOutReporter(on_event)
        self._clients = clients or ClientPool()
        self._execution_timeout = execution_timeout
        self._first_poll, self._max_poll = first_poll, max_poll
        self._sent: list[tuple[RunCommandApi, str]] = []
        self._reads = asyncio.Semaphore(_RESULT_READS)
        self._cancelled = False

    async def run(self) -> list[NodeFinished]:
        """Run on every node; one result per node, in the order of ``nodes``."""
        results: dict[tuple[str | None, str, str], NodeFinished] = {}
        groups: dict[Pair, list[ManagedNode]] = {}
        for node in self.nodes:
            if runnable(node):
                groups.setdefault(node.pair, []).append(node)
            else:
                results[node.key] = self._report.finish(offline(node))
        done = await asyncio.gather(*(self._pair(pair, nodes) for pair, nodes in groups.items()))
        for finished in done:
            results.update((r.node.key, r) for r in finished)
        return [results[n.key] for n in self.nodes]

    async def cancel(self) -> None:
        """CancelCommand for every command sent; nodes not sent yet end CANCELLED."""
        self._cancelled = True
        for api, command_id in list(self._sent):
            try:
                await api.cancel(command_id)
            except AwsError as exc:
                log.warning("CancelCommand %s: %s", command_id, exc)

    async def _pair(self, pair: Pair, nodes: list[ManagedNode]) -> list[NodeFinished]:
        if self._cancelled:
            return [
                self._report.finish(NodeFinished(node=n, state=NodeState.CANCELLED)) for n in nodes
            ]
        api = RunCommandApi(pair, clients=self._clients)
        began = time.monotonic()
        try:
            command_ids = await api.send(
                [n.instance_id for n in nodes],
                self.command,
                execution_timeout=self._execution_timeout,
                comment="ssm-tui exec",
            )
        except AwsError as exc:
            return [self._report.finish(_error(n, str(exc))) for n in nodes]
        self._sent += [(api, c) for c in command_ids]
        if self._cancelled:
            await self.cancel()
        return await self._poll(api, command_ids, nodes, began)

    async def _poll(
        self, api: RunCommandApi, command_ids: list[str], nodes: list[ManagedNode], began: float
    ) -> list[NodeFinished]:
        pending = {n.instance_id: n for n in nodes}
        started: set[str] = set()
        finished: list[NodeFinished] = []
        delay, failures = self._first_poll, 0
        while pending:
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self._max_poll)
            try:
                listed = [(c, s) for c in command_ids for s in await api.statuses(c)]
                failures = 0
            except AwsError as exc:
                failures += 1
                if failures < _POLL_FAILURES:
                    continue
                finished += [self._report.finish(_error(n, str(exc))) for n in pending.values()]
                break
            done: list[tuple[str, ManagedNode]] = []
            for command_id, status in listed:
                node = pending.get(status.instance_id)
                if node is None:
                    continue
                if status.status not in ("Pending", "Delayed") and node.instance_id not in started:
                    started.add(node.instance_id)
                    self._report.emit(NodeStarted(node=node))
                if status.final:
                    done.append((command_id, pending.pop(node.instance_id)))
            finished += await asyncio.gather(
                *(self._result(api, c, n, started, began) for c, n in done)
            )
        return finished

    async def _result(
        self,
        api: RunCommandApi,
        command_id: str,
        node: ManagedNode,
        started: set[str],
        began: float,
    ) -> NodeFinished:
        async with self._reads:
            try:
                result = await api.result(command_id, node.instance_id)
            except AwsError as exc:
                return self._report.finish(_error(node, str(exc)))
        if node.instance_id not in started:
            started.add(node.instance_id)
            self._report.emit(NodeStarted(node=node))
        first = FirstLine()
        for text, stderr in ((result.stdout, False), (result.stderr, True)):
            if text:
                data = text.encode()
                first.feed(data)
                self._report.emit(NodeOutput(node=node, data=data, stderr=stderr))
        state, reason = _state(result)
        elapsed = result.elapsed if result.elapsed is not None else time.monotonic() - began
        return self._report.finish(
            NodeFinished(
                node=node,
                state=state,
                exit_code=result.response_code if state in _RAN else None,
                duration=elapsed,
                first_line=first.close(),
                reason=reason,
            )
        )


_RAN = (NodeState.OK, NodeState.FAILED)


def _state(result: InvocationResult) -> tuple[NodeState, str]:
    """The node state for a final invocation, and why when it did not simply run."""
    details = result.status_details
    if result.status == "Success":
        return NodeState.OK, ""
    if result.status == "Failed" and details in ("Failed", "") and result.response_code:
        return NodeState.FAILED, ""
    if result.status == "TimedOut" and details != "DeliveryTimedOut":
        return NodeState.TIMED_OUT, "execution timed out"
    if result.status == "Cancelled":
        return NodeState.CANCELLED, "cancelled"
    return NodeState.ERROR, f"{result.status}: {details}" if details else result.status


def _error(node: ManagedNode, reason: str) -> NodeFinished:
    return NodeFinished(node=node, state=NodeState.ERROR, reason=reason)

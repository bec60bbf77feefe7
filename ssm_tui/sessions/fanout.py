"""SessionFanOut: one command on many nodes, an ExecSession each, a bounded number at once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Protocol

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.nodes import ManagedNode, Pair
from ssm_tui.aws.profiles import ClientPool
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.sessions.base import SessionOptions
from ssm_tui.sessions.exec import ExecSession, OutputHandler
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

DEFAULT_MAX_CONCURRENCY = 16


class FanOutRunner(Protocol):
    """What the CLI (and a results tab) drive: ``run`` to the end, ``cancel`` on Ctrl-C."""

    async def run(self) -> list[NodeFinished]:
        """Run on every node; one result per node, in the order the nodes were given."""
        ...

    async def cancel(self) -> None:
        """Stop every node still running or queued; ``run`` then returns soon."""
        ...


class SessionFanOut:
    """Runs ``command`` on ``nodes`` through Session Manager, ``max_concurrency`` at a time.

    Every event goes to ``on_event`` on the event loop: `NodeStarted` when a node's session
    starts, `NodeOutput` as its bytes arrive, `NodeFinished` once. Offline nodes are not
    tried; a node that fails never stops the others.
    """

    def __init__(
        self,
        nodes: Sequence[ManagedNode],
        command: str,
        *,
        on_event: FanOutListener,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        clients: ClientPool | None = None,
        options: SessionOptions | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.nodes = list(nodes)
        self.command = command
        self._report = FanOutReporter(on_event)
        self._slots = asyncio.Semaphore(max_concurrency)
        self._clients = clients or ClientPool()
        self._options = options
        self._apis: dict[Pair, SessionApi] = {}
        self._live: set[ExecSession] = set()
        self._cancelled = False

    async def run(self) -> list[NodeFinished]:
        """Run on every node; one result per node, in the order of ``nodes``."""
        return list(await asyncio.gather(*(self._node(n) for n in self.nodes)))

    async def cancel(self) -> None:
        """Terminate every running session; queued nodes end CANCELLED without starting."""
        self._cancelled = True
        await asyncio.gather(*(s.terminate() for s in list(self._live)), return_exceptions=True)

    async def _node(self, node: ManagedNode) -> NodeFinished:
        if not runnable(node):
            return self._report.finish(offline(node))
        async with self._slots:
            if self._cancelled:
                return self._report.finish(NodeFinished(node=node, state=NodeState.CANCELLED))
            began = time.monotonic()
            first = FirstLine()
            try:
                result = await self._exec(node, first)
            except Exception as exc:  # one node's surprise must not stop the others
                log.debug("fan-out on %s failed", node.instance_id, exc_info=True)
                result = NodeFinished(
                    node=node, state=NodeState.ERROR, reason=str(exc) or repr(exc)
                )
        return self._report.finish(
            NodeFinished(
                node=node,
                state=result.state,
                exit_code=result.exit_code,
                duration=time.monotonic() - began,
                first_line=first.close(),
                reason=result.reason,
            )
        )

    async def _exec(self, node: ManagedNode, first: FirstLine) -> NodeFinished:
        def output(stderr: bool) -> OutputHandler:
            def write(data: bytes) -> None:
                first.feed(data)
                self._report.emit(NodeOutput(node=node, data=data, stderr=stderr))

            return write

        session = ExecSession(
            self._api(node.pair),
            node.instance_id,
            self.command,
            on_stdout=output(False),
            on_stderr=output(True),
            options=self._options,
        )
        try:
            await session.start()
        except AwsError as exc:
            return NodeFinished(node=node, state=NodeState.ERROR, reason=str(exc))
        self._live.add(session)
        try:
            self._report.emit(NodeStarted(node=node))
            if self._cancelled:  # Ctrl-C came while StartSession was in flight
                await session.terminate()
            end = await session.wait()
        finally:
            self._live.discard(session)
        if self._cancelled:
            return NodeFinished(
                node=node, state=NodeState.CANCELLED, exit_code=end.exit_code, reason="interrupted"
            )
        if end.exit_code is not None:
            state = NodeState.OK if end.exit_code == 0 else NodeState.FAILED
            return NodeFinished(node=node, state=state, exit_code=end.exit_code)
        if end.ok:
            return NodeFinished(node=node, state=NodeState.OK)
        return NodeFinished(node=node, state=NodeState.ERROR, reason=end.reason)

    def _api(self, pair: Pair) -> SessionApi:
        api = self._apis.get(pair)
        if api is None:
            api = self._apis[pair] = SessionApi(pair, clients=self._clients)
        return api

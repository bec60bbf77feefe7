"""FanOutRun: one command fanned out from the app, its results kept current, cancellable."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from ssm_tui.app_core.fanout_results import FanOutResults
from ssm_tui.app_core.node_shell import one_line
from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.fanout import FanOutRunner
from ssm_tui.sessions.fanout_engine import fanout_runner
from ssm_tui.sessions.fanout_events import FanOutEvent, FanOutListener

log = logging.getLogger(__name__)

#: Builds the runner for (nodes, command, on_event): the engine choice of ``ssm-tui exec``.
RunnerFactory = Callable[[Sequence[ManagedNode], str, FanOutListener], FanOutRunner]


def default_runner(
    nodes: Sequence[ManagedNode], command: str, on_event: FanOutListener
) -> FanOutRunner:
    """A session per node up to 200 online nodes, SSM Run Command above (as ``exec``)."""
    return fanout_runner(nodes, command, on_event=on_event)


class FanOutRun:
    """Runs ``command`` on ``nodes`` in a task of its own; ``results`` follow its events.

    ``on_change`` is called after every event and when the run ends (a view coalesces
    its repaints itself). Closing cancels what still runs, in a task ``services`` holds,
    so quitting the app waits for the cancellation.
    """

    def __init__(
        self,
        nodes: Sequence[ManagedNode],
        command: str,
        services: SessionServices,
        *,
        on_change: Callable[[], None],
        runner_factory: RunnerFactory = default_runner,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.command = command
        self.results = FanOutResults(nodes, command)
        self._services = services
        self._on_change = on_change
        self._clock = clock
        self._runner = runner_factory(nodes, command, self._event)
        self._task: asyncio.Task[None] | None = None
        self.cancelled = False
        self.closed = False

    @property
    def running(self) -> bool:
        """True from ``start`` until every node has a final result."""
        return self._task is not None and not self.results.finished

    def now(self) -> float:
        """The clock the run's durations are measured on."""
        return self._clock()

    def start(self) -> None:
        """Start the run on the running loop (once)."""
        if self._task is None and not self.closed:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def wait(self) -> None:
        """Until the run is over."""
        if self._task is not None:
            await asyncio.shield(self._task)

    def cancel(self) -> None:
        """Stop every node still running or queued (in the background)."""
        if not self.running or self.cancelled:
            return
        self.cancelled = True
        self._services.keep(asyncio.get_running_loop().create_task(self._cancel()))
        self._on_change()

    def close(self) -> None:
        """The view is going away: cancel what still runs, report nothing more."""
        self.cancel()
        self.closed = True

    async def _cancel(self) -> None:
        try:
            await self._runner.cancel()
            await self.wait()
        except Exception:  # cancelling is best effort; the run reports each node itself
            log.exception("cancelling a fan-out run failed")

    async def _run(self) -> None:
        reason = ""
        try:
            await self._runner.run()
        except Exception as error:  # a runner bug ends the run with a reason, not a crash
            log.exception("fan-out run failed")
            reason = one_line(error)
        self.results.finish(reason=reason)
        self._changed()

    def _event(self, event: FanOutEvent) -> None:
        self.results.receive(event, now=self._clock())
        self._changed()

    def _changed(self) -> None:
        if not self.closed:
            self._on_change()

"""A results tab: one command on many nodes, a row per node (or per output group), live."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from ssm_tui.app_core.fanout_run import FanOutRun, RunnerFactory, default_runner
from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.ui.fanout_output import OutputScreen
from ssm_tui.ui.fanout_table import FanOutTable
from ssm_tui.ui.session_tab import shorten

#: Seconds between repaints while events pour in: a burst from 500 nodes is one frame.
REPAINT = 0.1
#: Seconds between updates of the running rows' time.
TICK = 1.0
_TITLE_WIDTH = 20


class FanOutTab(Vertical):
    """Runs ``command`` on ``nodes`` and shows each node's state, exit code, time and output.

    Offline nodes are listed as offline and not run. Closing the tab cancels the run.

    | Key(s) | Description |
    | :- | :- |
    | enter | Show the highlighted node's (or group's) full output. |
    | g | Group nodes whose output and exit code are the same; again: a row per node. |
    | x | Cancel the run (running nodes are stopped, queued ones not started). |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "show_output", "Output", id="ssm-tui.fanout-output"),
        Binding("g", "toggle_groups", "Group outputs", id="ssm-tui.fanout-group"),
        Binding("x", "cancel_run", "Cancel run", id="ssm-tui.fanout-cancel"),
    ]

    class Changed(Message):
        """The tab's title changed (the screen relabels it, recounts live runs)."""

        def __init__(self, tab: FanOutTab) -> None:
            super().__init__()
            self.tab = tab
            self.title = tab.title

    def __init__(
        self,
        nodes: Sequence[ManagedNode],
        command: str,
        services: SessionServices,
        *,
        runner_factory: RunnerFactory = default_runner,
    ) -> None:
        super().__init__()
        self.run = FanOutRun(
            nodes, command, services, on_change=self._run_changed, runner_factory=runner_factory
        )
        self.table = FanOutTable(self.run.results, clock=self.run.now, id="fanout-rows")
        self._repaint_due = False
        self._title = ""  # the first repaint tells the screen (a run is live)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"$ {self.run.command}"), id="fanout-command")
        yield Static(id="fanout-summary")
        yield self.table

    def on_mount(self) -> None:
        self.run.start()
        self.set_interval(TICK, self._tick, name="fanout-durations")
        self._repaint()

    def on_unmount(self) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the run (in the background); the tab is going away."""
        self.run.close()

    @property
    def title(self) -> str:
        """The command and how far the run got, for the tab."""
        results = self.run.results
        if results.finished:
            state = "cancelled" if self.run.cancelled else "done"
        else:
            done = sum(1 for r in results.results if r.state.final)
            state = f"{done}/{len(results)}"
        return f"$ {shorten(self.run.command, _TITLE_WIDTH)} · {state}"

    @property
    def running(self) -> bool:
        """True while nodes are still queued or running (and the tab is not closed)."""
        return self.run.running and not self.run.closed

    # -- repaints -------------------------------------------------------------------------

    def _run_changed(self) -> None:
        # Events arrive per chunk of output per node: repaint at most every REPAINT seconds.
        if not self._repaint_due:
            self._repaint_due = True
            self.set_timer(REPAINT, self._repaint, name="fanout-repaint")

    def _repaint(self) -> None:
        self._repaint_due = False
        results = self.run.results
        self.table.refresh_rows(results.take_changed())
        summary = results.summary()
        if self.table.grouped:
            distinct = len(self.table.entries)
            summary += f" · {distinct:,} distinct output{'' if distinct == 1 else 's'}"
        if self.run.cancelled and not results.finished:
            summary += " · cancelling…"
        self.query_one("#fanout-summary", Static).update(summary)
        if self.title != self._title:
            self._title = ""  # the first repaint tells the screen (a run is live)
            self.post_message(self.Changed(self))
            self.refresh_bindings()

    def _tick(self) -> None:
        if self.run.running:
            self.table.refresh_running()

    # -- actions --------------------------------------------------------------------------

    @on(FanOutTable.Selected)
    def _selected(self, event: FanOutTable.Selected) -> None:
        self.app.push_screen(OutputScreen(event.entry, now=self.run.now()))

    def action_show_output(self) -> None:
        self.table.select()

    def action_toggle_groups(self) -> None:
        self.table.set_grouped(not self.table.grouped)
        self._repaint()

    def action_cancel_run(self) -> None:
        if self.run.running:
            self.run.cancel()
            self._repaint()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.run.running and not self.run.cancelled
        return True

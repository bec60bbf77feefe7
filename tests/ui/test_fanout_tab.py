"""Results tabs against the in-process emulator: run on marked nodes, output, groups, cancel."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from ssm_tui.app_core.fanout_results import NodeResult, OutputGroup
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.emulator import EmulatorServer
from ssm_tui.sessions.fanout_events import NodeState
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.fanout_dialog import CommandScreen
from ssm_tui.ui.fanout_output import OutputScreen
from ssm_tui.ui.fanout_tab import FanOutTab
from ssm_tui.ui.fanout_table import entry_cells
from tests.conftest import AwsEnv
from tests.ui.live import SIZE, LiveApp, listed, until


@pytest.fixture
def app(emulator: EmulatorServer, aws_env: AwsEnv) -> LiveApp:
    aws_env(emulator)
    return LiveApp()


def node(app: LiveApp, name: str) -> ManagedNode:
    return next(n for n in app.workspace.browser.snapshot.nodes if n.name == name)


async def mark(pilot: Pilot[Any], *names: str) -> None:
    """Mark each of ``names`` in the fleet browser (a filter for each, then space)."""
    for name in names:
        await pilot.press("slash", *name, "enter", "space")
    await pilot.press("escape")


async def run_on_marked(pilot: Pilot[Any], command: str) -> FanOutTab:
    """Press x, type ``command``, enter; wait for the results tab."""
    app = pilot.app
    assert isinstance(app, LiveApp)
    await pilot.press("x")
    await until(pilot, lambda: isinstance(app.screen, CommandScreen), "the command dialog")
    await pilot.press(*command, "enter")
    await until(pilot, lambda: bool(app.workspace.query(FanOutTab)), "a results tab")
    tab = app.workspace.query_one(FanOutTab)
    await until(pilot, lambda: app.focused is tab.table, "focus on the results")
    return tab


async def sleeping_run(pilot: Pilot[Any], *names: str) -> FanOutTab:
    """Run ``echo started; sleep 30`` on ``names``; wait until every node printed the line."""
    await listed(pilot)
    await mark(pilot, *names)
    tab = await run_on_marked(pilot, "echo started; sleep 30")
    await until(pilot, lambda: all(r.first_line == "started" for r in tab.run.results.results))
    return tab


async def all_cancelled(pilot: Pilot[Any], tab: FanOutTab, emulator: EmulatorServer) -> None:
    """Wait for the run to end; every node CANCELLED, no session left on either side."""
    app = pilot.app
    assert isinstance(app, LiveApp)
    await until(pilot, lambda: tab.run.results.finished, "the run to end")
    assert {r.state for r in tab.run.results.results} == {NodeState.CANCELLED}
    await until(pilot, lambda: not any(s.active for s in emulator.sessions))
    await until(pilot, lambda: app.live_sessions == 0, "no live sessions")


def rows(tab: FanOutTab) -> dict[str, NodeResult]:
    return {r.node.name: r for r in tab.run.results.results}


def tab_title(app: LiveApp, tab: FanOutTab) -> str:
    return app.workspace.tabs.tab_title(str(tab.parent.id if tab.parent else ""))


class TestRunning:
    async def test_marked_nodes_end_ok_failed_and_offline_with_exit_codes_and_first_lines(
        self, app: LiveApp, emulator: EmulatorServer
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            broken = node(app, "web-2").instance_id
            await mark(pilot, "web-1", "web-2", "worker-3")
            command = f'echo "on $(basename $HOME)"; test $(basename $HOME) != {broken} || exit 3'
            tab = await run_on_marked(pilot, command)
            await until(pilot, lambda: tab.run.results.finished, "the run to finish")
            await until(pilot, lambda: tab_title(app, tab).endswith(" · done"), "a done title")
            results = rows(tab)
            web1, web2, worker3 = results["web-1"], results["web-2"], results["worker-3"]
            assert (web1.state, web1.exit_code) == (NodeState.OK, 0)
            assert web1.first_line == f"on {node(app, 'web-1').instance_id}"
            assert (web2.state, web2.exit_code, web2.first_line) == (
                NodeState.FAILED,
                3,
                f"on {broken}",
            )
            assert (worker3.state, worker3.exit_code) == (NodeState.OFFLINE, None)
            shown = {cells[0]: cells for cells in (entry_cells(e, 0.0) for e in tab.table.entries)}
            assert shown["web-2"][1:3] == ("failed", "3")
            assert shown["worker-3"][1:3] == ("offline", "")
            summary = str(tab.query_one("#fanout-summary").render())
            assert "3 nodes · 1 ok · 1 failed · 1 offline · done" in summary
            assert not any(s.target == node(app, "worker-3").instance_id for s in emulator.sessions)

    async def test_enter_shows_a_nodes_full_stdout_and_stderr(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await mark(pilot, "api-1")
            tab = await run_on_marked(pilot, "seq 1 60; echo oops >&2; exit 4")
            await until(pilot, lambda: tab.run.results.finished)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, OutputScreen), "the output")
            text = app.screen.query_one(TextArea).text
            assert text.startswith("1\n2\n3\n")
            assert "60\n── stderr ──\noops\n" in text
            assert "exit 4" in str(app.screen.query_one("#output-outcome").render())
            await pilot.press("escape")
            assert app.screen is app.workspace

    async def test_with_nothing_marked_the_highlighted_node_runs(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await pilot.press("slash", *"db-primary", "enter")
            tab = await run_on_marked(pilot, "echo one")
            await until(pilot, lambda: tab.run.results.finished)
            assert [(r.node.name, r.first_line) for r in tab.run.results.results] == [
                ("db-primary", "one")
            ]

    async def test_the_palette_runs_a_command_on_marked_nodes(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await mark(pilot, "web-3")
            await pilot.press("ctrl+p", *"run command on marked", "enter")
            await until(pilot, lambda: isinstance(app.screen, CommandScreen), "the dialog")
            await pilot.press(*"true", "enter")
            await until(pilot, lambda: bool(app.workspace.query(FanOutTab)))
            tab = app.workspace.query_one(FanOutTab)
            await until(pilot, lambda: tab.run.results.finished)
            assert rows(tab)["web-3"].state is NodeState.OK


class TestGrouping:
    async def test_g_merges_identical_outputs_into_one_row_and_back(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await mark(pilot, "web-1", "web-2", "web-3", "api-1")
            api = node(app, "api-1").instance_id
            command = f"echo same; test $(basename $HOME) != {api} || echo extra"
            tab = await run_on_marked(pilot, command)
            await until(pilot, lambda: tab.run.results.finished)
            await pilot.press("g")
            groups = tab.table.entries
            assert all(isinstance(g, OutputGroup) for g in groups)
            assert [(g.count, g.names) for g in groups if isinstance(g, OutputGroup)] == [
                (3, ["web-1", "web-2", "web-3"]),
                (1, ["api-1"]),
            ]
            assert entry_cells(groups[0], 0.0)[0] == "3 nodes: web-1, web-2, web-3"
            assert "2 distinct outputs" in str(tab.query_one("#fanout-summary").render())
            assert tab.table.highlighted is groups[1]  # the cursor stays on api-1's row
            await pilot.press("home", "enter")
            await until(pilot, lambda: isinstance(app.screen, OutputScreen))
            assert app.screen.query_one(TextArea).text == "same\n"
            await pilot.press("escape", "g")
            assert len(tab.table.entries) == 4


class TestCancelling:
    async def test_x_cancels_the_running_nodes(
        self, app: LiveApp, emulator: EmulatorServer
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            tab = await sleeping_run(pilot, "web-1", "web-2")
            await until(pilot, lambda: app.live_sessions == 1, "the run to count as live")
            await pilot.press("x")
            await all_cancelled(pilot, tab, emulator)
            await until(pilot, lambda: tab_title(app, tab).endswith(" · cancelled"))

    async def test_closing_the_tab_cancels_the_run(
        self, app: LiveApp, emulator: EmulatorServer
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            tab = await sleeping_run(pilot, "web-1")
            await pilot.press("ctrl+f4")
            await until(pilot, lambda: not app.workspace.query(FanOutTab), "the tab to close")
            await all_cancelled(pilot, tab, emulator)

    async def test_quitting_asks_first_and_cancels_the_run(
        self, app: LiveApp, emulator: EmulatorServer
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            tab = await sleeping_run(pilot, "web-1")
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
            await pilot.press("y")
        assert tab.run.results.results[0].state is NodeState.CANCELLED
        assert not any(s.active for s in emulator.sessions)

"""SVG snapshots of the workspace: browser, help, shell tab, forwards panel and dialog."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ssm_tui.app_core.fleet_source import SnapshotSource
from ssm_tui.app_core.forwards import ForwardRow
from ssm_tui.emulator import EmulatorServer
from ssm_tui.ui.app import SsmTuiApp
from tests.conftest import AwsEnv
from tests.ui.fleet_data import SNAPSHOT
from tests.ui.hosts import settle
from tests.ui.live import LiveApp, open_shell, run, screen_text, until

SIZE = (140, 30)


def workspace() -> SsmTuiApp:
    return SsmTuiApp(SnapshotSource(SNAPSHOT))


class TestBrowser:
    def test_lists_nodes_with_status_colours_and_the_failing_pair(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)

        assert snap_compare(workspace(), terminal_size=SIZE, run_before=run_before)

    def test_filtered_and_marked(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("space", "down", "space", "slash", *"tag:Role=web", "enter")
            await pilot.pause()

        assert snap_compare(workspace(), terminal_size=SIZE, run_before=run_before)

    def test_forwarding_panel_open_and_empty(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("F")

        assert snap_compare(workspace(), terminal_size=SIZE, run_before=run_before)


class TestHelp:
    def test_help_screen_over_the_browser(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()

        assert snap_compare(workspace(), terminal_size=(140, 45), run_before=run_before)


class TestShellTab:
    def test_a_live_shell_among_tabs(
        self, snap_compare: Any, emulator_thread: EmulatorServer, aws_env: AwsEnv
    ) -> None:
        aws_env(emulator_thread)
        app = LiveApp()

        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await open_shell(pilot, "api-1")
            tab = await open_shell(pilot, "web-1")
            # A fixed prompt and a cleared screen: nothing depends on the machine.
            await run(pilot, "PS1='$ '; clear; printf 'hello from %s\\n' web-1")
            await until(
                pilot,
                lambda: (
                    [row.rstrip() for row in tab.view.terminal.display[:2]]
                    == ["hello from web-1", "$"]
                ),
                lambda: screen_text(tab),
            )
            await pilot.pause(0.1)

        assert snap_compare(app, terminal_size=(100, 20), run_before=run_before)


class TestForwards:
    def test_panel_rows_with_state_and_traffic(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, SsmTuiApp)
            app.forwards.set_rows(
                [
                    ForwardRow(
                        key="1",
                        target="web-1",
                        local="127.0.0.1:8080",
                        remote="80",
                        mode="mux",
                        state="active",
                        connections=2,
                        bytes_in=48_213,
                        bytes_out=1_024,
                    ),
                    ForwardRow(
                        key="2",
                        target="db-primary",
                        local="127.0.0.1:5432",
                        remote="db.internal:5432",
                        mode="basic",
                        state="closed",
                    ),
                ]
            )
            await pilot.press("F")

        assert snap_compare(workspace(), terminal_size=SIZE, run_before=run_before)

    def test_new_forward_dialog_defaults_to_the_highlighted_node(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()

        assert snap_compare(workspace(), terminal_size=SIZE, run_before=run_before)

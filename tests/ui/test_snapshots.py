"""SVG snapshots of the workspace: the fleet browser and the help screen, on fixed data."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.fleet_source import SnapshotSource
from tests.ui.fleet_data import SNAPSHOT
from tests.ui.hosts import settle

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

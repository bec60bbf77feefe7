"""The app: help from live bindings, the command palette, quitting, tabs and the forwards panel."""

from __future__ import annotations

from dataclasses import replace

from textual.command import CommandList
from textual.widgets import Input, Static

from ssm_tui.app_core.fleet_source import Scope, SnapshotSource
from ssm_tui.app_core.forwards import ForwardRow
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.forwards_panel import ForwardsPanel
from ssm_tui.ui.help_screen import HelpScreen
from ssm_tui.ui.region_picker import RegionPicker
from ssm_tui.ui.session_tabs import FLEET_TAB
from tests.ui.fleet_data import SNAPSHOT
from tests.ui.hosts import settle

SIZE = (160, 40)


def make_app() -> SsmTuiApp:
    return SsmTuiApp(SnapshotSource(SNAPSHOT))


class TestHelp:
    async def test_question_mark_lists_the_bindings_active_where_the_user_was(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            screen = app.screen
            assert isinstance(screen, HelpScreen)
            titles = [s.title for s in screen.sections]
            assert titles[0] == "Node table"  # the focused widget comes first
            assert titles[-1] == "Everywhere"
            entries = {desc: keys for s in screen.sections for keys, desc in s.entries}
            assert entries["Mark"] == "space"
            assert entries["Filter"] == "/"
            assert entries["Next tab (works in shells too)"] == "^pgdn"
            assert entries["Go to tab (works in shells too)"] == "alt+1 … alt+9"

    async def test_help_follows_a_changed_keymap(self) -> None:
        app = make_app()
        app.set_keymap({"ssm-tui.refresh": "f5"})
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            entries = {desc: keys for s in app.screen.sections for keys, desc in s.entries}
            assert entries["Refresh"] == "f5"

    async def test_escape_closes_help(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark", "escape")
            assert not isinstance(app.screen, HelpScreen)


class TestCommandPalette:
    async def test_the_palette_finds_workspace_commands(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p", *"forwarding")
            await pilot.pause(0.3)
            hits = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
            assert any("Toggle forwarding panel" in hit for hit in hits)

    async def test_running_toggle_forwarding_panel_shows_the_panel(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p", *"toggle forwarding")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert app.forwards.display


class TestQuit:
    async def test_q_quits_at_once_when_no_session_is_live(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert app.return_code == 0

    async def test_q_asks_first_when_sessions_are_live(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.live_sessions = 2
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "2 sessions are live" in app.screen.question
            await pilot.press("n")
            await pilot.pause()
            assert app.return_code is None
            await pilot.press("q", "y")
            await pilot.pause()
            assert app.return_code == 0


class TestTabs:
    async def test_open_tab_adds_a_tab_and_shows_it(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            tab = app.open_tab("web-1", Static("shell"))
            await pilot.pause()
            assert app.workspace.tabs.pane_ids == [FLEET_TAB, tab]
            assert app.workspace.tabs.active == tab

    async def test_tab_keys_cycle_jump_rename_close_and_reopen(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            tabs = app.workspace.tabs
            first = app.open_tab("one", Static("1"), reopen=lambda: Static("1 again"))
            second = app.open_tab("two", Static("2"))
            await pilot.pause()
            await pilot.press("ctrl+pagedown")
            assert tabs.active == FLEET_TAB
            await pilot.press("ctrl+pageup")
            assert tabs.active == second
            await pilot.press("alt+2")
            assert tabs.active == first
            await pilot.press("ctrl+f2", *"renamed", "enter")
            await pilot.pause()
            assert tabs.tab_title(first) == "renamed"
            await pilot.press("ctrl+f4")
            await pilot.pause()
            assert tabs.pane_ids == [FLEET_TAB, second]
            await pilot.press("ctrl+f3")
            await pilot.pause()
            reopened = tabs.pane_ids[-1]
            assert tabs.tab_title(reopened) == "renamed"

    async def test_the_fleet_tab_cannot_be_closed_and_leaves_the_key_alone(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+f4")
            assert app.workspace.tabs.pane_ids == [FLEET_TAB]
            assert not app.workspace.check_action("close_tab", ())

    async def test_tab_keys_reach_the_app_while_a_focused_widget_takes_keys(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            tab = app.open_tab("typing", Input())
            await pilot.pause()
            assert isinstance(app.focused, Input)
            await pilot.press("alt+1")
            assert app.workspace.tabs.active == FLEET_TAB
            await pilot.press("ctrl+pageup")
            assert app.workspace.tabs.active == tab


class TestForwardsPanel:
    async def test_rows_update_in_place_and_go_away(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            panel: ForwardsPanel = app.forwards
            row = ForwardRow(
                key="f1",
                target="db-primary",
                local="127.0.0.1:5432",
                remote="5432",
                mode="mux",
                state="listening",
            )
            web = ForwardRow(
                key="f2",
                target="web-1",
                local="127.0.0.1:8080",
                remote="80",
                mode="basic",
                state="active",
                connections=2,
                bytes_in=1536,
                bytes_out=10,
            )
            panel.set_rows([row, web])
            panel.set_rows([row, replace(web, connections=3, bytes_in=0, bytes_out=0)])
            assert panel.rows == ["f1", "f2"]
            panel.set_rows([row])
            assert panel.rows == ["f1"]

    async def test_capital_f_toggles_the_panel(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert not app.forwards.display
            await pilot.press("F")
            assert app.forwards.display
            await pilot.press("F")
            assert not app.forwards.display


class TestRegionPicker:
    async def test_the_picker_returns_the_chosen_profiles_and_regions(self) -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            chosen: list[Scope | None] = []
            app.push_screen(
                RegionPicker(
                    Scope(profiles=("prod",), regions=("us-east-1",)), ["prod", "staging"]
                ),
                chosen.append,
            )
            await pilot.pause()
            await pilot.press("down", "space", "ctrl+s")  # select "staging"
            await pilot.pause()
            assert chosen == [Scope(profiles=("prod", "staging"), regions=("us-east-1",))]

"""Shell tabs against the in-process emulator: open, type, end, reopen, reconnect, close, quit."""

from __future__ import annotations

import pytest

from ssm_tui.emulator import EmulatorServer
from ssm_tui.emulator.faults import Faults
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.session_tab import SessionTab
from tests.conftest import AwsEnv
from tests.ui.live import (
    SIZE,
    LiveApp,
    listed,
    notifications,
    open_shell,
    prompt,
    run,
    screen_text,
    until,
)


@pytest.fixture
def app(emulator: EmulatorServer, aws_env: AwsEnv) -> LiveApp:
    aws_env(emulator)
    return LiveApp()


def title(app: LiveApp, tab: SessionTab) -> str:
    return app.workspace.tabs.tab_title(str(tab.parent.id if tab.parent else ""))


class TestOpening:
    async def test_enter_on_a_filtered_node_opens_a_live_shell_named_after_it(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-2")
            assert tab.node.name == "web-2"
            await until(pilot, lambda: title(app, tab) == "web-2 · live")
            assert app.live_sessions == 1
            assert app.focused is tab.view

    async def test_marked_nodes_open_one_tab_each(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await pilot.press("slash", *"web", "enter", "space", "down", "space", "o")
            await until(pilot, lambda: len(app.shells) == 2)
            assert sorted(tab.node.name for tab in app.shells) == ["web-1", "web-2"]
            for tab in app.shells:
                await prompt(pilot, tab)
            await until(pilot, lambda: app.live_sessions == 2)

    async def test_an_offline_node_is_refused_with_a_notification(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await pilot.press("slash", *"worker-3", "enter", "enter")
            await pilot.pause()
            assert app.shells == []
            assert any("worker-3 is offline" in text for text in notifications(app))

    async def test_a_node_that_refuses_shells_shows_why_in_its_tab(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await pilot.press("slash", *"reporting-win", "enter", "enter")
            await until(pilot, lambda: len(app.shells) == 1)
            (tab,) = app.shells
            await until(pilot, lambda: "Windows" in screen_text(tab))
            assert "press enter to reconnect" in screen_text(tab)
            assert title(app, tab).startswith("reporting-win · failed")
            assert any("Windows" in text for text in notifications(app))
            assert app.live_sessions == 0


class TestTyping:
    async def test_three_shells_each_show_only_what_was_typed_into_them(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tabs = [await open_shell(pilot, name) for name in ("web-1", "web-2", "api-1")]
            for number, tab in enumerate(tabs, start=2):
                await pilot.press(f"alt+{number}")
                assert app.focused is tab.view
                await run(pilot, f"echo marker-{number}-$((40+2))")
            for number, tab in enumerate(tabs, start=2):
                await until(pilot, lambda tab=tab, n=number: f"marker-{n}-42" in screen_text(tab))
                others = {f"marker-{n}-42" for n in range(2, 5)} - {f"marker-{number}-42"}
                assert not any(other in screen_text(tab) for other in others)

    async def test_tab_keys_work_inside_a_shell(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-1")
            tabs = app.workspace.tabs
            await pilot.press("ctrl+pagedown")
            assert tabs.active == "fleet"
            await pilot.press("ctrl+pageup")
            assert app.focused is tab.view
            await pilot.press("ctrl+f2", *"frontend", "enter")
            await until(pilot, lambda: title(app, tab) == "frontend · live")

    async def test_a_tab_key_moved_by_the_keymap_works_inside_a_shell(self, app: LiveApp) -> None:
        app.set_keymap({"ssm-tui.next-tab": "f9"})
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-1")
            await pilot.press("f9")
            assert app.workspace.tabs.active == "fleet"
            await pilot.press("alt+2")
            assert app.focused is tab.view


class TestEndedTabs:
    async def test_exit_ends_the_tab_and_enter_reconnects_below_the_old_screen(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-1")
            await run(pilot, "echo before-exit")
            await run(pilot, "exit")
            await until(pilot, lambda: title(app, tab) == "web-1 · ended")
            assert "[session ended:" in screen_text(tab)
            assert "press enter to reconnect" in screen_text(tab)
            assert app.live_sessions == 0
            await pilot.press("enter")
            await until(pilot, lambda: title(app, tab) == "web-1 · live")
            await until(pilot, lambda: screen_text(tab).count("ssm-user@web-1") >= 3)
            await run(pilot, "echo after-reconnect")
            await until(pilot, lambda: "\nafter-reconnect" in screen_text(tab))
            assert "\nbefore-exit" in screen_text(tab)
            assert app.live_sessions == 1


class TestReconnect:
    async def test_a_dropped_websocket_resumes_in_the_same_tab_with_the_screen_kept(
        self, app: LiveApp, emulator: EmulatorServer
    ) -> None:
        web3 = next(i for i in emulator.fleet.instances if i.tags.get("Name") == "web-3")
        web3.faults = Faults(close_every=0.5)  # the agent closes the socket: "1000 Bye"
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-3")
            await run(pilot, "echo before-drop")
            await until(pilot, lambda: "\nbefore-drop" in screen_text(tab))
            await until(pilot, lambda: "web-3 · reconnecting (1)" in app.titles)
            await until(pilot, lambda: app.titles[-1] == "web-3 · live")
            await run(pilot, "echo after-drop")
            await until(pilot, lambda: "\nafter-drop" in screen_text(tab))
            assert "\nbefore-drop" in screen_text(tab)
            assert app.shells == [tab]


class TestClosing:
    async def test_closing_a_live_tab_asks_first_then_terminates_its_session(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-1")
            session = tab.session
            assert session is not None
            await pilot.press("ctrl+f4")
            assert isinstance(app.screen, ConfirmScreen)
            assert "Close web-1?" in app.screen.question
            await pilot.press("n")
            assert app.shells == [tab]
            await pilot.press("ctrl+f4", "y")
            await until(pilot, lambda: app.shells == [])
            await until(pilot, lambda: session.state.ended)
            await until(pilot, lambda: app.live_sessions == 0)

    async def test_an_ended_tab_closes_without_asking_and_can_be_reopened(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            tab = await open_shell(pilot, "web-2")
            await run(pilot, "exit")
            await until(pilot, lambda: not tab.live)
            await pilot.press("ctrl+f4")
            await until(pilot, lambda: app.shells == [])
            await pilot.press("ctrl+f3")
            await until(pilot, lambda: len(app.shells) == 1)
            await prompt(pilot, app.shells[0])
            assert app.shells[0].node.name == "web-2"


class TestQuit:
    async def test_quit_asks_while_sessions_are_live_and_terminates_them(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            sessions = [(await open_shell(pilot, name)).session for name in ("web-1", "api-1")]
            await pilot.press("alt+1", "q")
            assert isinstance(app.screen, ConfirmScreen)
            assert "2 sessions are live" in app.screen.question
            await pilot.press("y")
            await until(pilot, lambda: app.return_code == 0, "the app to exit")
        assert all(session is not None and session.state.ended for session in sessions)

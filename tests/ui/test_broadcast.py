"""Broadcast input in the app, against emulator shells: marks, on/off, what is sent, the guard."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from ssm_tui.config import Config
from ssm_tui.emulator import EmulatorServer
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.session_tab import SessionTab
from tests.conftest import AwsEnv
from tests.ui.hosts import settle
from tests.ui.live import SIZE, LiveApp, open_shell, run, screen_text, until

NO_GUARD = Config(broadcast_confirm_tags=())


@pytest.fixture
def env(emulator: EmulatorServer, aws_env: AwsEnv) -> None:
    aws_env(emulator)  # the demo fleet's "prod" profile: every node is Environment=prod


def lines(tab: SessionTab) -> list[str]:
    """The tab's terminal lines, trailing blanks removed."""
    return [line.rstrip() for line in screen_text(tab).splitlines()]


def title(app: LiveApp, tab: SessionTab) -> str:
    return app.workspace.tabs.tab_title(str(tab.parent.id if tab.parent else ""))


def status_line(app: LiveApp) -> Static:
    return app.workspace.query_one("#broadcast-status", Static)


def badge(tab: SessionTab) -> Static:
    return tab.query_one(".broadcast-badge", Static)


async def three_shells(pilot: Pilot[Any]) -> list[SessionTab]:
    """web-1, web-2 and api-1 in tabs 2, 3 and 4, each at its prompt."""
    await settle(pilot)
    return [await open_shell(pilot, name) for name in ("web-1", "web-2", "api-1")]


async def first_two_marked(pilot: Pilot[Any]) -> list[SessionTab]:
    """``three_shells``, then web-1 marked from inside its shell and web-2 from the tab bar."""
    tabs = await three_shells(pilot)
    await pilot.press("alt+2", "ctrl+f5")
    await pilot.press("alt+3", "ctrl+right_square_bracket", "ctrl+f5")
    app = pilot.app
    assert isinstance(app, LiveApp)
    await until(pilot, lambda: all(title(app, tab).startswith("⇶ ") for tab in tabs[:2]))
    return tabs


class TestMarkingAndTyping:
    async def test_two_marked_shells_both_run_what_is_typed_and_pasted_the_third_does_not(
        self, env: None
    ) -> None:
        app = LiveApp(config=NO_GUARD)
        async with app.run_test(size=SIZE) as pilot:
            web1, web2, api1 = await first_two_marked(pilot)
            assert not title(app, api1).startswith("⇶")
            assert str(status_line(app).render()) == "2 tabs marked for broadcast: web-1, web-2"
            await pilot.press("alt+3", "ctrl+f6")
            assert app.workspace.broadcast.enabled
            await until(pilot, lambda: badge(web1).display and badge(web2).display)
            assert not badge(api1).display
            assert str(badge(web1).render()) == "⇶ broadcasting to 2 tabs"
            assert str(status_line(app).render()).startswith("⇶ broadcasting to 2 tabs")

            assert app.focused is web2.view
            await run(pilot, "echo $((6*7))")
            await until(
                pilot,
                lambda: "42" in lines(web1) and "42" in lines(web2),
                lambda: repr([x for x in lines(web1) if x]) + repr([x for x in lines(web2) if x]),
            )
            web2.view.post_message(events.Paste("echo pasted-$((6*8))"))
            await pilot.press("enter")
            await until(
                pilot,
                lambda: all("pasted-48" in lines(tab) for tab in (web1, web2)),
                lambda: repr([x for x in lines(web1) if x]) + repr([x for x in lines(web2) if x]),
            )

            await pilot.press("alt+4")
            await run(pilot, "echo alone-$((6*9))")
            await until(pilot, lambda: "alone-54" in lines(api1))
            assert "42" not in lines(api1) and "pasted-48" not in lines(api1)
            assert not any("alone-54" in lines(tab) for tab in (web1, web2))

    async def test_the_palette_marks_a_tab_and_turns_broadcast_on_and_off(self, env: None) -> None:
        app = LiveApp(config=NO_GUARD)
        async with app.run_test(size=SIZE) as pilot:
            web1, web2, _ = await three_shells(pilot)
            for key in ("alt+2", "alt+3"):
                await pilot.press(key, "ctrl+right_square_bracket", "ctrl+p", *"mark tab")
                await pilot.pause(0.3)
                await pilot.press("enter")
                await pilot.pause()
            group = app.workspace.broadcast
            await until(pilot, lambda: group.members == (web1.shell, web2.shell))
            await pilot.press("ctrl+p", *"broadcast to marked")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: group.enabled)
            await pilot.press("alt+3", "ctrl+f6")  # the key turns it off again, from a shell
            assert not group.enabled
            await until(pilot, lambda: not badge(web1).display)

    async def test_release_and_app_keys_are_never_broadcast(self, env: None) -> None:
        app = LiveApp(config=NO_GUARD)
        async with app.run_test(size=SIZE) as pilot:
            web1, web2, _ = await first_two_marked(pilot)
            await pilot.press("alt+2", "ctrl+f6")
            group = app.workspace.broadcast
            assert group.enabled
            # App keys from inside a member: tab moves, rename (cancelled), release focus.
            await pilot.press("ctrl+pagedown", "ctrl+pageup", "ctrl+f2", "escape")
            await pilot.press("ctrl+right_square_bracket")
            assert app.focused is not web1.view
            assert group.status(web1.shell).sent == 0 and group.status(web2.shell).sent == 0
            await pilot.press("alt+2")
            command = "echo after-release-$((2+3))"
            await run(pilot, command)
            await until(pilot, lambda: "after-release-5" in lines(web2))
            assert group.status(web2.shell).sent == len(command) + 1  # exactly the line
            assert "after-release-5" in lines(web1)

    async def test_a_member_whose_shell_ended_is_shown_lagging_and_the_others_go_on(
        self, env: None
    ) -> None:
        app = LiveApp(config=NO_GUARD)
        async with app.run_test(size=SIZE) as pilot:
            web1, web2, _ = await first_two_marked(pilot)
            await pilot.press("alt+2")
            await run(pilot, "exit")
            await until(pilot, lambda: "web-1 · ended" in title(app, web1))
            await pilot.press("alt+3", "ctrl+f6")
            await run(pilot, "echo still-$((4*4))")
            await until(pilot, lambda: "still-16" in lines(web2))
            await until(pilot, lambda: "lagging: web-1" in str(status_line(app).render()))
            assert "missed" in str(badge(web1).render())
            assert "lagging" not in str(badge(web2).render())

    async def test_closing_a_marked_tab_takes_it_out_of_the_broadcast(self, env: None) -> None:
        app = LiveApp(config=NO_GUARD)
        async with app.run_test(size=SIZE) as pilot:
            _, web2, _ = await first_two_marked(pilot)
            await pilot.press("alt+2", "ctrl+f6", "ctrl+f4", "y")
            group = app.workspace.broadcast
            await until(pilot, lambda: group.members == (web2.shell,))
            await until(pilot, lambda: "1 tab:" in str(status_line(app).render()))


class TestProductionGuard:
    async def test_it_asks_once_and_no_leaves_broadcast_off(self, env: None) -> None:
        app = LiveApp()  # default guard: Environment=prod / production
        async with app.run_test(size=SIZE) as pilot:
            web1, web2, _ = await first_two_marked(pilot)
            group = app.workspace.broadcast
            await pilot.press("alt+3", "ctrl+f6")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert isinstance(app.screen, ConfirmScreen)
            assert "web-1 (Environment=prod), web-2 (Environment=prod)" in app.screen.question
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert not group.enabled
            await run(pilot, "echo refused-$((1+2))")
            await until(pilot, lambda: "refused-3" in lines(web2))
            assert "refused-3" not in lines(web1)

            await pilot.press("ctrl+f6")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await until(pilot, lambda: group.enabled)
            assert app.focused is web2.view
            await run(pilot, "echo agreed-$((2+3))")
            await until(pilot, lambda: "agreed-5" in lines(web1))
            assert not isinstance(app.screen, ConfirmScreen)  # once, not per keystroke

    async def test_marking_a_production_tab_while_broadcasting_asks_too(self, env: None) -> None:
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            _, _, api1 = await first_two_marked(pilot)
            group = app.workspace.broadcast
            await pilot.press("ctrl+f6", "y")
            await until(pilot, lambda: group.enabled)
            await pilot.press("alt+4", "ctrl+f5")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("n")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert api1.shell not in group
            await pilot.press("ctrl+f5", "y")
            await until(pilot, lambda: api1.shell in group)

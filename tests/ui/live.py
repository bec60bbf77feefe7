"""The app against the in-process emulator's demo fleet, and what its tests do and look at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from ssm_tui.app_core.fleet_source import DiscoverySource, Scope
from ssm_tui.config import Config
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.session_tab import SessionTab
from tests.ui.hosts import settle

#: One pair of the demo fleet: web-1..3, api-1..2, db-*, bastion, worker-1..3, reporting-win.
SCOPE = Scope(profiles=("prod",), regions=("us-east-1",))
SIZE = (120, 36)


class LiveApp(SsmTuiApp):
    """The real app on the demo fleet; remembers every tab title it was told about."""

    def __init__(self, config: Config | None = None) -> None:
        super().__init__(DiscoverySource(SCOPE, known_profiles=("prod",)), config=config)
        self.titles: list[str] = []

    def on_session_tab_changed(self, event: SessionTab.Changed) -> None:
        self.titles.append(event.title)

    @property
    def shells(self) -> list[SessionTab]:
        """The shell tabs, left to right."""
        return list(self.workspace.query(SessionTab))


async def until(
    pilot: Pilot[Any], condition: Callable[[], bool], what: str | Callable[[], str] = ""
) -> None:
    """Let the app run until ``condition`` holds (bounded by tries, not by a clock)."""
    for _ in range(750):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what() if callable(what) else what or condition}")


def screen_text(tab: SessionTab) -> str:
    """What the tab's terminal shows, scrollback included."""
    terminal = tab.view.terminal
    return "\n".join(terminal.line(i)[0] for i in range(terminal.line_count))


async def listed(pilot: Pilot[Any]) -> None:
    """Wait for the first listing of the fleet."""
    await settle(pilot)


async def open_shell(pilot: Pilot[Any], name: str) -> SessionTab:
    """From anywhere: go to the fleet, filter by ``name``, press enter; wait for the prompt."""
    app = pilot.app
    assert isinstance(app, LiveApp)
    before = set(app.shells)
    await pilot.press("alt+1")
    if app.workspace.browser.query_one("#filter").display:
        await pilot.press("escape")
    await pilot.press("slash", *name, "enter", "enter")
    await until(pilot, lambda: len(app.shells) > len(before), f"a tab for {name}")
    (tab,) = set(app.shells) - before
    await prompt(pilot, tab)
    return tab


async def prompt(pilot: Pilot[Any], tab: SessionTab) -> None:
    """Wait until the tab's shell shows its prompt (``[ssm-user@NAME ~]$``)."""
    await until(pilot, lambda: f"ssm-user@{tab.node.name}" in screen_text(tab), "a prompt")


async def run(pilot: Pilot[Any], command: str) -> None:
    """Type ``command`` and enter into the focused shell."""
    await pilot.press(*command, "enter")


def notifications(app: SsmTuiApp) -> list[str]:
    """The messages of the notifications shown so far."""
    return [notification.message for notification in app._notifications]

"""Apps that host one widget under test and record the messages it posts."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from ssm_tui.app_core.fleet_source import FleetSource
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.ui.fleet_browser import FleetBrowser


class BrowserHost(App[None]):
    """A FleetBrowser alone on screen; remembers the shells and forwards it asked for."""

    CSS_PATH = "../../ssm_tui/ui/app.tcss"

    def __init__(self, source: FleetSource) -> None:
        super().__init__()
        self.source = source
        self.shells: list[ManagedNode] = []
        self.forwards: list[ManagedNode] = []

    def compose(self) -> ComposeResult:
        yield FleetBrowser(self.source)

    def on_mount(self) -> None:
        self.browser.table.focus()
        self.browser.reload()

    @property
    def browser(self) -> FleetBrowser:
        return self.query_one(FleetBrowser)

    @on(FleetBrowser.OpenShell)
    def _shell(self, event: FleetBrowser.OpenShell) -> None:
        self.shells.append(event.node)

    @on(FleetBrowser.NewForward)
    def _forward(self, event: FleetBrowser.NewForward) -> None:
        self.forwards.append(event.node)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until listings in flight have finished and the screen caught up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def names(nodes: list[ManagedNode]) -> list[str]:
    """The nodes' Name tags, in order."""
    return [n.name for n in nodes]

"""The command palette's workspace commands: every action of the app, findable by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ssm_tui.ui.fleet_browser import FleetBrowser

Command = tuple[str, str, Callable[[], object]]


class WorkspaceCommands(Provider):
    """Shell, forward, scope, panel, tab and app commands for the screen the palette covers."""

    def _commands(self) -> Iterator[Command]:
        screen, app = self.screen, self.app
        run = screen.run_action
        for browser in screen.query(FleetBrowser):
            yield ("Open shell", "Open a shell on the highlighted node", browser.action_open_shell)
            yield (
                "Open shells on marked nodes",
                "One tab per marked node",
                browser.action_open_marked,
            )
            yield (
                "New port forward",
                "Forward a local port through the highlighted node",
                browser.action_new_forward,
            )
            yield (
                "Copy instance id",
                "Copy the highlighted node's instance id",
                browser.action_copy_id,
            )
            yield ("Filter nodes", "Text, tag:k=v, !negation", browser.action_filter)
            yield ("Refresh fleet", "List every profile and region again", browser.action_reload)
        yield (
            "Switch profiles and regions",
            "Choose which profiles and regions to list",
            partial(run, "pick_scope"),
        )
        yield (
            "Toggle forwarding panel",
            "Show or hide the port forwards",
            partial(run, "toggle_forwards"),
        )
        yield ("Next tab", "Show the tab to the right", partial(run, "next_tab"))
        yield ("Previous tab", "Show the tab to the left", partial(run, "previous_tab"))
        yield ("Close tab", "Close the active session tab", partial(run, "close_tab"))
        yield ("Rename tab", "Give the active tab a new title", partial(run, "rename_tab"))
        yield (
            "Reopen closed tab",
            "Open the last closed session tab again",
            partial(run, "reopen_tab"),
        )
        yield ("Keys", "Show every key that works here", partial(app.run_action, "help"))
        yield (
            "Quit",
            "Quit ssm-tui (asks first when sessions are live)",
            partial(app.run_action, "quit"),
        )

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)

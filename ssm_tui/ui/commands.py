"""The command palette's workspace commands: every action of the app, findable by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ssm_tui.ui.fleet_browser import FleetBrowser
from ssm_tui.ui.forwards_panel import ForwardsPanel
from ssm_tui.ui.session_tab import SessionTab
from ssm_tui.ui.workspace import WorkspaceScreen

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
                "Run command on marked nodes…",
                "One command on every marked node (or the highlighted one); results in a tab",
                browser.action_run_command,
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
        for panel in screen.query(ForwardsPanel):
            yield (
                "Focus forwarding panel",
                "Show the port forwards and move the cursor there (x stop, r restart, c copy)",
                partial(run, "focus_forwards"),
            )
            if panel.highlighted is not None:
                yield ("Stop forward", "Stop the highlighted port forward", panel.action_stop)
                yield (
                    "Restart forward",
                    "Restart the highlighted port forward on the same local port",
                    panel.action_restart,
                )
                yield (
                    "Copy forward address",
                    "Copy the highlighted forward's local address",
                    panel.action_copy_address,
                )
        for tab in screen.query(SessionTab):
            if tab.display and not tab.live:
                yield (
                    f"Reconnect {tab.node.label}",
                    "Start a new session in the ended tab",
                    tab.connect,
                )
        for tab in screen.query(SessionTab):
            if tab.display:
                yield (
                    f"{'Stop recording' if tab.recording else 'Record'} {tab.node.label}",
                    "Record the shell tab as asciicast v2 and a text log (ctrl+f7)",
                    tab.toggle_recording,
                )
        yield (
            "Save workspace as…",
            "Save the open tabs and forwards under a name",
            partial(run, "save_workspace"),
        )
        yield (
            "Open workspace…",
            "Reopen the tabs and forwards of a saved workspace",
            partial(run, "open_workspace"),
        )
        active = screen.session_tab() if isinstance(screen, WorkspaceScreen) else None
        if active is not None:
            yield (
                f"{'Unmark' if active.marked else 'Mark'} tab for broadcast",
                "Keys typed in one marked tab go to every marked tab while broadcasting",
                partial(run, "mark_tab"),
            )
        if isinstance(screen, WorkspaceScreen) and len(screen.broadcast):
            yield (
                f"Broadcast to marked tabs {'off' if screen.broadcast.enabled else 'on'}",
                "Keys typed in a marked tab go to every marked tab (asks first for production)",
                partial(run, "toggle_broadcast"),
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

"""The ssm-tui application: a workspace screen, app-wide keys, and the API sessions plug into."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget

from ssm_tui.app_core.fleet_source import FleetSource
from ssm_tui.app_core.session_services import ApiFactory, SessionServices
from ssm_tui.app_core.workspace_file import Workspace
from ssm_tui.config import Config
from ssm_tui.ui.commands import WorkspaceCommands
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.forwards_panel import ForwardsPanel
from ssm_tui.ui.help_screen import HelpScreen, help_sections
from ssm_tui.ui.session_tabs import Reopener
from ssm_tui.ui.workspace import WorkspaceScreen


class SsmTuiApp(App[None]):
    """Browse the fleet, open shells as tabs, watch forwards; quits only when told twice."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "ssm-tui"
    COMMANDS = App.COMMANDS | {WorkspaceCommands}

    # ctrl+p and ctrl+q are priority bindings in Textual; here they are ordinary ones so a
    # focused shell receives them (readline history, quoted-insert).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="ssm-tui.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False),
        Binding("question_mark,f1", "help", "Help", id="ssm-tui.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="ssm-tui.palette"),
    ]

    live_sessions: reactive[int] = reactive(0)
    """Shells and forwards still open; the workspace keeps this current."""

    def __init__(
        self,
        source: FleetSource,
        *,
        config: Config | None = None,
        api_factory: ApiFactory | None = None,
        workspace: Workspace | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.restore = workspace
        """The saved workspace to open once the fleet is listed (``--workspace``)."""
        self.config = config or Config()
        self.services = SessionServices(self.config, api_factory=api_factory)
        self.theme = self.config.theme
        self.set_keymap(dict(self.config.keys))

    def on_ready(self) -> None:
        # Modules, classes and the first screen live as long as the app: left to the
        # collector, every full collection walks them all again (some 90 000 objects),
        # and a flood's allocations bring one every second or two.  Frozen, they are
        # skipped (full collections during bench/app_tab_latency.py went from 100-300 ms
        # to 30-110 ms); the tabs and sessions opened later are collected as before.
        gc.collect()
        gc.freeze()

    def get_default_screen(self) -> WorkspaceScreen:
        return WorkspaceScreen(self.source, self.services, workspace=self.restore)

    def on_workspace_screen_live_sessions_changed(
        self, event: WorkspaceScreen.LiveSessionsChanged
    ) -> None:
        self.live_sessions = event.count

    async def on_unmount(self) -> None:
        # However the app ends, no session is left running on the remote side.
        await self.services.close_all()

    @property
    def workspace(self) -> WorkspaceScreen:
        """The screen holding the tabs and the forwarding panel."""
        screen = self.screen_stack[0]
        assert isinstance(screen, WorkspaceScreen)
        return screen

    @property
    def forwards(self) -> ForwardsPanel:
        """The forwarding panel: feed it with ``set_rows([ForwardRow(...), ...])``."""
        return self.workspace.forwards

    def open_tab(self, title: str, widget: Widget, *, reopen: Reopener | None = None) -> str:
        """Show ``widget`` in a new tab titled ``title`` and return the tab's id."""
        return self.workspace.tabs.open_tab(title, widget, reopen=reopen)

    def set_tab_title(self, tab_id: str, title: str) -> None:
        """Change the title of tab ``tab_id``."""
        self.workspace.tabs.set_tab_title(tab_id, title)

    def close_tab(self, tab_id: str) -> bool:
        """Close tab ``tab_id``; False if it is the fleet tab or already gone."""
        return self.workspace.tabs.close_tab(tab_id)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_sections(self.screen)))

    async def action_quit(self) -> None:
        live = self.live_sessions
        if not live:
            self.exit()
            return
        question = f"{live} session{'s are' if live > 1 else ' is'} live. Quit and close them?"

        def answer(yes: bool | None) -> None:
            if yes:
                self.notify("Closing sessions…", timeout=10)
                self.run_worker(self._close_and_exit(), group="quit", exclusive=True)

        self.push_screen(ConfirmScreen(question, yes="Quit", no="Stay"), answer)

    async def _close_and_exit(self) -> None:
        await self.services.close_all()
        self.exit()

"""The workspace screen: header, tabs (fleet first, then sessions), forwarding panel, footer.

Tab keys are priority bindings so they reach the app even while a shell has focus; they
are chosen from keys shell programs do not use (see ``keys.md``).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, TabPane

from ssm_tui.ui.dialogs import TitleScreen
from ssm_tui.ui.fleet_browser import FleetBrowser
from ssm_tui.ui.fleet_source import FleetSource, Scope, ScopedFleetSource
from ssm_tui.ui.forwards_panel import ForwardsPanel
from ssm_tui.ui.region_picker import RegionPicker
from ssm_tui.ui.session_tabs import FLEET_TAB, SessionTabs


class WorkspaceScreen(Screen[None]):
    """Everything the user works in, arranged as tabs over an optional forwarding panel.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+pagedown, ctrl+pageup | Next / previous tab (also inside a shell). |
    | alt+1 … alt+9 | Go to tab 1-9; alt+1 is the fleet (also inside a shell). |
    | ctrl+f2 | Rename the active tab (also inside a shell). |
    | ctrl+f3 | Reopen the last closed tab (also inside a shell). |
    | ctrl+f4 | Close the active session tab (also inside a shell). |
    | F | Show or hide the forwarding panel. |
    | p | Choose profiles and regions. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+pagedown",
            "next_tab",
            "Next tab",
            show=False,
            priority=True,
            id="ssm-tui.next-tab",
        ),
        Binding(
            "ctrl+pageup",
            "previous_tab",
            "Previous tab",
            show=False,
            priority=True,
            id="ssm-tui.previous-tab",
        ),
        *(
            Binding(
                f"alt+{n}",
                f"jump_tab({n - 1})",
                "Go to tab",
                show=False,
                priority=True,
                id=f"ssm-tui.tab-{n}",
            )
            for n in range(1, 10)
        ),
        Binding(
            "ctrl+f2",
            "rename_tab",
            "Rename tab",
            show=False,
            priority=True,
            id="ssm-tui.rename-tab",
        ),
        Binding(
            "ctrl+f3",
            "reopen_tab",
            "Reopen tab",
            show=False,
            priority=True,
            id="ssm-tui.reopen-tab",
        ),
        Binding("ctrl+f4", "close_tab", "Close tab", priority=True, id="ssm-tui.close-tab"),
        Binding("F", "toggle_forwards", "Forwards", id="ssm-tui.toggle-forwards"),
        Binding("p", "pick_scope", "Profiles and regions", show=False, id="ssm-tui.pick-scope"),
    ]

    def __init__(self, source: FleetSource) -> None:
        super().__init__()
        self._source = source

    def compose(self) -> ComposeResult:
        yield Header()
        with SessionTabs(id="tabs"), TabPane("Fleet", id=FLEET_TAB):
            yield FleetBrowser(self._source, id="browser")
        yield ForwardsPanel(id="forwards")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ForwardsPanel).display = False
        self._show_scope()
        self.query_one("#browser NodeTable").focus()
        # List after the first frame is on screen: startup never waits for AWS.
        self.call_after_refresh(self.browser.reload)

    @property
    def tabs(self) -> SessionTabs:
        """The tabs: the fleet browser, then one per session."""
        return self.query_one(SessionTabs)

    @property
    def browser(self) -> FleetBrowser:
        """The fleet browser on the first tab."""
        return self.query_one(FleetBrowser)

    @property
    def forwards(self) -> ForwardsPanel:
        """The forwarding panel (hidden until toggled or a forward starts)."""
        return self.query_one(ForwardsPanel)

    def _show_scope(self) -> None:
        source = self.browser.source
        if isinstance(source, ScopedFleetSource):
            self.sub_title = str(source.scope)

    # -- placeholders until the sessions layer is wired in ---------------------------------

    @on(FleetBrowser.OpenShell)
    def _open_shell(self, event: FleetBrowser.OpenShell) -> None:
        self.notify(f"Shell on {event.node.label}: sessions are not wired in yet.", markup=False)

    @on(FleetBrowser.NewForward)
    def _new_forward(self, event: FleetBrowser.NewForward) -> None:
        self.forwards.display = True
        self.notify(f"Forward via {event.node.label}: sessions are not wired in yet.", markup=False)

    # -- actions --------------------------------------------------------------------------

    def action_next_tab(self) -> None:
        self.tabs.cycle(+1)

    def action_previous_tab(self) -> None:
        self.tabs.cycle(-1)

    def action_jump_tab(self, index: int) -> None:
        self.tabs.activate_index(index)

    def action_close_tab(self) -> None:
        self.tabs.close_tab()

    def action_reopen_tab(self) -> None:
        self.tabs.reopen_tab()

    def action_rename_tab(self) -> None:
        tabs = self.tabs
        pane_id = tabs.active
        if not pane_id or pane_id == FLEET_TAB:
            return

        def rename(title: str | None) -> None:
            if title:
                tabs.set_tab_title(pane_id, title)

        self.app.push_screen(TitleScreen(tabs.tab_title(pane_id)), rename)

    def action_toggle_forwards(self) -> None:
        self.forwards.display = not self.forwards.display

    def action_pick_scope(self) -> None:
        source = self.browser.source
        if not isinstance(source, ScopedFleetSource):
            self.notify("This fleet has a fixed set of profiles and regions.")
            return

        def rescope(scope: Scope | None) -> None:
            if scope is not None and isinstance(source, ScopedFleetSource):
                self.browser.source = source.with_scope(scope)
                self._show_scope()

        self.app.push_screen(RegionPicker(source.scope, source.known_profiles), rescope)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key whose action does not apply is not consumed: the focused shell gets it.
        tabs = self.query(SessionTabs)
        if action in {"close_tab", "rename_tab"}:
            return bool(tabs) and tabs.first().active not in ("", FLEET_TAB)
        if action == "reopen_tab":
            return bool(tabs) and tabs.first().can_reopen
        return True

"""The workspace screen: header, tabs (fleet first, then sessions), forwarding panel, footer.

Tab keys are priority bindings so they reach the app even while a shell has focus; they
are chosen from keys shell programs do not use (see ``keys.md``).
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, TabPane

from ssm_tui.app_core.fleet_source import FleetSource, Scope, ScopedFleetSource
from ssm_tui.app_core.forwards import Forwards, ForwardSpec
from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.app_core.workspace_file import Workspace
from ssm_tui.app_core.workspace_restore import OpenTab, restore
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.ui.broadcast_controls import BroadcastControls
from ssm_tui.ui.broadcast_status import BroadcastStatus
from ssm_tui.ui.dialogs import ConfirmScreen, TitleScreen
from ssm_tui.ui.fanout_dialog import CommandScreen
from ssm_tui.ui.fanout_tab import FanOutTab
from ssm_tui.ui.fleet_browser import FleetBrowser
from ssm_tui.ui.forward_dialog import NewForwardScreen
from ssm_tui.ui.forwards_panel import ForwardsPanel
from ssm_tui.ui.key_footer import KeyFooter
from ssm_tui.ui.region_picker import RegionPicker
from ssm_tui.ui.session_tab import SessionTab
from ssm_tui.ui.session_tabs import FLEET_TAB, SessionTabs
from ssm_tui.ui.workspace_dialogs import choose_and_open, save_as

#: Seconds between refreshes of the forwarding panel's counters.
FORWARD_REFRESH = 1.0


class WorkspaceScreen(Screen[None]):
    """Everything the user works in, arranged as tabs over an optional forwarding panel.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+pagedown, ctrl+pageup | Next / previous tab (also inside a shell). |
    | alt+1 … alt+9 | Go to tab 1-9; alt+1 is the fleet (also inside a shell). |
    | ctrl+f2 | Rename the active tab (also inside a shell). |
    | ctrl+f3 | Reopen the last closed tab (also inside a shell). |
    | ctrl+f4 | Close the active session tab (also inside a shell). |
    | ctrl+f5 | Mark or unmark the active shell tab for broadcast input (also inside a shell). |
    | ctrl+f6 | Broadcast on or off: keys typed in a marked tab go to every marked tab. |
    | ctrl+f7 | Start or stop recording the active shell tab (also inside a shell). |
    | F | Show or hide the forwarding panel. |
    | p | Choose profiles and regions. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+pagedown",
            "next_tab",
            "Next tab",
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
        Binding(
            "ctrl+f5",
            "mark_tab",
            "Mark tab for broadcast",
            show=False,
            priority=True,
            id="ssm-tui.mark-tab",
        ),
        Binding("ctrl+f6", "toggle_broadcast", "Broadcast", priority=True, id="ssm-tui.broadcast"),
        Binding(
            "ctrl+f7",
            "toggle_recording",
            "Record",
            show=False,
            priority=True,
            id="ssm-tui.record-tab",
        ),
        Binding("F", "toggle_forwards", "Forwards", id="ssm-tui.toggle-forwards"),
        Binding("p", "pick_scope", "Profiles and regions", show=False, id="ssm-tui.pick-scope"),
    ]

    def __init__(
        self, source: FleetSource, services: SessionServices, *, workspace: Workspace | None = None
    ) -> None:
        super().__init__()
        self._source = source
        self.services = services
        self.broadcasting = BroadcastControls(self, services.config.broadcast_confirm_tags)
        self.broadcast = self.broadcasting.group
        self.forwarder = Forwards(services, self._forwards_changed)
        self._live = 0
        self._last_command = ""
        self._tabs_widget: SessionTabs | None = None
        self._restoring = workspace  # opened once the fleet is listed
        self._listed = False

    class LiveSessionsChanged(Message):
        """Shells and forwards still open: ``count`` (the app shows and asks on quit)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def compose(self) -> ComposeResult:
        yield Header()
        with SessionTabs(id="tabs"), TabPane("Fleet", id=FLEET_TAB):
            yield FleetBrowser(self._source, id="browser")
        yield ForwardsPanel(id="forwards")
        yield BroadcastStatus(id="broadcast-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(ForwardsPanel).display = False
        self._show_scope()
        self.query_one("#browser NodeTable").focus()
        # List after the first frame is on screen: startup never waits for AWS.
        self.call_after_refresh(self.browser.reload)
        self.services.run_parser()
        self.set_interval(FORWARD_REFRESH, self._tick_forwards, name="forward-counters")

    def on_unmount(self) -> None:
        self.broadcast.close()
        self.services.stop_parser()

    @property
    def tabs(self) -> SessionTabs:
        """The tabs: the fleet browser, then one per session."""
        tabs = self._tabs_widget
        if tabs is None or not tabs.is_attached:
            tabs = self._tabs_widget = self.query_one(SessionTabs)
        return tabs

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

    # -- shells -----------------------------------------------------------------------------

    @on(FleetBrowser.OpenShell)
    def _open_shell(self, event: FleetBrowser.OpenShell) -> None:
        self.open_shell(event.node)

    def open_shell(
        self, node: ManagedNode, *, document: str = "", title: str = "", ended: str = ""
    ) -> str | None:
        """Open a tab with a shell on ``node``; None (and a notification) when it is offline.

        ``document`` and ``title`` are the tab's session document and title; with
        ``ended``, the tab opens ended, saying why, and enter tries to connect.
        """
        if node.ping_status and not node.online and not ended:
            self.notify(
                f"{node.label} is offline (ping status {node.ping_status}).",
                title="Cannot open a shell",
                severity="warning",
                markup=False,
            )
            return None
        services, group = self.services, self.broadcast
        tab = SessionTab(
            node, services, document=document, title=title, ended=ended, broadcast=group
        )
        return self.tabs.open_tab(
            tab.title,
            tab,
            reopen=lambda: SessionTab(
                node, services, document=document, title=title, broadcast=group
            ),
        )

    def session_tab(self, pane_id: str | None = None) -> SessionTab | None:
        """The shell in tab ``pane_id`` (default: the active tab), if it holds one."""
        pane_id = pane_id or self.tabs.active
        if not pane_id or pane_id == FLEET_TAB:
            return None
        try:
            return self.tabs.get_pane(pane_id).query_one(SessionTab)
        except NoMatches:
            return None

    @on(SessionTab.Changed)
    def _session_changed(self, event: SessionTab.Changed) -> None:
        pane = event.tab.parent
        if isinstance(pane, TabPane) and pane.id is not None and event.tab.is_attached:
            with contextlib.suppress(NoMatches):  # the tab is being added or already gone
                self.tabs.set_tab_title(pane.id, event.tab.title)
        self._count_live()

    def _count_live(self) -> None:
        shells = sum(tab.live for tab in self.query(SessionTab) if not tab.closed)
        runs = sum(tab.running for tab in self.query(FanOutTab))
        count = shells + self.forwarder.live_count + runs
        if count != self._live:
            self._live = count
            self.post_message(self.LiveSessionsChanged(count))

    # -- commands on many nodes ------------------------------------------------------------

    @on(FleetBrowser.RunCommand)
    def _run_command(self, event: FleetBrowser.RunCommand) -> None:
        self.run_command(event.nodes)

    def run_command(self, nodes: list[ManagedNode]) -> None:
        """Ask for a command, then run it on ``nodes`` in a results tab."""

        def run(command: str | None) -> None:
            if command:
                self._last_command = command
                self.open_results(nodes, command)

        self.app.push_screen(CommandScreen(nodes, self._last_command), run)

    def open_results(self, nodes: list[ManagedNode], command: str) -> str:
        """Open a results tab running ``command`` on ``nodes``; returns the tab's id."""
        tab = FanOutTab(nodes, command, self.services)
        return self.tabs.open_tab(tab.title, tab)

    @on(FanOutTab.Changed)
    def _results_changed(self, event: FanOutTab.Changed) -> None:
        pane = event.tab.parent
        if isinstance(pane, TabPane) and pane.id is not None and event.tab.is_attached:
            with contextlib.suppress(NoMatches):
                self.tabs.set_tab_title(pane.id, event.title)
        self._count_live()

    # -- forwards ---------------------------------------------------------------------------

    @on(FleetBrowser.NewForward)
    def _new_forward(self, event: FleetBrowser.NewForward) -> None:
        self.new_forward(event.node)

    def new_forward(self, node: ManagedNode) -> None:
        """Ask what to forward through ``node`` (the dialog starts it)."""

        def started(key: str | None) -> None:
            if key is not None:
                self.forwards.display = True
                self._refresh_forwards()

        dialog = NewForwardScreen(node, self.browser.snapshot.nodes, self.forwarder.start)
        self.app.push_screen(dialog, started)

    def _forwards_changed(self) -> None:
        self._refresh_forwards()
        self._count_live()

    async def start_forward(self, spec: ForwardSpec) -> str:
        """Start a forward (as the New Forward dialog does) and show the panel; its row key."""
        key = await self.forwarder.start(spec)
        self.forwards.display = True
        return key

    def hold_forward(self, spec: ForwardSpec, reason: str) -> str:
        """Show a forward that could not start as a row saying ``reason``; its row key."""
        key = self.forwarder.hold(spec, reason)
        self.forwards.display = True
        return key

    def _tick_forwards(self) -> None:
        # Counters move only while a forward is running; every other change (started,
        # stopped, failed) refreshes the rows through _forwards_changed.
        if self.forwarder.live_count:
            self._refresh_forwards()

    def _refresh_forwards(self) -> None:
        for panel in self.query(ForwardsPanel):  # none once the app is closing
            panel.set_rows(self.forwarder.rows())

    @on(ForwardsPanel.StopRequested)
    def _stop_forward(self, event: ForwardsPanel.StopRequested) -> None:
        self.forwarder.stop(event.key)

    @on(ForwardsPanel.RestartRequested)
    def _restart_forward(self, event: ForwardsPanel.RestartRequested) -> None:
        self._restart(event.key)

    @work(group="forward-restart")
    async def _restart(self, key: str) -> None:
        try:
            await self.forwarder.restart(key)
        except Exception as error:  # ForwardError, AwsError: say why, keep going
            self.notify(str(error), title="Cannot restart", severity="error", markup=False)

    # -- workspaces -----------------------------------------------------------------------

    def open_tabs(self) -> list[OpenTab]:
        """The shell tabs as a workspace saves them, left to right."""
        tabs = (self.session_tab(pane_id) for pane_id in self.tabs.pane_ids)
        return [
            OpenTab(node=tab.node, document=tab.document, title=tab.custom_title)
            for tab in tabs
            if tab is not None
        ]

    def restore_workspace(self, workspace: Workspace) -> None:
        """Open ``workspace``'s tabs and forwards (once the fleet is listed, to check them)."""
        if self._listed:
            self._restore(workspace)
        else:
            self._restoring = workspace

    @on(FleetBrowser.Loaded)
    def _fleet_listed(self) -> None:
        self._listed = True
        workspace, self._restoring = self._restoring, None
        if workspace is not None:
            self._restore(workspace)

    @work(group="workspace-restore")
    async def _restore(self, workspace: Workspace) -> None:
        report = await restore(workspace, self.browser.snapshot, self)
        self.notify(report.summary, title=f"Workspace {workspace.name}", markup=False)

    def action_save_workspace(self) -> None:
        save_as(self)

    def action_open_workspace(self) -> None:
        choose_and_open(self)

    # -- broadcast input ----------------------------------------------------------------------

    def action_mark_tab(self) -> None:
        tab = self.session_tab()
        if tab is not None:
            self.broadcasting.mark(tab)

    def action_toggle_broadcast(self) -> None:
        self.broadcasting.toggle()

    # -- actions --------------------------------------------------------------------------

    def action_next_tab(self) -> None:
        self.tabs.cycle(+1)

    def action_previous_tab(self) -> None:
        self.tabs.cycle(-1)

    def action_jump_tab(self, index: int) -> None:
        self.tabs.activate_index(index)

    def action_close_tab(self) -> None:
        pane_id = self.tabs.active
        tab = self.session_tab(pane_id)
        if tab is None or not tab.live:
            self._close_tab(pane_id)
            return
        question = f"Close {tab.node.label}? Its session is live and will be terminated."

        def answer(yes: bool | None) -> None:
            if yes:
                self._close_tab(pane_id)

        self.app.push_screen(ConfirmScreen(question, yes="Close", no="Keep"), answer)

    def _close_tab(self, pane_id: str) -> None:
        tab = self.session_tab(pane_id)
        if tab is not None:
            tab.close()  # terminates now; unmounting follows
        for results in self.query(f"#{pane_id} FanOutTab").results(FanOutTab):
            results.close()  # cancels its run now
        self.tabs.close_tab(pane_id)
        self._count_live()

    def action_reopen_tab(self) -> None:
        self.tabs.reopen_tab()

    def action_toggle_recording(self) -> None:
        if (tab := self.session_tab()) is not None:
            tab.toggle_recording()

    def action_rename_tab(self) -> None:
        tabs = self.tabs
        pane_id = tabs.active
        if not pane_id or pane_id == FLEET_TAB:
            return

        def rename(title: str | None) -> None:
            if not title:
                return
            if (shell := self.session_tab(pane_id)) is not None:
                shell.rename(title)
            else:
                tabs.set_tab_title(pane_id, title)

        shell = self.session_tab(pane_id)
        current = shell.custom_title or shell.node.label if shell else tabs.tab_title(pane_id)
        self.app.push_screen(TitleScreen(current), rename)

    def action_toggle_forwards(self) -> None:
        self.forwards.display = not self.forwards.display

    def action_focus_forwards(self) -> None:
        self.forwards.display = True
        self.forwards.query_one(DataTable).focus()

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
        # Asked for every binding whenever the footer or a key looks at the bindings (each
        # focus change): the tabs widget is looked up once, not searched for in a DOM of
        # twenty terminals each time.
        if action == "toggle_broadcast":
            return len(self.broadcast) > 0
        if action not in {"close_tab", "rename_tab", "toggle_recording", "reopen_tab", "mark_tab"}:
            return True
        try:
            tabs = self.tabs
        except NoMatches:  # not composed yet, or closing
            return False
        if action in {"close_tab", "rename_tab"}:
            return tabs.active not in ("", FLEET_TAB)
        if action == "reopen_tab":
            return tabs.can_reopen
        return self.session_tab(tabs.active or FLEET_TAB) is not None

"""The workspace's broadcast keys: mark a tab, turn broadcast on and off, ask before production."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.screen import Screen

from ssm_tui.app_core.broadcast import BroadcastGroup, confirm_reasons
from ssm_tui.ui.broadcast_status import BroadcastStatus
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.session_tab import SessionTab


class BroadcastControls:
    """What ctrl+F5 and ctrl+F6 do on ``screen``, and how the group's state is shown there.

    ``rules`` are the ``broadcast_confirm_tags`` setting: a node matching one makes the
    controls ask once before its tab joins a broadcast that is on, or before turning on.
    """

    def __init__(self, screen: Screen[None], rules: Sequence[str]) -> None:
        self.group = BroadcastGroup(self.show)
        self._screen = screen
        self._rules = rules

    def mark(self, tab: SessionTab) -> None:
        """Mark ``tab`` (or unmark it); joining a broadcast that is on may ask first."""
        group, shell = self.group, tab.shell
        if shell in group or not group.enabled:
            group.toggle(shell)
            return
        self._confirmed(f"Add {tab.node.label} to the broadcast?", [tab], lambda: group.add(shell))

    def toggle(self) -> None:
        """Broadcast off, or on once two tabs are marked (asking first for production)."""
        group = self.group
        if group.enabled:
            group.disable()
            return
        if len(group) < 2:
            self._screen.notify(
                "Mark at least two shell tabs first.", title="Broadcast", markup=False
            )
            return
        tabs = [tab for tab in self._screen.query(SessionTab) if tab.shell in group]
        self._confirmed(f"Broadcast keys to {len(group)} tabs?", tabs, group.enable)

    def show(self) -> None:
        """Show the group on the screen: status line, tab marks and badges, footer keys."""
        screen = self._screen
        for status in screen.query(BroadcastStatus):  # none once the screen is closing
            status.show(self.group)
        for tab in screen.query(SessionTab):
            if not tab.closed:
                tab.broadcast_changed()
        screen.refresh_bindings()

    def _confirmed(self, question: str, tabs: list[SessionTab], then: Callable[[], None]) -> None:
        """Run ``then``; ask first when a tab's node is tagged as production."""
        reasons = confirm_reasons((tab.node for tab in tabs), self._rules)
        if not reasons:
            then()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                then()

        listed = ", ".join(reasons)
        self._screen.app.push_screen(
            ConfirmScreen(f"{question} Production: {listed}.", yes="Broadcast", no="Cancel"),
            answer,
        )

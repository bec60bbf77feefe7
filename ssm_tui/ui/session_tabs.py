"""The workspace's tabs: the fleet browser first, then one tab per session (any widget)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from textual import events, on
from textual.widget import Widget
from textual.widgets import ContentSwitcher, TabbedContent, TabPane

FLEET_TAB = "fleet"

#: Builds a fresh widget for a closed tab (a new session to the same node).
Reopener = Callable[[], Widget]


@dataclass(frozen=True, slots=True)
class _ClosedTab:
    title: str
    reopen: Reopener


class SessionTabs(TabbedContent):
    """Tabs whose first pane (id ``FLEET_TAB``, composed by the screen) stays; others come and go.

    Opening a tab returns its id at once; the pane mounts on the next message cycle.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, initial=FLEET_TAB)
        self._ids = itertools.count(1)
        self._reopeners: dict[str, Reopener] = {}
        self._closed_tabs: list[_ClosedTab] = []
        self._last_focus: dict[str, Widget] = {}

    @property
    def pane_ids(self) -> list[str]:
        """Every tab's id, left to right (the fleet tab first)."""
        switcher = self.get_child_by_type(ContentSwitcher)
        return [pane.id for pane in switcher.children if pane.id is not None]

    def open_tab(
        self, title: str, widget: Widget, *, reopen: Reopener | None = None, activate: bool = True
    ) -> str:
        """Add a tab showing ``widget``; ``reopen`` lets a closed tab come back; returns its id."""
        pane_id = f"tab-{next(self._ids)}"
        if reopen is not None:
            self._reopeners[pane_id] = reopen
        self.call_later(self._add_pane, TabPane(title, widget, id=pane_id), activate)
        return pane_id

    async def _add_pane(self, pane: TabPane, activate: bool) -> None:
        await self.add_pane(pane)
        if activate and pane.id is not None:
            self.activate(pane.id)

    def set_tab_title(self, pane_id: str, title: str) -> None:
        """Show ``title`` on the tab ``pane_id``."""
        self.get_tab(pane_id).label = title

    def tab_title(self, pane_id: str) -> str:
        """The title shown on the tab ``pane_id``."""
        return str(self.get_tab(pane_id).label.plain)

    def close_tab(self, pane_id: str | None = None) -> bool:
        """Close ``pane_id`` (default: the active tab); the fleet tab never closes."""
        pane_id = pane_id or self.active
        if not pane_id or pane_id == FLEET_TAB or pane_id not in self.pane_ids:
            return False
        ids = self.pane_ids
        if pane_id == self.active:
            index = ids.index(pane_id)
            self.activate(ids[index + 1] if index + 1 < len(ids) else ids[index - 1])
        reopen = self._reopeners.pop(pane_id, None)
        if reopen is not None:
            self._closed_tabs.append(_ClosedTab(self.tab_title(pane_id), reopen))
        self._last_focus.pop(pane_id, None)
        self.remove_pane(pane_id)
        return True

    @property
    def can_reopen(self) -> bool:
        """Whether a closed tab can be opened again."""
        return bool(self._closed_tabs)

    def reopen_tab(self) -> str | None:
        """Open the most recently closed (reopenable) tab again; returns its new id."""
        if not self._closed_tabs:
            return None
        closed = self._closed_tabs.pop()
        return self.open_tab(closed.title, closed.reopen(), reopen=closed.reopen)

    def activate(self, pane_id: str) -> None:
        """Show the tab ``pane_id`` and focus what is inside it."""
        self.active = pane_id
        pane = self.get_pane(pane_id)
        last = self._last_focus.get(pane_id)
        candidates = [last] if last is not None else []
        for widget in [*candidates, *pane.query("*")]:
            if widget.is_attached and widget.focusable and _shown_within(widget, pane):
                widget.focus()
                break

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Coming back to a tab focuses what had focus there (the table, not its filter).
        for ancestor in event.widget.ancestors:
            if isinstance(ancestor, TabPane) and ancestor.id is not None:
                self._last_focus[ancestor.id] = event.widget
                break

    def activate_index(self, index: int) -> None:
        """Show the ``index``-th tab (0 = fleet), if there is one."""
        ids = self.pane_ids
        if 0 <= index < len(ids):
            self.activate(ids[index])

    def cycle(self, step: int) -> None:
        """Show the tab ``step`` places right (negative: left), wrapping around."""
        ids = self.pane_ids
        if self.active in ids:
            self.activate(ids[(ids.index(self.active) + step) % len(ids)])

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Tab keys are enabled or disabled by which tab is active (see the screen's check_action).
        self.screen.refresh_bindings()


def _shown_within(widget: Widget, pane: Widget) -> bool:
    """Whether ``widget`` and its ancestors up to ``pane`` are displayed (not hidden)."""
    node: Widget | None = widget
    while node is not None and node is not pane:
        if not node.display:
            return False
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return True

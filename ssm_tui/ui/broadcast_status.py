"""How broadcast input shows: the status line over the footer and the badge over a member."""

from __future__ import annotations

from textual.widgets import Static

from ssm_tui.app_core.broadcast import BroadcastGroup, MemberStatus

#: Shown before the title of a tab marked for broadcast input, and on its badges.
BROADCAST_MARK = "⇶ "


def _tabs(count: int) -> str:
    return f"{count} tab{'s' if count != 1 else ''}"


def broadcast_badge(members: int, status: MemberStatus) -> str:
    """The line over a member's screen: ``⇶ broadcasting to 3 tabs`` and how it keeps up."""
    text = f"{BROADCAST_MARK}broadcasting to {_tabs(members)}"
    if status.queued:
        text += f" · this tab is lagging: {status.queued} bytes waiting"
    elif status.dropped:
        text += f" · this tab is lagging: missed {status.dropped} bytes"
    return text


def broadcast_status(group: BroadcastGroup) -> str:
    """The status line: ``⇶ broadcasting to 2 tabs: web-1, web-2`` (or marked, not yet on)."""
    names = ", ".join(shell.node.label for shell in group.members)
    if not group.enabled:
        return f"{_tabs(len(group))} marked for broadcast: {names}"
    lagging = [shell.node.label for shell in group.members if group.status(shell).lagging]
    behind = f" · lagging: {', '.join(lagging)}" if lagging else ""
    return f"{BROADCAST_MARK}broadcasting to {_tabs(len(group))}: {names}{behind}"


class BroadcastStatus(Static):
    """One line above the footer while any tab is marked; highlighted while broadcasting."""

    def show(self, group: BroadcastGroup) -> None:
        """Show ``group``'s members and state (hidden when nobody is marked)."""
        self.display = len(group) > 0
        self.update(broadcast_status(group))
        self.set_class(group.enabled, "-on")

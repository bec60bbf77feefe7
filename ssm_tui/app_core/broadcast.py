"""BroadcastGroup: shell tabs marked together, so what is typed in one reaches them all.

Each member keeps its own session, data channel and counters; the group only hands the
same bytes to every member's :class:`NodeShell`, synchronously and without awaiting any
of them, so a slow or dead member never holds up the others:

- a live member whose channel accepts data gets the bytes at once;
- a member whose channel applies back-pressure (``Session.writable`` is False) gets them
  queued, up to ``backlog_limit`` bytes, and sent in order once it is writable again;
  bytes that do not fit are dropped, whole (a key's escape sequence is never cut);
- a member whose session has ended (or never started) drops them.

Queued or dropped bytes make a member *lagging* (:attr:`MemberStatus.lagging`): its shell
may no longer be in step with the others, and the UI says so. Enabling the group again
starts every member's counters afresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ssm_tui.app_core.node_shell import NodeShell
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.shell import ShellSession

log = logging.getLogger(__name__)

#: Bytes held for one member while its channel applies back-pressure; beyond this, dropped.
BACKLOG_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberStatus:
    """What the group did with one member's share of the broadcast bytes."""

    sent: int = 0
    """Bytes handed to the member's session."""
    queued: int = 0
    """Bytes waiting for the member's channel to accept data again."""
    dropped: int = 0
    """Bytes thrown away: the session had ended, or the backlog was full."""

    @property
    def lagging(self) -> bool:
        """True when the member missed bytes or is still waiting for some."""
        return self.queued > 0 or self.dropped > 0


@dataclass(slots=True, eq=False)
class _Member:
    shell: NodeShell
    backlog: bytearray = field(default_factory=bytearray)
    sent: int = 0
    dropped: int = 0
    drain: asyncio.Task[None] | None = None

    def status(self) -> MemberStatus:
        return MemberStatus(sent=self.sent, queued=len(self.backlog), dropped=self.dropped)


class BroadcastGroup:
    """The marked shells, and whether what is typed in one of them goes to all of them.

    ``on_change`` is called when the members, ``enabled`` or a member's ``lagging``
    changed (not for every byte). Bytes typed in a shell that is not a member stay there.
    """

    def __init__(
        self,
        on_change: Callable[[], None] | None = None,
        *,
        backlog_limit: int = BACKLOG_LIMIT,
    ) -> None:
        self._members: dict[NodeShell, _Member] = {}
        self._enabled = False
        self._on_change = on_change
        self._limit = backlog_limit

    # -- membership -----------------------------------------------------------------------

    @property
    def members(self) -> tuple[NodeShell, ...]:
        """The marked shells, in the order they were marked."""
        return tuple(self._members)

    def __contains__(self, shell: object) -> bool:
        return shell in self._members

    def __len__(self) -> int:
        return len(self._members)

    def add(self, shell: NodeShell) -> None:
        """Mark ``shell`` (no-op when it already is)."""
        if shell not in self._members:
            self._members[shell] = _Member(shell)
            self._changed()

    def discard(self, shell: NodeShell) -> None:
        """Unmark ``shell``; what it still had queued is dropped. An empty group turns off."""
        member = self._members.pop(shell, None)
        if member is None:
            return
        if member.drain is not None:
            member.drain.cancel()
        if not self._members:
            self._enabled = False
        self._changed()

    def toggle(self, shell: NodeShell) -> bool:
        """Mark ``shell`` or unmark it; returns whether it is marked now."""
        if shell in self._members:
            self.discard(shell)
            return False
        self.add(shell)
        return True

    # -- on and off -----------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether typing in a member goes to every member."""
        return self._enabled

    def enable(self) -> None:
        """Start broadcasting; every member's counters start from zero."""
        for member in self._members.values():
            member.sent = member.dropped = 0
        self._enabled = True
        self._changed()

    def disable(self) -> None:
        """Stop broadcasting (bytes already queued are still delivered)."""
        if self._enabled:
            self._enabled = False
            self._changed()

    def repeats(self, origin: NodeShell) -> bool:
        """Whether bytes typed in ``origin`` are to be repeated to the other members."""
        return self._enabled and origin in self._members

    def status(self, shell: NodeShell) -> MemberStatus:
        """What happened to ``shell``'s share so far (all zero for a non-member)."""
        member = self._members.get(shell)
        return member.status() if member is not None else MemberStatus()

    # -- sending --------------------------------------------------------------------------

    def send(self, data: bytes, *, origin: NodeShell) -> int:
        """Hand ``data``, typed in ``origin``, to every other member; returns how many took it.

        ``origin`` sends to its own session itself. Nothing happens unless the group is
        enabled and ``origin`` is a member. Never waits and never raises for a member.
        """
        if not data or not self.repeats(origin):
            return 0
        taken = 0
        for shell, member in list(self._members.items()):
            if shell is origin:
                continue
            was_lagging = member.status().lagging
            try:
                taken += self._deliver(member, data)
            except Exception:  # one broken member must not cost the others their bytes
                log.exception("broadcast to %s failed", shell.node.label)
                member.dropped += len(data)
            if member.status().lagging != was_lagging:
                self._changed()
        return taken

    def close(self) -> None:
        """Stop every pending delivery and report nothing more (the workspace is going away)."""
        self._on_change = None
        for member in self._members.values():
            if member.drain is not None:
                member.drain.cancel()

    def _deliver(self, member: _Member, data: bytes) -> bool:
        shell, session = member.shell, member.shell.session
        if session is None or not shell.live:
            member.dropped += len(data)
            return False
        if not member.backlog and session.writable:
            shell.send(data)
            member.sent += len(data)
            return True
        if len(member.backlog) + len(data) > self._limit:
            member.dropped += len(data)
            return False
        member.backlog += data
        if member.drain is None:
            member.drain = asyncio.get_running_loop().create_task(self._drain(member, session))
        return True

    async def _drain(self, member: _Member, session: ShellSession) -> None:
        """Send ``member``'s backlog each time ``session`` accepts data again."""
        try:
            while member.backlog:
                await session.wait_writable()
                data = bytes(member.backlog)
                member.backlog.clear()
                if member.shell.session is session and member.shell.send(data):
                    member.sent += len(data)
                else:  # it ended (or reconnected) while the bytes waited
                    member.dropped += len(data)
        finally:
            member.drain = None
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def confirm_reasons(nodes: Iterable[ManagedNode], rules: Sequence[str]) -> list[str]:
    """Why broadcasting to ``nodes`` needs a yes: ``"web-1 (Environment=prod)"`` per match.

    A rule is ``Key=Value``; key and value match a node's tag case-insensitively.
    """
    wanted = []
    for rule in rules:
        key, _, value = rule.partition("=")
        wanted.append((key.strip().lower(), value.strip().lower(), rule))
    reasons = []
    for node in nodes:
        tags = {k.lower(): v.lower() for k, v in node.tags.items()}
        matched = [rule for key, value, rule in wanted if tags.get(key) == value]
        if matched:
            reasons.append(f"{node.label} ({matched[0]})")
    return reasons

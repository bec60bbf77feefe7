"""Forwards: the workspace's port forwards, started from specs and described as plain rows."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.forward import PortForward

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardSpec:
    """A forward to ask for: ``bind:local_port`` through ``node`` to ``host:remote_port``."""

    node: ManagedNode
    remote_port: int
    host: str = ""
    local_port: int = 0  # 0: the system picks a free port
    bind: str = LOOPBACK

    @property
    def remote(self) -> str:
        """``host:port`` when forwarding beyond the node, else just the port."""
        return f"{self.host}:{self.remote_port}" if self.host else str(self.remote_port)


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardRow:
    """What the forwarding panel shows for one forward, as plain values."""

    key: str
    target: str
    local: str
    remote: str
    mode: str
    state: str
    connections: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


class Forwards:
    """Owns every forward session; the panel polls ``rows()`` and sends stop/restart here.

    ``on_change`` is called when a forward starts, changes phase or connection count, or
    ends: the screen redraws the panel and recounts live sessions then.

    A forward that could not start can be held (``hold``): its row says why, restarting
    it tries again, stopping it removes the row.
    """

    def __init__(self, services: SessionServices, on_change: Callable[[], None]) -> None:
        self._services = services
        self._on_change = on_change
        self._forwards: dict[str, tuple[ForwardSpec, PortForward]] = {}
        self._held: dict[str, tuple[ForwardSpec, str]] = {}
        self._keys = (f"forward-{n}" for n in itertools.count(1))

    async def start(self, spec: ForwardSpec) -> str:
        """Bind the local port and start the session; return the row key.

        Raises ``ForwardError`` (port in use, bad address) or ``AwsError`` (StartSession
        refused), with a message for the user, and then leaves nothing running.
        """
        key = next(self._keys)
        await self._launch(key, spec)
        return key

    def hold(self, spec: ForwardSpec, reason: str) -> str:
        """Show ``spec`` as a forward that did not start, saying ``reason``; the row key."""
        key = next(self._keys)
        self._held[key] = (spec, reason)
        self._on_change()
        return key

    async def restart(self, key: str) -> None:
        """End the forward ``key`` if it runs, then start it again on the same local port."""
        held = self._held.pop(key, None)
        if held is not None:
            try:
                await self._launch(key, held[0])
            except Exception as error:
                self._held[key] = (held[0], str(error).strip().splitlines()[0])
                self._on_change()
                raise
            return
        spec, forward = self._forwards[key]
        if not forward.phase.ended:
            self._services.forget(forward)
            await forward.terminate()
        await self._launch(key, replace(spec, local_port=forward.local_port))

    def stop(self, key: str) -> None:
        """Stop the forward ``key`` (its row stays, closed); stopping a closed one removes it."""
        if self._held.pop(key, None) is not None:
            self._on_change()
            return
        entry = self._forwards.get(key)
        if entry is None:
            return
        forward = entry[1]
        if forward.phase.ended or not forward.session_id:
            del self._forwards[key]
            if not forward.phase.ended:
                self._services.terminate(forward)
        else:
            self._services.terminate(forward)
        self._on_change()

    def forward(self, key: str) -> PortForward | None:
        """The session behind row ``key``."""
        entry = self._forwards.get(key)
        return entry[1] if entry is not None else None

    @property
    def live_count(self) -> int:
        """Forwards not yet over."""
        return sum(not forward.phase.ended for _, forward in self._forwards.values())

    def rows(self) -> list[ForwardRow]:
        """One row per forward, oldest first, with its current counters."""
        rows = [_row(key, spec, forward) for key, (spec, forward) in self._forwards.items()]
        rows += [_held_row(key, spec, reason) for key, (spec, reason) in self._held.items()]
        return sorted(rows, key=lambda row: _number(row.key))

    def specs(self) -> list[ForwardSpec]:
        """What each row's forward asks for (held ones too), oldest first."""
        entries = [(key, spec) for key, (spec, _) in self._forwards.items()]
        entries += [(key, spec) for key, (spec, _) in self._held.items()]
        return [spec for _, spec in sorted(entries, key=lambda entry: _number(entry[0]))]

    async def _launch(self, key: str, spec: ForwardSpec) -> None:
        forward = PortForward(
            self._services.api(spec.node.pair),
            spec.node.instance_id,
            spec.remote_port,
            local_port=spec.local_port,
            bind=spec.bind,
            host=spec.host or None,
            options=self._services.forward_options(),
            on_change=self._changed,
        )
        await self._services.start(forward)
        self._forwards[key] = (spec, forward)
        self._on_change()

    def _changed(self, forward: PortForward) -> None:
        if forward.phase.ended:
            self._services.forget(forward)
        self._on_change()


def _row(key: str, spec: ForwardSpec, forward: PortForward) -> ForwardRow:
    stats = forward.stats
    bind, port = forward.local_address
    return ForwardRow(
        key=key,
        target=spec.node.label,
        local=f"{bind}:{port}",
        remote=spec.remote,
        mode=forward.mode.value if forward.mode is not None else "…",
        state=forward.status,
        connections=stats.connections_open,
        bytes_in=stats.bytes_received,
        bytes_out=stats.bytes_sent,
    )


def _held_row(key: str, spec: ForwardSpec, reason: str) -> ForwardRow:
    return ForwardRow(
        key=key,
        target=spec.node.label,
        local=f"{spec.bind}:{spec.local_port}",
        remote=spec.remote,
        mode="—",
        state=f"failed: {reason}",
    )


def _number(key: str) -> int:
    return int(key.rsplit("-", 1)[1])

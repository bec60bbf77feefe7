"""Where the browser's nodes come from: a ``FleetSource`` and the scope of pairs it lists."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ssm_tui.aws.nodes import FleetSnapshot, Pair

if TYPE_CHECKING:
    from ssm_tui.aws.fleet import PairProgress
    from ssm_tui.aws.profiles import SessionFactory

log = logging.getLogger(__name__)

#: Called with (pairs done, pairs in total) while a load runs.
Progress = Callable[[int, int], None]


class ScopeError(Exception):
    """The scope names no pair that can be listed (e.g. no region anywhere)."""


class FleetSource(Protocol):
    """Anything that can list the fleet, reporting progress as pairs finish."""

    async def load(self, progress: Progress) -> FleetSnapshot:
        """List every node, calling ``progress(done, total)`` as pairs finish."""
        ...


@runtime_checkable
class ScopedFleetSource(FleetSource, Protocol):
    """A fleet source whose profiles and regions the user can change in the app."""

    @property
    def scope(self) -> Scope:
        """The profiles and regions listed now."""
        ...

    @property
    def known_profiles(self) -> Sequence[str]:
        """Every profile the user could choose (from the AWS config files)."""
        ...

    def with_scope(self, scope: Scope) -> ScopedFleetSource:
        """The same source listing ``scope`` instead."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """Profiles x regions: the pairs to look in.

    Profile ``None`` is the default chain (``AWS_PROFILE`` or ``default``); no regions
    means each profile's own default region.
    """

    profiles: tuple[str | None, ...]
    regions: tuple[str, ...]

    @property
    def pairs(self) -> tuple[Pair, ...]:
        """Every (profile, region) combination, profiles first."""
        return tuple(Pair(profile=p, region=r) for p in self.profiles for r in self.regions)

    def __str__(self) -> str:
        profiles = ", ".join(p or "default" for p in self.profiles) or "no profile"
        regions = ", ".join(self.regions) or "default regions"
        return f"{profiles} · {regions}"


class SnapshotSource:
    """A fleet that is already known: a literal snapshot (tests, screenshots, piped data)."""

    def __init__(self, snapshot: FleetSnapshot) -> None:
        self.snapshot = snapshot

    async def load(self, progress: Progress) -> FleetSnapshot:
        """Return the snapshot, reporting every pair done at once."""
        total = len(
            {node.pair for node in self.snapshot.nodes}
            | {error.pair for error in self.snapshot.errors}
        )
        progress(total, total)
        return self.snapshot


class DiscoverySource:
    """The real fleet: ``aws.fleet.discover`` over every pair of a scope."""

    def __init__(
        self,
        scope: Scope,
        *,
        known_profiles: Sequence[str] | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self._scope = scope
        self._known_profiles = None if known_profiles is None else tuple(known_profiles)
        self._session_factory = session_factory

    @property
    def scope(self) -> Scope:
        """The profiles and regions listed now."""
        return self._scope

    @property
    def known_profiles(self) -> Sequence[str]:
        """Every profile the user could choose (read from the AWS config on first use)."""
        if self._known_profiles is None:
            from ssm_tui.aws.profiles import list_profiles

            self._known_profiles = tuple(list_profiles())
        return self._known_profiles

    def with_scope(self, scope: Scope) -> DiscoverySource:
        """The same source listing ``scope`` instead."""
        return DiscoverySource(
            scope, known_profiles=self._known_profiles, session_factory=self._session_factory
        )

    async def load(self, progress: Progress) -> FleetSnapshot:
        """Discover the scope's pairs, reporting each finished pair."""
        # boto3 takes a few hundred milliseconds to import: keep it off the event loop so
        # the first frame and the progress display are not held up.
        fleet = await asyncio.to_thread(importlib.import_module, "ssm_tui.aws.fleet")
        pairs = await asyncio.to_thread(self._pairs)
        finished: set[Pair] = set()
        progress(0, len(pairs))

        def on_progress(update: PairProgress) -> None:
            if update.done:
                finished.add(update.pair)
                progress(len(finished), len(pairs))

        if self._session_factory is None:
            snapshot: FleetSnapshot = await fleet.discover(pairs, progress=on_progress)
        else:
            snapshot = await fleet.discover(
                pairs, session_factory=self._session_factory, progress=on_progress
            )
        return snapshot

    def _pairs(self) -> tuple[Pair, ...]:
        """The scope's pairs; without regions, each profile's default region."""
        if self._scope.regions:
            return self._scope.pairs
        from ssm_tui.aws.profiles import pairs_for

        pairs, problems = pairs_for(self._scope.profiles, None)
        for problem in problems:
            log.warning("%s", problem)
        if not pairs:
            raise ScopeError(f"{'; '.join(problems)} (or press p to choose)")
        return tuple(pairs)

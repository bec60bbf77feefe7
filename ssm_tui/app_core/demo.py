"""The demo fleet: the embedded emulator, started on first use, and a fleet source over it."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ssm_tui.app_core.fleet_source import DiscoverySource, Progress, Scope
from ssm_tui.aws.nodes import FleetSnapshot

if TYPE_CHECKING:
    from ssm_tui.emulator import EmulatorThread

log = logging.getLogger(__name__)


class DemoFleet:
    """The embedded local fleet, started on first use in a background thread.

    Starting it (importing the emulator, binding a port, writing client files, pointing
    boto3 at them through the environment) takes longer than the app's first frame, so
    it happens when the first listing asks for it. Leaving the ``with`` block stops it.
    """

    profiles = ("prod", "staging")
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: EmulatorThread | None = None
        self._folder: str | None = None

    @property
    def scope(self) -> Scope:
        """Every profile and region of the demo fleet."""
        return Scope(profiles=self.profiles, regions=self.regions)

    def source(self, scope: Scope | None = None) -> DemoSource:
        """A fleet source listing ``scope`` (default: all of it) of this fleet."""
        return DemoSource(self, scope or self.scope)

    def ensure_started(self) -> None:
        """Start the emulator and point boto3 at it (idempotent, thread-safe)."""
        with self._lock:
            if self._thread is not None:
                return
            from ssm_tui.emulator import EmulatorThread
            from ssm_tui.emulator.client_config import CLEARED_VARIABLES, write_client_files

            thread = EmulatorThread()
            server = thread.start()
            self._thread = thread
            self._folder = tempfile.mkdtemp(prefix="ssm-tui-demo-")
            files = write_client_files(server.fleet, server.endpoint_url, self._folder)
            for name in CLEARED_VARIABLES:
                os.environ.pop(name, None)
            os.environ.update(files.env)
            log.info("demo fleet on %s", server.endpoint_url)

    def __enter__(self) -> DemoFleet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._thread.stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


class DemoSource:
    """A :class:`DiscoverySource` over the demo fleet, which it starts on first load."""

    def __init__(self, demo: DemoFleet, scope: Scope) -> None:
        self._demo = demo
        self._inner = DiscoverySource(scope, known_profiles=demo.profiles)

    @property
    def scope(self) -> Scope:
        """The profiles and regions listed now."""
        return self._inner.scope

    @property
    def known_profiles(self) -> Sequence[str]:
        """The demo fleet's profiles."""
        return self._demo.profiles

    def with_scope(self, scope: Scope) -> DemoSource:
        """The demo fleet listing ``scope`` instead."""
        return DemoSource(self._demo, scope)

    async def load(self, progress: Progress) -> FleetSnapshot:
        """Start the demo fleet if needed, then discover it."""
        progress(0, len(self.scope.pairs))
        await asyncio.to_thread(self._demo.ensure_started)
        return await self._inner.load(progress)

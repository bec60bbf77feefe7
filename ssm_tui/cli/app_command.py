"""``ssm-tui`` with no subcommand: the full-screen app on the user's fleet or the demo fleet."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ssm_tui.app_core.fleet_source import DiscoverySource, Progress, Scope
from ssm_tui.aws.nodes import FleetSnapshot
from ssm_tui.cli.errors import run_guarded
from ssm_tui.config import Config, load_config, log_path

if TYPE_CHECKING:
    from ssm_tui.emulator import EmulatorThread

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Run the app until the user quits; 0 on a normal quit, 1 with one stderr line on failure."""
    return run_guarded(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    config = load_config()
    configure_logging(log_path())
    # Imported here: `ssm-tui --help` and the other subcommands never pay for Textual.
    from ssm_tui.ui.app import SsmTuiApp

    if args.demo:
        with DemoFleet() as demo:
            scope = Scope(
                profiles=tuple(args.profile or demo.profiles),
                regions=tuple(args.region or demo.regions),
            )
            SsmTuiApp(DemoSource(demo, scope), config=config).run()
        return 0
    scope = default_scope(args.profile, args.region, config)
    SsmTuiApp(DiscoverySource(scope), config=config).run()
    return 0


def default_scope(
    profiles: Sequence[str] | None, regions: Sequence[str] | None, config: Config
) -> Scope:
    """The pairs to list: ``--profile``/``--region``, else config.toml, else the AWS defaults."""
    chosen: Sequence[str | None] = profiles or config.profiles or (None,)
    return Scope(profiles=tuple(chosen), regions=tuple(regions or config.regions))


def configure_logging(path: Path) -> None:
    """Send the app's log records to ``path`` (the terminal belongs to the app)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # an unwritable state dir must not stop the app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("botocore", "boto3", "urllib3", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class DemoFleet:
    """The embedded local fleet, started on first use in a background thread.

    Starting it (importing the emulator, binding a port, writing client files) takes
    longer than the app's first frame, so it happens when the first listing asks for it.
    """

    profiles = ("prod", "staging")
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: EmulatorThread | None = None
        self._folder: str | None = None

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

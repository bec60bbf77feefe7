"""``ssm-tui`` with no subcommand: the full-screen app on the user's fleet or the demo fleet."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from ssm_tui.app_core.demo import DemoFleet
from ssm_tui.app_core.fleet_source import DiscoverySource, Scope
from ssm_tui.app_core.workspace_file import Workspace, WorkspaceError, load, workspace_dir
from ssm_tui.cli.errors import print_error, run_guarded
from ssm_tui.config import Config, load_config, log_path

#: Exit status for a ``--workspace`` that cannot be opened (as argparse's usage errors).
EXIT_USAGE = 2


def run(args: argparse.Namespace) -> int:
    """Run the app until the user quits; 0 on a normal quit, 1 with one stderr line on failure.

    ``--workspace NAME`` that names no workspace, or a malformed one, is one stderr line and
    exit status 2, before the app starts.
    """
    workspace = None
    if getattr(args, "workspace", None) is not None:
        try:
            workspace = load(args.workspace, workspace_dir())
        except WorkspaceError as error:
            print_error(str(error))
            return EXIT_USAGE
    return run_guarded(lambda: _run(args, workspace))


def _run(args: argparse.Namespace, workspace: Workspace | None = None) -> int:
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
            SsmTuiApp(demo.source(scope), config=config, workspace=workspace).run()
        return 0
    scope = default_scope(args.profile, args.region, config)
    SsmTuiApp(DiscoverySource(scope), config=config, workspace=workspace).run()
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

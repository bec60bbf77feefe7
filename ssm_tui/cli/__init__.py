"""Command-line entry point: parses arguments and runs the chosen subcommand."""

from __future__ import annotations

from ssm_tui.cli.main import main

__all__ = ["main"]

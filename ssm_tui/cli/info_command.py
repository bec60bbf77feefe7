"""``ssm-tui info``: where the config and log files live, and which version this is."""

from __future__ import annotations

import argparse

from ssm_tui import __version__
from ssm_tui.config import config_path, log_path


def run(args: argparse.Namespace) -> int:
    """Print the version, the config file path (and whether it exists) and the log file path."""
    config = config_path()
    state = "" if config.exists() else "  (not created yet: every setting has a default)"
    print(f"ssm-tui {__version__}")
    print(f"config file: {config}{state}")
    print(f"log file:    {log_path()}")
    return 0

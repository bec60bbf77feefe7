"""Command-line entry point: parses arguments and runs the chosen subcommand."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run ssm-tui with ``argv`` (default: the process arguments) and return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    print(f"ssm-tui: not yet implemented: {' '.join(args)}", file=sys.stderr)
    return 2

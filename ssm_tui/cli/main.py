"""The ``ssm-tui`` argument parser and the dispatch to one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ssm_tui import __version__

# Each subcommand lives in its own module exposing ``run(args: argparse.Namespace) -> int``.
# Imported lazily so that `ssm-tui list` never pays for Textual and the app never pays
# for the emulator unless asked.
_COMMAND_MODULES = {
    None: "ssm_tui.cli.app_command",
    "list": "ssm_tui.cli.list_command",
    "shell": "ssm_tui.cli.shell_command",
    "exec": "ssm_tui.cli.exec_command",
    "forward": "ssm_tui.cli.forward_command",
    "proxy": "ssm_tui.cli.proxy_command",
    "emulator": "ssm_tui.cli.emulator_command",
    "info": "ssm_tui.cli.info_command",
}


def _add_aws_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--profile",
        action="append",
        default=default,
        metavar="P",
        help="AWS profile (repeatable for list and the app; default: AWS_PROFILE or default)",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=default,
        metavar="R",
        help="AWS region (repeatable for list and the app; default: from the profile)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for every ``ssm-tui`` subcommand (design.md's CLI contract)."""
    parser = argparse.ArgumentParser(
        prog="ssm-tui",
        description="A terminal workspace for AWS Systems Manager Session Manager.",
    )
    parser.add_argument("--version", action="version", version=f"ssm-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run the app against an embedded local fleet (no AWS account needed)",
    )
    parser.add_argument(
        "--workspace",
        metavar="NAME",
        help="open the tabs and forwards saved as workspace NAME (palette: Save workspace as…)",
    )
    _add_aws_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_aws_options(p, suppress=True)
        return p

    p = command("list", "list managed nodes")
    p.add_argument("--filter", default="", metavar="EXPR", help="text, tag:k=v, !negation")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("shell", "interactive shell on TARGET in this terminal")
    p.add_argument("target", metavar="TARGET", help="instance id or Name tag")
    p.add_argument(
        "--record", metavar="FILE", help="record as asciicast v2 to FILE, text log to FILE.txt"
    )

    p = command("exec", "run a command on TARGET (or on many nodes) and report its exit code")
    p.add_argument("--filter", default=None, metavar="EXPR", help="run on every matching node")
    p.add_argument("--json", action="store_true", help="one JSON object per node on stdout")
    p.add_argument(
        "--max-concurrency", type=_positive, default=16, metavar="N", help="sessions at once"
    )
    p.add_argument(
        "--max-sessions",
        type=_positive,
        default=200,
        metavar="N",
        help="above N online nodes use SSM Run Command instead of sessions",
    )
    p.add_argument(
        "--via",
        choices=("auto", "sessions", "run-command"),
        default="auto",
        help="force the fan-out engine (default: auto)",
    )
    p.add_argument(
        "words",
        nargs=argparse.REMAINDER,
        metavar="TARGET... -- CMD...",
        help="instance ids or Name tags, then the command after --",
    )

    p = command("forward", "forward a local port to TARGET until Ctrl-C")
    p.add_argument("target", metavar="TARGET", help="instance id or Name tag")
    p.add_argument("spec", metavar="[LOCAL:]REMOTE", help="ports; LOCAL 0 or omitted = pick one")
    p.add_argument("--host", default=None, help="remote host reached through TARGET")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="local address")

    p = command("proxy", "stdin/stdout bridge for SSH ProxyCommand")
    p.add_argument("target", metavar="TARGET", help="instance id or Name tag")
    p.add_argument("port", nargs="?", type=int, default=22, metavar="PORT")

    p = command("emulator", "serve the local fleet on loopback for any AWS client")
    p.add_argument("--port", type=int, default=0, help="TCP port (default: pick a free one)")
    p.add_argument("--fleet", default=None, metavar="FILE", help="fleet TOML file")
    p.add_argument("--faults", default=None, metavar="SPEC", help="e.g. drop=0.05,delay=20ms")

    command("info", "print the paths of the config and log files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ssm-tui with ``argv`` (default: the process arguments); return the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    module = importlib.import_module(_COMMAND_MODULES[args.command])
    status: int = module.run(args)
    return status

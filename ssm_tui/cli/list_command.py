"""``ssm-tui list``: the managed nodes of every (profile, region) pair, as a table or JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from ssm_tui.aws.filter import parse_filter
from ssm_tui.aws.fleet import discover
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.aws.profiles import pairs_for, profile_label
from ssm_tui.cli.errors import EXIT_FAILURE, print_error, print_warning, run_guarded

COLUMNS = ("Name", "InstanceId", "Profile", "Region", "Platform", "Ping", "Agent", "IP")


def run(args: argparse.Namespace) -> int:
    """List the nodes of every --profile and --region; exit 1 only if nothing was listed."""
    return run_guarded(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    node_filter = parse_filter(getattr(args, "filter", "") or "")
    pairs, problems = pairs_for(getattr(args, "profile", None), getattr(args, "region", None))
    for problem in problems:
        print_error(problem)
    if not pairs:
        return EXIT_FAILURE
    snapshot = asyncio.run(discover(pairs))
    for error in snapshot.errors:
        print_error(f"{error.pair}: {error.message}")
    for warning in snapshot.warnings:
        print_warning(f"{warning.pair}: {warning.message}")
    nodes = node_filter.apply(snapshot.nodes)
    if getattr(args, "json", False):
        json.dump([node_json(n) for n in nodes], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif nodes:
        sys.stdout.write(format_table(nodes))
    elif len(snapshot.errors) < len(pairs):
        where = ", ".join(str(p) for p in pairs)
        matching = " match the filter" if snapshot.nodes else ""
        print_error(f"no managed nodes{matching} in {where}")
    failed = len(snapshot.errors) + len(problems)
    if failed and failed == len(pairs) + len(problems):
        return EXIT_FAILURE
    return 0


def node_json(node: ManagedNode) -> dict[str, Any]:
    """The JSON object for one node (stable keys for scripts)."""
    return {
        "name": node.name,
        "instance_id": node.instance_id,
        "profile": profile_label(node.profile),
        "region": node.region,
        "platform_type": node.platform_type,
        "platform_name": node.platform_name,
        "ping_status": node.ping_status,
        "agent_version": node.agent_version,
        "ip_address": node.ip_address,
        "computer_name": node.computer_name,
        "state": node.state,
        "tags": dict(node.tags),
    }


def format_table(nodes: Sequence[ManagedNode]) -> str:
    """The nodes as a left-aligned table under a header row, one line per node."""
    rows = [COLUMNS] + [
        tuple(
            _cell(text)
            for text in (
                node.name,
                node.instance_id,
                profile_label(node.profile),
                node.region,
                node.platform_type,
                node.ping_status,
                node.agent_version,
                node.ip_address,
            )
        )
        for node in nodes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # Tag values can hold anything; a newline or escape must not break the table.
    cleaned = "".join(c if c.isprintable() else " " for c in text).strip()
    return cleaned or "-"

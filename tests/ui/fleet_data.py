"""A small, fixed fleet for UI tests: two profiles, three regions, one failing pair."""

from __future__ import annotations

from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair, PairError

_ROWS = [
    # name, id suffix, profile, region, platform, ping, ip, tags
    (
        "web-1",
        "a1",
        "prod",
        "us-east-1",
        "Amazon Linux",
        "Online",
        "10.1.0.4",
        {"Role": "web", "Team": "frontend"},
    ),
    (
        "web-2",
        "a2",
        "prod",
        "us-east-1",
        "Amazon Linux",
        "Online",
        "10.1.0.5",
        {"Role": "web", "Team": "frontend"},
    ),
    (
        "api-1",
        "b1",
        "prod",
        "us-east-1",
        "Ubuntu",
        "Online",
        "10.1.0.7",
        {"Role": "api", "Team": "platform"},
    ),
    (
        "db-primary",
        "c1",
        "prod",
        "us-east-1",
        "Amazon Linux",
        "Online",
        "10.1.0.9",
        {"Role": "db", "Team": "data"},
    ),
    (
        "worker-3",
        "d3",
        "prod",
        "us-east-1",
        "Ubuntu",
        "ConnectionLost",
        "10.1.0.14",
        {"Role": "worker", "Team": "platform"},
    ),
    (
        "api-ap-1",
        "b9",
        "prod",
        "ap-southeast-2",
        "Ubuntu",
        "Inactive",
        "10.81.0.23",
        {"Role": "api", "Team": "platform"},
    ),
    (
        "web-stg-1",
        "e1",
        "staging",
        "us-east-1",
        "Amazon Linux",
        "Online",
        "10.1.0.24",
        {"Role": "web", "Team": "frontend"},
    ),
    (
        "db-stg-1",
        "e2",
        "staging",
        "us-east-1",
        "Amazon Linux",
        "Online",
        "10.1.0.26",
        {"Role": "db", "Team": "data"},
    ),
]

NODES = tuple(
    ManagedNode(
        instance_id=f"i-0{suffix}00000000000000",
        profile=profile,
        region=region,
        name=name,
        platform_type="Linux",
        platform_name=platform,
        ping_status=ping,
        agent_version="3.3.1142.0",
        ip_address=ip,
        state="running",
        tags={"Name": name, **tags},
    )
    for name, suffix, profile, region, platform, ping, ip, tags in _ROWS
)

SSO_EXPIRED = PairError(
    pair=Pair(profile="prod", region="eu-west-1"),
    message="SSO session expired: run `aws sso login --profile prod`",
)

SNAPSHOT = FleetSnapshot(nodes=NODES, errors=(SSO_EXPIRED,))


def node(name: str) -> ManagedNode:
    """The test node called ``name``."""
    return next(n for n in NODES if n.name == name)

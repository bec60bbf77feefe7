"""Reads SSM DescribeInstanceInformation responses for discovery ahead of botocore.

botocore's JSON parser walks every modelled member of every node through its shape
model (~70 µs a node, plus a datetime per ping time): for a 10 000-node fleet that is a
good part of the client's CPU. While :func:`slimmed` is active on the calling thread, a
``before-parse`` hook decodes the body with :func:`json.loads`, keeps the string members
discovery reads (:data:`FIELDS`, dropping nulls and anything else as botocore does) and
hands botocore a body holding only ``NextToken``. Anything unexpected leaves the response
to botocore untouched.
"""

from __future__ import annotations

import json
from typing import Any

from ssm_tui.aws.parse_hook import ParseHook

#: The InstanceInformation members discovery reads (all strings in the service model).
FIELDS = (
    "InstanceId",
    "Name",
    "PingStatus",
    "AgentVersion",
    "PlatformType",
    "PlatformName",
    "IPAddress",
    "ComputerName",
)


def read(body: bytes) -> tuple[list[dict[str, str]] | None, bytes]:
    """The nodes (:data:`FIELDS` only; None when absent) and the body left for botocore."""
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    listed = document.get("InstanceInformationList")
    if listed is not None and not isinstance(listed, list):
        raise ValueError("InstanceInformationList is not a list")
    nodes = None if listed is None else [_node(item) for item in listed]
    token = document.get("NextToken")
    if token is not None and not isinstance(token, str):
        raise ValueError("NextToken is not a string")
    rest = json.dumps({"NextToken": token}).encode() if token is not None else b"{}"
    return nodes, rest


_HOOK = ParseHook(
    "before-parse.ssm.DescribeInstanceInformation",
    unique_id="ssm-tui-ssm-slim",
    key="InstanceInformationList",
    read=read,  # json.JSONDecodeError is a ValueError
)
#: Within this block (on this thread), node results carry only :data:`FIELDS`.
slimmed = _HOOK.slimmed
#: Register the hook on an SSM client (idempotent; inert outside :func:`slimmed`).
install = _HOOK.install


def _node(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise ValueError("a node is not a JSON object")
    node = {}
    for name in FIELDS:
        value = item.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise ValueError(f"{name} is not a string")
            node[name] = value
    return node

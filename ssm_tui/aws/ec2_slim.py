"""Reads EC2 DescribeInstances responses for discovery (id, state, tags) ahead of botocore.

botocore's generic XML parser walks every modelled field of every instance (~1 ms each):
for a 10 000-node fleet that was most of the listing time. While :func:`slimmed` is active
on the calling thread, a ``before-parse`` hook reads the three fields discovery needs with
the C XML parser and hands botocore a body holding only ``nextToken``; the result has the
usual shape (``Reservations[].Instances[]`` with ``InstanceId``, ``State``, ``Tags``).
Anything unexpected leaves the response to botocore untouched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ssm_tui.aws.parse_hook import ParseHook


def read(body: bytes) -> tuple[list[dict[str, Any]], bytes]:
    """Reservations (id, state and tags only) and the body left for botocore (the token)."""
    root = ET.fromstring(body)
    namespace, _, name = root.tag.rpartition("}")
    if name != "DescribeInstancesResponse":
        raise ValueError("not a DescribeInstancesResponse")
    ns = f"{namespace}}}" if namespace else ""
    # ElementTree's C path search does the walking; only the kept fields reach Python.
    instances = [
        _instance(item, ns)
        for item in root.iterfind(f"{ns}reservationSet/{ns}item/{ns}instancesSet/{ns}item")
    ]
    next_token = root.findtext(f"{ns}nextToken") or None
    rest = ET.Element(root.tag)
    ET.SubElement(rest, "requestId").text = root.findtext(f"{ns}requestId") or ""
    if next_token:
        ET.SubElement(rest, "nextToken").text = next_token
    reservations = [{"Instances": instances}] if instances else []
    return reservations, ET.tostring(rest)


_HOOK = ParseHook(
    "before-parse.ec2.DescribeInstances",
    unique_id="ssm-tui-ec2-slim",
    key="Reservations",
    read=read,
    errors=(ET.ParseError, ValueError),
)
#: Within this block (on this thread), DescribeInstances results carry only id/state/tags.
slimmed = _HOOK.slimmed
#: Register the hook on an EC2 client (idempotent; inert outside :func:`slimmed`).
install = _HOOK.install


def _instance(item: ET.Element, ns: str) -> dict[str, Any]:
    instance: dict[str, Any] = {}
    instance_id = item.find(f"{ns}instanceId")
    if instance_id is not None:
        instance["InstanceId"] = instance_id.text or ""
    state = item.find(f"{ns}instanceState")
    if state is not None:
        instance["State"] = {_local(f.tag).capitalize(): f.text or "" for f in state}
        if "Code" in instance["State"]:
            instance["State"]["Code"] = int(instance["State"]["Code"])
    tags = item.find(f"{ns}tagSet")
    if tags is not None:
        instance["Tags"] = [
            {"Key": tag.findtext(f"{ns}key") or "", "Value": tag.findtext(f"{ns}value") or ""}
            for tag in tags
        ]
    return instance


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]

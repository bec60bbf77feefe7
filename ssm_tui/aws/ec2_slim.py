"""Reads EC2 DescribeInstances responses for discovery (id, state, tags) ahead of botocore.

botocore's generic XML parser walks every modelled field of every instance (~1 ms each):
for a 10 000-node fleet that was most of the listing time. While :func:`slimmed` is active
on the calling thread, a ``before-parse`` hook reads the three fields discovery needs with
the C XML parser and hands botocore a body holding only ``nextToken``; the result has the
usual shape (``Reservations[].Instances[]`` with ``InstanceId``, ``State``, ``Tags``).
Anything unexpected leaves the response to botocore untouched.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_EVENT = "before-parse.ec2.DescribeInstances"
_state = threading.local()


@contextmanager
def slimmed() -> Iterator[None]:
    """Within this block (on this thread), DescribeInstances results carry only id/state/tags."""
    previous = getattr(_state, "active", False)
    _state.active = True
    try:
        yield
    finally:
        _state.active = previous


def install(client: Any) -> None:
    """Register the hook on an EC2 client (idempotent; inert outside :func:`slimmed`)."""
    client.meta.events.register(_EVENT, _read_response, unique_id="ssm-tui-ec2-slim")


def _read_response(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    if not getattr(_state, "active", False) or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes):
        return
    try:
        reservations, rest = read(body)
    except (ET.ParseError, ValueError):
        return  # botocore will report whatever this is
    customized_response_dict["Reservations"] = reservations
    response_dict["body"] = rest


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

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
    if _local(root.tag) != "DescribeInstancesResponse":
        raise ValueError("not a DescribeInstances response")
    instances: list[dict[str, Any]] = []
    next_token = None
    request_id = ""
    for child in root:
        name = _local(child.tag)
        if name == "reservationSet":
            instances.extend(
                _instance(item)
                for reservation in child
                for group in reservation
                if _local(group.tag) == "instancesSet"
                for item in group
            )
        elif name == "nextToken":
            next_token = child.text or None
        elif name == "requestId":
            request_id = child.text or ""
    rest = ET.Element(root.tag)
    ET.SubElement(rest, "requestId").text = request_id
    if next_token:
        ET.SubElement(rest, "nextToken").text = next_token
    reservations = [{"Instances": instances}] if instances else []
    return reservations, ET.tostring(rest)


def _instance(item: ET.Element) -> dict[str, Any]:
    instance: dict[str, Any] = {}
    for field in item:
        name = _local(field.tag)
        if name == "instanceId":
            instance["InstanceId"] = field.text or ""
        elif name == "instanceState":
            instance["State"] = {_local(f.tag).capitalize(): f.text or "" for f in field}
            if "Code" in instance["State"]:
                instance["State"]["Code"] = int(instance["State"]["Code"])
        elif name == "tagSet":
            instance["Tags"] = [_tag(tag) for tag in field]
    return instance


def _tag(item: ET.Element) -> dict[str, str]:
    tag = {"Key": "", "Value": ""}
    for field in item:
        name = _local(field.tag)
        if name == "key":
            tag["Key"] = field.text or ""
        elif name == "value":
            tag["Value"] = field.text or ""
    return tag


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]

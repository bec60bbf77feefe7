"""EC2 (EC2 query protocol): DescribeInstances with ids, filters, tags and pagination."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError
from ssm_tui.emulator.fleet import INSTANCE_STATES, Instance
from ssm_tui.emulator.paging import paginate
from ssm_tui.emulator.xml_shapes import child, children, ec2_response, serialize

_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
_FIELDS: dict[str, Callable[[Instance], str]] = {
    "instance-id": lambda i: i.instance_id,
    "instance-state-name": lambda i: i.state,
    "instance-state-code": lambda i: str(INSTANCE_STATES.get(i.state, 16)),
    "instance-type": lambda i: i.instance_type,
    "availability-zone": lambda i: i.availability_zone,
    "private-ip-address": lambda i: i.private_ip,
    "platform": lambda i: "windows" if i.platform_type == "Windows" else "",
}


def handle(action: str, params: Mapping[str, str], call: ApiCall, request_id: str) -> bytes:
    """Run one EC2 action and return the XML body."""
    if action != "DescribeInstances":
        raise AwsError("InvalidAction", f"The action {action} is not valid for this web service.")
    if params.get("DryRun") == "true":
        raise AwsError(
            "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", status=412
        )
    ids = _indexed(params, "InstanceId")
    filters = _filters(params)
    size = _max_results(params, ids)
    found = [i for i in call.instances() if _selected(i, ids, filters)]
    missing = sorted(set(ids) - {i.instance_id for i in found})
    if missing and not filters:
        raise _not_found(missing)
    page, token = paginate(
        found,
        token=params.get("NextToken"),
        size=size,
        query=(ids, sorted(filters.items())),
        invalid=lambda: AwsError(
            "InvalidPaginationToken", "The specified pagination token is not valid or is expired."
        ),
    )
    root = ec2_response(action, request_id)
    reservations = child(root, "reservationSet")
    for instance in page:
        _reservation(child(reservations, "item"), instance)
    if token:
        child(root, "nextToken", token)
    return serialize(root)


def _indexed(params: Mapping[str, str], prefix: str) -> list[str]:
    pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+)$")
    numbered = [(int(m[1]), v) for k, v in params.items() if (m := pattern.match(k))]
    return [v for _, v in sorted(numbered)]


def _filters(params: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, tuple[str, ...]] = {}
    for index in sorted({int(m[1]) for k in params if (m := re.match(r"^Filter\.(\d+)\.", k))}):
        name = params.get(f"Filter.{index}.Name", "")
        if (
            name not in _FIELDS
            and not name.startswith("tag:")
            and name not in ("tag-key", "tag-value")
        ):
            raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid")
        filters[name] = tuple(_indexed(params, f"Filter.{index}.Value"))
    return filters


def _max_results(params: Mapping[str, str], ids: list[str]) -> int | None:
    for value in ids:
        if not _INSTANCE_ID.match(value):
            raise AwsError("InvalidInstanceID.Malformed", f'Invalid id: "{value}"')
    raw = params.get("MaxResults")
    if raw is None:
        return None
    if ids:
        raise AwsError(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        )
    if not raw.isdigit() or not 5 <= int(raw) <= 1000:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ( {raw} ) for parameter maxResults is invalid. "
            "Expecting a value between 5 and 1000.",
        )
    return int(raw)


def _selected(instance: Instance, ids: list[str], filters: Mapping[str, tuple[str, ...]]) -> bool:
    if ids and instance.instance_id not in ids:
        return False
    for name, patterns in filters.items():
        if name == "tag-key":
            values = list(instance.tags)
        elif name == "tag-value":
            values = list(instance.tags.values())
        elif name.startswith("tag:"):
            values = [instance.tags[name[4:]]] if name[4:] in instance.tags else []
        else:
            values = [_FIELDS[name](instance)]
        if not any(fnmatchcase(v, p) for v in values for p in patterns):
            return False
    return True


def _not_found(missing: list[str]) -> AwsError:
    if len(missing) == 1:
        return AwsError(
            "InvalidInstanceID.NotFound", f"The instance ID '{missing[0]}' does not exist"
        )
    joined = ", ".join(missing)
    return AwsError("InvalidInstanceID.NotFound", f"The instance IDs '{joined}' do not exist")


def _reservation(item: ET.Element, instance: Instance) -> None:
    digest = hashlib.sha256(instance.instance_id.encode()).hexdigest()
    children(item, {"reservationId": f"r-0{digest[:16]}", "ownerId": instance.account_id})
    child(item, "groupSet")
    node = child(child(item, "instancesSet"), "item")
    windows = instance.platform_type == "Windows"
    children(
        node,
        {
            "instanceId": instance.instance_id,
            "imageId": f"ami-0{digest[16:32]}",
        },
    )
    state = child(node, "instanceState")
    children(state, {"code": INSTANCE_STATES.get(instance.state, 16), "name": instance.state})
    dns = f"ip-{instance.private_ip.replace('.', '-')}.{instance.region}.compute.internal"
    children(
        node,
        {
            "privateDnsName": dns,
            "dnsName": "",
            "instanceType": instance.instance_type,
            "launchTime": datetime.fromtimestamp(instance.launch_time, UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"
            ),
        },
    )
    placement = child(node, "placement")
    children(placement, {"availabilityZone": instance.availability_zone, "tenancy": "default"})
    children(
        node,
        {
            "platform": "windows" if windows else None,
            "platformDetails": "Windows" if windows else "Linux/UNIX",
            "privateIpAddress": instance.private_ip,
            "architecture": "x86_64",
            "rootDeviceType": "ebs",
        },
    )
    tags = child(node, "tagSet")
    for key, value in instance.tags.items():
        children(child(tags, "item"), {"key": key, "value": value})

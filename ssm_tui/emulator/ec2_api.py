"""EC2 (EC2 query protocol): DescribeInstances with ids, filters, tags and pagination."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError
from ssm_tui.emulator.fleet import INSTANCE_STATES, Instance
from ssm_tui.emulator.paging import paginate
from ssm_tui.emulator.xml_shapes import ec2_document, element

_INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
_WILDCARD = re.compile(r"[*?[]")  # what makes an fnmatch pattern more than a literal
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
    selected = _selector(ids, filters)
    found = [i for i in call.instances() if selected(i)]
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
    items = "".join(map(_reservation, page))
    body = f"<reservationSet>{items}</reservationSet>" if items else "<reservationSet />"
    if token:
        body += element("nextToken", token)
    return ec2_document(action, request_id, body)


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


def _selector(ids: list[str], filters: Mapping[str, tuple[str, ...]]) -> Callable[[Instance], bool]:
    """A predicate for one request: ids and filters read once, not once per instance.

    A filter value without wildcards matches only itself (as ``fnmatchcase`` would), so
    those go in a set; a 200-id filter then costs one lookup per instance, not 200 matches.
    """
    wanted = frozenset(ids)
    checks = []
    for name, patterns in filters.items():
        wildcards = tuple(p for p in patterns if _WILDCARD.search(p))
        checks.append((name, frozenset(patterns).difference(wildcards), wildcards))

    def selected(instance: Instance) -> bool:
        if wanted and instance.instance_id not in wanted:
            return False
        for name, literals, wildcards in checks:
            if name == "tag-key":
                values = list(instance.tags)
            elif name == "tag-value":
                values = list(instance.tags.values())
            elif name.startswith("tag:"):
                values = [instance.tags[name[4:]]] if name[4:] in instance.tags else []
            else:
                values = [_FIELDS[name](instance)]
            if not any(v in literals or any(fnmatchcase(v, p) for p in wildcards) for v in values):
                return False
        return True

    return selected


def _not_found(missing: list[str]) -> AwsError:
    if len(missing) == 1:
        return AwsError(
            "InvalidInstanceID.NotFound", f"The instance ID '{missing[0]}' does not exist"
        )
    joined = ", ".join(missing)
    return AwsError("InvalidInstanceID.NotFound", f"The instance IDs '{joined}' do not exist")


def _reservation(instance: Instance) -> str:
    """One ``reservationSet/item`` holding the instance, as XML text."""
    digest = hashlib.sha256(instance.instance_id.encode()).hexdigest()
    windows = instance.platform_type == "Windows"
    dns = f"ip-{instance.private_ip.replace('.', '-')}.{instance.region}.compute.internal"
    launch = datetime.fromtimestamp(instance.launch_time, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tags = "".join(
        f"<item>{element('key', key)}{element('value', value)}</item>"
        for key, value in instance.tags.items()
    )
    return (
        f"<item><reservationId>r-0{digest[:16]}</reservationId>"
        f"{element('ownerId', instance.account_id)}<groupSet /><instancesSet><item>"
        f"{element('instanceId', instance.instance_id)}<imageId>ami-0{digest[16:32]}</imageId>"
        f"<instanceState><code>{INSTANCE_STATES.get(instance.state, 16)}</code>"
        f"{element('name', instance.state)}</instanceState>"
        f"{element('privateDnsName', dns)}<dnsName />"
        f"{element('instanceType', instance.instance_type)}<launchTime>{launch}</launchTime>"
        f"<placement>{element('availabilityZone', instance.availability_zone)}"
        "<tenancy>default</tenancy></placement>"
        f"{'<platform>windows</platform>' if windows else ''}"
        f"<platformDetails>{'Windows' if windows else 'Linux/UNIX'}</platformDetails>"
        f"{element('privateIpAddress', instance.private_ip)}"
        "<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>"
        f"{f'<tagSet>{tags}</tagSet>' if tags else '<tagSet />'}</item></instancesSet></item>"
    )

"""The filters of DescribeInstanceInformation and DescribeSessions, validated like SSM."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ssm_tui.emulator.errors import AwsError, validation_error
from ssm_tui.emulator.fleet import PING_STATUSES, PLATFORM_TYPES, Instance
from ssm_tui.emulator.sessions import EmulatedSession

_INSTANCE_ID = re.compile(r"^(i-[0-9a-f]{8,17}|mi-[0-9a-f]{17})$")
_NODE_FILTERS = frozenset(
    {
        "InstanceIds",
        "AgentVersion",
        "PingStatus",
        "PlatformTypes",
        "ActivationIds",
        "IamRole",
        "ResourceType",
        "AssociationStatus",
    }
)
_SESSION_FILTERS = frozenset(
    {"InvokedAfter", "InvokedBefore", "Target", "Owner", "Status", "SessionId", "AccessType"}
)


def node_filters(body: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Filters (or the legacy InstanceInformationFilterList) as key -> values; checked."""
    modern, legacy = body.get("Filters"), body.get("InstanceInformationFilterList")
    if modern and legacy:
        raise AwsError(
            "InvalidInstanceInformationFilterValue",
            "Filters and InstanceInformationFilterList cannot be used together.",
        )
    pairs = [(f.get("Key"), f.get("Values")) for f in modern or []]
    pairs += [(f.get("key"), f.get("valueSet")) for f in legacy or []]
    filters: dict[str, tuple[str, ...]] = {}
    for key, values in pairs:
        tag = isinstance(key, str) and (key.startswith("tag:") or key == "tag-key") and modern
        if not tag and key not in _NODE_FILTERS:
            raise AwsError("InvalidFilterKey", f"The filter key {key} is not valid.")
        if not values or not all(isinstance(v, str) for v in values):
            raise AwsError(
                "InvalidInstanceInformationFilterValue", f"The filter {key} needs values."
            )
        _check_node_values(str(key), values)
        filters[str(key)] = tuple(values)
    return filters


def _check_node_values(key: str, values: list[str]) -> None:
    allowed = {
        "PingStatus": PING_STATUSES,
        "PlatformTypes": PLATFORM_TYPES,
        "ResourceType": ("EC2Instance", "ManagedInstance"),
    }.get(key)
    bad = [v for v in values if allowed is not None and v not in allowed]
    if bad:
        raise AwsError(
            "InvalidInstanceInformationFilterValue", f"{bad[0]} is not a valid value for {key}."
        )
    if key == "InstanceIds":
        malformed = [v for v in values if not _INSTANCE_ID.match(v)]
        if malformed:
            raise AwsError("InvalidInstanceId", f"Instance id {malformed[0]} is not valid.")


def node_matches(instance: Instance, filters: Mapping[str, tuple[str, ...]]) -> bool:
    """True when the instance passes every filter (values within a key are ORed)."""
    fields = {
        "InstanceIds": instance.instance_id,
        "AgentVersion": instance.agent_version,
        "PingStatus": ping_status(instance),
        "PlatformTypes": instance.platform_type,
        "ResourceType": "EC2Instance",
        "AssociationStatus": "Success",
    }
    for key, values in filters.items():
        if key == "tag-key":
            ok = any(v in instance.tags for v in values)
        elif key.startswith("tag:"):
            ok = instance.tags.get(key[4:]) in values
        else:
            ok = fields.get(key) in values
        if not ok:
            return False
    return True


def ping_status(instance: Instance) -> str:
    """The PingStatus SSM reports for the instance."""
    # A stopped instance's agent cannot report in.
    if instance.state == "running" or instance.ping_status == "Inactive":
        return instance.ping_status
    return "ConnectionLost"


def session_filter(item: Any) -> Callable[[EmulatedSession], bool]:
    """A predicate for one DescribeSessions filter ``{"key": ..., "value": ...}``."""
    key, value = (item or {}).get("key"), str((item or {}).get("value", ""))
    if key not in _SESSION_FILTERS:
        raise AwsError("InvalidFilterKey", f"The filter key {key} is not valid.")
    if key in ("InvokedAfter", "InvokedBefore"):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise validation_error(f"{key} needs a date such as 2024-01-31T00:00:00Z") from None
        if key == "InvokedAfter":
            return lambda s: s.start_date >= moment
        return lambda s: s.start_date <= moment
    attribute: Callable[[EmulatedSession], str] = {
        "Target": lambda s: s.target,
        "Owner": lambda s: s.owner,
        "Status": lambda s: s.status.value,
        "SessionId": lambda s: s.session_id,
        "AccessType": lambda s: "Standard",
    }[key]
    return lambda s: attribute(s) == value

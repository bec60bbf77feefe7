"""Read a fleet from a TOML file (accounts, KMS keys, instances, faults, idle timeout)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ssm_tui.emulator.faults import Faults, FaultSpecError
from ssm_tui.emulator.fleet import (
    DEFAULT_AGENT_PAYLOAD_SIZE,
    DEFAULT_AGENT_VERSION,
    DEFAULT_IDLE_TIMEOUT,
    INSTANCE_STATES,
    PING_STATUSES,
    PLATFORM_TYPES,
    WEB_PAGE,
    Account,
    Fleet,
    Instance,
    KmsKeySpec,
)

EXAMPLE = """\
idle_timeout = 1200          # seconds (optional, default 20 minutes)
agent_payload_size = 1024    # bytes per agent message (optional; real agents send 1024)
faults = ""                  # fleet-wide default, e.g. "drop=0.05,delay=20ms"
# kms_key_id = "alias/ssm-sessions"   # encrypt every session with this key (optional)

[[accounts]]
name = "prod"                # the profile name
account_id = "111122223333"
access_key_id = "AKIAEXAMPLEPROD00001"
secret_access_key = "prod-secret"
user = "alice"
regions = ["us-east-1", "eu-west-1"]

[[kms_keys]]
account = "prod"
region = "us-east-1"
key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
aliases = ["alias/ssm-sessions"]

[[instances]]
id = "i-0123456789abcdef0"
account = "prod"
region = "us-east-1"
tags = { Name = "web-1", Role = "web" }
ports = { 80 = "web", 22 = "127.0.0.1:2222" }
# kms_key = "alias/ssm-sessions"      # this instance's sessions use this key (optional)
"""


class FleetFileError(ValueError):
    """The fleet file is missing, not TOML, or describes an impossible fleet."""


def load_fleet(path: str | Path) -> Fleet:
    """Parse the TOML fleet file at ``path``; errors name the file and the bad entry."""
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise FleetFileError(f"{path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise FleetFileError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_fleet(data)
    except FleetFileError as error:
        raise FleetFileError(f"{path}: {error}") from None


def parse_fleet(data: Mapping[str, Any]) -> Fleet:
    """Build a fleet from already-parsed TOML data."""
    accounts = [_account(i, a) for i, a in enumerate(_tables(data, "accounts"))]
    if not accounts:
        raise FleetFileError("at least one [[accounts]] table is needed")
    by_name = {a.name: a for a in accounts}
    if len(by_name) != len(accounts) or len({a.access_key_id for a in accounts}) != len(accounts):
        raise FleetFileError("account names and access key ids must be unique")
    instances = [_instance(i, t, by_name) for i, t in enumerate(_tables(data, "instances"))]
    if len({i.instance_id for i in instances}) != len(instances):
        raise FleetFileError("instance ids must be unique")
    keys = [_key(i, t, by_name) for i, t in enumerate(_tables(data, "kms_keys"))]
    try:
        faults = Faults.parse(_get(data, "faults", str, ""))
    except FaultSpecError as error:
        raise FleetFileError(f"faults: {error}") from None
    idle = _get(data, "idle_timeout", (int, float), DEFAULT_IDLE_TIMEOUT)
    payload_size = _get(data, "agent_payload_size", int, DEFAULT_AGENT_PAYLOAD_SIZE)
    if not 1 <= payload_size <= 1 << 20:
        raise FleetFileError("agent_payload_size must be between 1 and 1048576 bytes")
    return Fleet(
        accounts=accounts,
        instances=instances,
        kms_keys=keys,
        faults=faults,
        idle_timeout=idle,
        agent_payload_size=payload_size,
        kms_key_id=_get(data, "kms_key_id", str, None),
    )


def _tables(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise FleetFileError(f"{key} must be an array of tables ([[{key}]])")
    return tables


def _get(table: Mapping[str, Any], key: str, kind: Any, default: Any = ..., where: str = "") -> Any:
    if key not in table:
        if default is ...:
            raise FleetFileError(f"{where}{key} is required")
        return default
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise FleetFileError(f"{where}{key} has the wrong type ({type(value).__name__})")
    return value


def _account(index: int, table: Mapping[str, Any]) -> Account:
    where = f"accounts[{index}]."
    regions = _get(table, "regions", list, ["us-east-1"], where)
    return Account(
        name=_get(table, "name", str, where=where),
        account_id=_get(table, "account_id", str, where=where),
        access_key_id=_get(table, "access_key_id", str, where=where),
        secret_access_key=_get(table, "secret_access_key", str, where=where),
        user=_get(table, "user", str, "emulator", where),
        regions=tuple(str(r) for r in regions),
        denied_actions=frozenset(_get(table, "denied_actions", list, [], where)),
    )


def _owner(table: Mapping[str, Any], where: str, accounts: Mapping[str, Account]) -> Account:
    name = _get(table, "account", str, next(iter(accounts)), where)
    if name not in accounts:
        raise FleetFileError(f"{where}account {name!r} is not one of the [[accounts]]")
    return accounts[name]


def _instance(index: int, table: Mapping[str, Any], accounts: Mapping[str, Account]) -> Instance:
    where = f"instances[{index}]."
    owner = _owner(table, where, accounts)
    tags = {str(k): str(v) for k, v in _get(table, "tags", dict, {}, where).items()}
    if "name" in table:
        tags.setdefault("Name", _get(table, "name", str, where=where))
    choices = {"platform": PLATFORM_TYPES, "ping_status": PING_STATUSES, "state": INSTANCE_STATES}
    for key, allowed in choices.items():
        if key in table and table[key] not in allowed:
            raise FleetFileError(f"{where}{key} must be one of {', '.join(allowed)}")
    faults = None
    if "faults" in table:
        try:
            faults = Faults.parse(_get(table, "faults", str, where=where))
        except FaultSpecError as error:
            raise FleetFileError(f"{where}faults: {error}") from None
    return Instance(
        instance_id=_get(table, "id", str, where=where),
        account_id=owner.account_id,
        region=_get(table, "region", str, owner.regions[0], where),
        tags=tags,
        platform_type=_get(table, "platform", str, "Linux", where),
        platform_name=_get(table, "platform_name", str, "Amazon Linux", where),
        platform_version=_get(table, "platform_version", str, "2023", where),
        agent_version=_get(table, "agent_version", str, DEFAULT_AGENT_VERSION, where),
        ping_status=_get(table, "ping_status", str, "Online", where),
        state=_get(table, "state", str, "running", where),
        private_ip=_get(table, "ip", str, "10.0.0.10", where),
        instance_type=_get(table, "instance_type", str, "t3.micro", where),
        availability_zone=_get(table, "availability_zone", str, "", where),
        managed=_get(table, "managed", bool, True, where),
        ports=_ports(_get(table, "ports", dict, {}, where), where),
        kms_key_id=_get(table, "kms_key", str, None, where),
        faults=faults,
    )


def _ports(table: Mapping[str, Any], where: str) -> dict[int, str]:
    ports: dict[int, str] = {}
    for key, value in table.items():
        target = str(value)
        host, sep, port = target.rpartition(":")
        if not str(key).isdigit() or not (target == WEB_PAGE or (sep and host and port.isdigit())):
            raise FleetFileError(
                f'{where}ports: expected {{ 80 = "web" }} or {{ 22 = "127.0.0.1:2222" }}, '
                f"got {key} = {value!r}"
            )
        ports[int(key)] = target
    return ports


def _key(index: int, table: Mapping[str, Any], accounts: Mapping[str, Account]) -> KmsKeySpec:
    where = f"kms_keys[{index}]."
    owner = _owner(table, where, accounts)
    return KmsKeySpec(
        account_id=owner.account_id,
        region=_get(table, "region", str, owner.regions[0], where),
        key_id=_get(table, "key_id", str, where=where),
        aliases=tuple(str(a) for a in _get(table, "aliases", list, [], where)),
    )

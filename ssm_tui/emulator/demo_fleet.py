"""The built-in demo fleet (two accounts, several regions) and a generator for big fleets."""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass

from ssm_tui.emulator.fleet import WEB_PAGE, Account, Fleet, Instance, KmsKeySpec

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
    "ap-northeast-2", "ap-south-1", "sa-east-1", "ca-central-1",
)  # fmt: skip
SESSION_KEY_ALIAS = "alias/ssm-sessions"

PROD = Account(
    name="prod",
    account_id="111122223333",
    access_key_id="AKIAEMULATORPROD0001",
    secret_access_key="prod/Emulator+Secret/0000000000000000000",
    user="alice",
    regions=("us-east-1", "eu-west-1", "ap-southeast-2"),
)
STAGING = Account(
    name="staging",
    account_id="444455556666",
    access_key_id="AKIAEMULATORSTAGING1",
    secret_access_key="staging/Emulator+Secret/00000000000000000",
    user="bob",
    regions=("us-east-1", "us-west-2", "eu-central-1"),
)


@dataclass(frozen=True, slots=True)
class _Role:
    instance_type: str
    team: str
    platform_name: str = "Amazon Linux"
    platform_version: str = "2023"


_ROLES = {
    "web": _Role("t3.small", "frontend"),
    "api": _Role("t3.medium", "platform", "Ubuntu", "22.04"),
    "db": _Role("r6g.large", "data"),
    "bastion": _Role("t3.nano", "infra"),
    "worker": _Role("c6i.large", "platform", "Ubuntu", "24.04"),
    "canary": _Role("t3.micro", "infra"),
}

# (account, region, Name, role, overrides) — the demo's shape at a glance.
_DEMO: list[tuple[Account, str, str, str, dict[str, object]]] = [
    (PROD, "us-east-1", "web-1", "web", {}),
    (PROD, "us-east-1", "web-2", "web", {}),
    (PROD, "us-east-1", "web-3", "web", {}),
    (PROD, "us-east-1", "api-1", "api", {}),
    (PROD, "us-east-1", "api-2", "api", {"agent_version": "3.2.2303.0"}),
    (PROD, "us-east-1", "db-primary", "db", {"kms_key_id": SESSION_KEY_ALIAS}),
    (PROD, "us-east-1", "db-replica", "db", {}),
    (PROD, "us-east-1", "bastion", "bastion", {}),
    (PROD, "us-east-1", "worker-1", "worker", {}),
    (PROD, "us-east-1", "worker-2", "worker", {}),
    (PROD, "us-east-1", "worker-3", "worker", {"ping_status": "ConnectionLost"}),
    (PROD, "us-east-1", "reporting-win", "worker", {
        "platform_type": "Windows",
        "platform_name": "Microsoft Windows Server 2022 Datacenter",
        "platform_version": "10.0.20348",
        "instance_type": "m5.large",
    }),
    (PROD, "us-east-1", "legacy-ftp", "worker", {"managed": False}),
    (PROD, "eu-west-1", "web-eu-1", "web", {}),
    (PROD, "eu-west-1", "api-eu-1", "api", {}),
    (PROD, "eu-west-1", "db-eu-1", "db", {}),
    (PROD, "eu-west-1", "bastion-eu", "bastion", {"agent_version": "3.0.161.0"}),
    (PROD, "eu-west-1", "worker-eu-1", "worker", {"state": "stopped"}),
    (PROD, "ap-southeast-2", "web-ap-1", "web", {}),
    (PROD, "ap-southeast-2", "api-ap-1", "api", {"ping_status": "Inactive", "state": "stopped"}),
    (STAGING, "us-east-1", "web-stg-1", "web", {}),
    (STAGING, "us-east-1", "api-stg-1", "api", {}),
    (STAGING, "us-east-1", "db-stg-1", "db", {}),
    (STAGING, "us-east-1", "bastion-stg", "bastion", {}),
    (STAGING, "us-east-1", "worker-stg-1", "worker", {"ping_status": "ConnectionLost"}),
    (STAGING, "us-west-2", "web-stg-w-1", "web", {}),
    (STAGING, "us-west-2", "worker-stg-w-1", "worker", {}),
    (STAGING, "eu-central-1", "canary-1", "canary", {}),
]  # fmt: skip


def demo_fleet() -> Fleet:
    """The fleet ``ssm-tui --demo`` shows: 28 instances, two accounts, five regions."""
    instances = [
        _instance(account, region, name, role, index, overrides)
        for index, (account, region, name, role, overrides) in enumerate(_DEMO)
    ]
    return Fleet(
        accounts=[PROD, STAGING], instances=instances, kms_keys=_session_keys([PROD, STAGING])
    )


def generate_fleet(
    count: int = 10_000, *, accounts: int = 2, regions: int = 16, seed: int = 0
) -> Fleet:
    """A big synthetic fleet spread over ``accounts`` x ``regions`` (deterministic per seed)."""
    rng = random.Random(seed)
    chosen_regions = REGIONS[:regions]
    owners = [
        Account(
            name=f"account{n + 1}",
            account_id=f"{100000000000 + n * 111111111:012d}",
            access_key_id=f"AKIAEMULATORBULK{n:04d}",
            secret_access_key=f"bulk/Emulator+Secret/{n:020d}",
            user=f"user{n + 1}",
            regions=chosen_regions,
        )
        for n in range(accounts)
    ]
    roles = list(_ROLES)
    instances = []
    for index in range(count):
        account = owners[index % accounts]
        region = chosen_regions[(index // accounts) % regions]
        role = rng.choice(roles)
        overrides: dict[str, object] = {}
        if rng.random() < 0.05:
            overrides["ping_status"] = rng.choice(["ConnectionLost", "Inactive"])
        instances.append(_instance(account, region, f"{role}-{index:05d}", role, index, overrides))
    return Fleet(accounts=owners, instances=instances, kms_keys=_session_keys(owners))


def _instance(
    account: Account, region: str, name: str, role: str, index: int, overrides: dict[str, object]
) -> Instance:
    digest = hashlib.sha256(f"{account.account_id}/{region}/{name}".encode()).hexdigest()
    spec = _ROLES[role]
    fields: dict[str, object] = {
        "instance_id": f"i-0{digest[:16]}",
        "account_id": account.account_id,
        "region": region,
        "tags": {
            "Name": name,
            "Role": role,
            "Environment": account.name,
            "Team": spec.team,
        },
        "platform_name": spec.platform_name,
        "platform_version": spec.platform_version,
        "instance_type": spec.instance_type,
        "private_ip": f"10.{REGIONS.index(region) * 8 + 1}.{index // 250 % 250}.{index % 250 + 4}",
        "availability_zone": region + "abc"[int(digest[16], 16) % 3],
        "ports": {80: WEB_PAGE} if role == "web" else {},
        "launch_time": 1_700_000_000.0 + int(digest[17:23], 16),
    }
    fields.update(overrides)
    return Instance(**fields)  # type: ignore[arg-type]


def _session_keys(accounts: list[Account]) -> list[KmsKeySpec]:
    return [
        KmsKeySpec(
            account_id=account.account_id,
            region=region,
            key_id=str(
                uuid.UUID(
                    hashlib.sha256(f"{account.account_id}/{region}".encode()).hexdigest()[:32]
                )
            ),
            aliases=(SESSION_KEY_ALIAS,),
        )
        for account in accounts
        for region in account.regions
    ]

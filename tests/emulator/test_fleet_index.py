"""Fleet.instances_in answers from an (account, region) index that follows the instance list."""

from __future__ import annotations

from ssm_tui.emulator.demo_fleet import PROD, STAGING, demo_fleet
from ssm_tui.emulator.fleet import Instance


def _scan(instances: list[Instance], account_id: str, region: str) -> list[Instance]:
    return [i for i in instances if (i.account_id, i.region) == (account_id, region)]


def test_instances_in_matches_a_full_scan_for_every_account_and_region() -> None:
    fleet = demo_fleet()
    for account in (PROD, STAGING):
        for region in (*account.regions, "sa-east-1"):
            expected = _scan(fleet.instances, account.account_id, region)
            assert list(fleet.instances_in(account.account_id, region)) == expected


def test_an_appended_instance_is_found_without_rebuilding_by_hand() -> None:
    fleet = demo_fleet()
    before = len(list(fleet.instances_in(PROD.account_id, "us-east-1")))
    fleet.instances.append(
        Instance(instance_id="i-0new0000000000000", account_id=PROD.account_id, region="us-east-1")
    )
    found = list(fleet.instances_in(PROD.account_id, "us-east-1"))
    assert len(found) == before + 1
    assert fleet.instance(PROD.account_id, "us-east-1", "i-0new0000000000000") is found[-1]


def test_a_moved_instance_is_found_in_its_new_region_after_instances_changed() -> None:
    fleet = demo_fleet()
    moved = next(fleet.instances_in(PROD.account_id, "us-east-1"))
    moved.region = "eu-west-1"
    fleet.instances_changed()
    assert moved in fleet.instances_in(PROD.account_id, "eu-west-1")
    assert moved not in fleet.instances_in(PROD.account_id, "us-east-1")

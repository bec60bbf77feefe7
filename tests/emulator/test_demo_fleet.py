"""The built-in demo fleet's shape and the big-fleet generator."""

from __future__ import annotations

from collections import Counter

from ssm_tui.emulator import demo_fleet, generate_fleet
from ssm_tui.emulator.fleet import WEB_PAGE


def test_demo_fleet_has_two_accounts_several_regions_and_two_dozen_instances() -> None:
    fleet = demo_fleet()
    assert [a.name for a in fleet.accounts] == ["prod", "staging"]
    assert len({(i.account_id, i.region) for i in fleet.instances}) >= 5
    assert len({i.region for i in fleet.instances}) >= 3
    assert len(fleet.instances) >= 24
    assert len({i.instance_id for i in fleet.instances}) == len(fleet.instances)


def test_demo_fleet_mixes_offline_windows_and_web_instances() -> None:
    fleet = demo_fleet()
    pings = Counter(i.ping_status for i in fleet.instances)
    assert pings["ConnectionLost"] >= 2 and pings["Inactive"] >= 1
    assert [i.name for i in fleet.instances if i.platform_type == "Windows"] == ["reporting-win"]
    web = [i for i in fleet.instances if i.tags.get("Role") == "web"]
    assert len(web) >= 4 and all(i.ports == {80: WEB_PAGE} for i in web)
    roles = {i.tags["Role"] for i in fleet.instances}
    assert {"web", "api", "db", "bastion", "worker"} <= roles


def test_demo_fleet_is_the_same_every_time() -> None:
    assert [i.instance_id for i in demo_fleet().instances] == [
        i.instance_id for i in demo_fleet().instances
    ]


def test_generator_spreads_ten_thousand_instances_over_accounts_and_regions() -> None:
    fleet = generate_fleet(10_000)
    assert len(fleet.instances) == 10_000
    assert len(fleet.accounts) == 2
    spread = Counter((i.account_id, i.region) for i in fleet.instances)
    assert len(spread) == 32 and max(spread.values()) - min(spread.values()) <= 1
    assert len({i.instance_id for i in fleet.instances}) == 10_000

"""Port destinations never leave this machine: port maps, loopback and named fleet hosts only."""

from __future__ import annotations

import pytest

from ssm_tui.emulator.fleet import WEB_PAGE, Instance
from ssm_tui.emulator.port_destination import (
    Address,
    DestinationRefused,
    DestinationResolver,
    dial,
)
from tests.loopback import free_port


def _instance(instance_id: str, name: str, **kw: object) -> Instance:
    return Instance(
        instance_id=instance_id,
        account_id="123456789012",
        region="us-east-1",
        tags={"Name": name},
        **kw,  # type: ignore[arg-type]
    )


HOME = _instance("i-01", "home", ports={80: "127.0.0.1:8001", 81: "10.1.2.3:80", 82: WEB_PAGE})
PEER = _instance("i-02", "peer", private_ip="10.0.0.2", ports={5432: "127.0.0.1:15432"})


def _resolver() -> DestinationResolver:
    return DestinationResolver(HOME, neighbours=[PEER], web_page=lambda i: ("127.0.0.1", 9999))


def test_instance_port_follows_the_port_map_else_the_same_local_port() -> None:
    assert _resolver().resolve(None, 80) == Address("127.0.0.1", 8001)
    assert _resolver().resolve(None, 2222) == Address("127.0.0.1", 2222)
    assert _resolver().resolve("localhost", 80) == Address("127.0.0.1", 8001)


def test_web_page_ports_go_to_the_emulator_page() -> None:
    assert _resolver().resolve(None, 82) == Address("127.0.0.1", 9999)


def test_loopback_hosts_are_dialed_directly() -> None:
    assert _resolver().resolve("127.0.0.5", 7000) == Address("127.0.0.5", 7000)
    assert _resolver().resolve("::1", 7000) == Address("::1", 7000)


@pytest.mark.parametrize("host", ["i-02", "peer", "10.0.0.2", "PEER"])
def test_fleet_hosts_resolve_through_their_own_port_map(host: str) -> None:
    assert _resolver().resolve(host, 5432) == Address("127.0.0.1", 15432)


@pytest.mark.parametrize("host", ["example.com", "169.254.169.254", "10.9.9.9", "8.8.8.8"])
def test_hosts_off_this_machine_are_refused(host: str) -> None:
    with pytest.raises(DestinationRefused):
        _resolver().resolve(host, 80)


def test_a_port_map_pointing_off_this_machine_is_refused() -> None:
    with pytest.raises(DestinationRefused):
        _resolver().resolve(None, 81)


async def test_dialing_a_closed_port_is_refused() -> None:
    with pytest.raises(DestinationRefused):
        await dial(Address("127.0.0.1", free_port()))

"""Reading a fleet from TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssm_tui.emulator.faults import Faults
from ssm_tui.emulator.fleet_file import EXAMPLE, FleetFileError, load_fleet


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(text)
    return path


def test_example_file_describes_accounts_keys_and_instances(tmp_path: Path) -> None:
    fleet = load_fleet(_write(tmp_path, EXAMPLE))
    (account,) = fleet.accounts
    assert (account.name, account.regions) == ("prod", ("us-east-1", "eu-west-1"))
    (instance,) = fleet.instances
    assert instance.name == "web-1"
    assert instance.account_id == "111122223333"
    assert instance.ports == {80: "web", 22: "127.0.0.1:2222"}
    assert fleet.kms_keys[0].aliases == ("alias/ssm-sessions",)
    assert fleet.idle_timeout == 1200
    assert fleet.agent_payload_size == 1024


def test_faults_are_fleet_wide_with_per_instance_overrides(tmp_path: Path) -> None:
    text = EXAMPLE.replace('faults = ""', 'faults = "drop=0.1"') + (
        '\n[[instances]]\nid = "i-0000000000000000b"\nfaults = "delay=5ms"\n'
    )
    fleet = load_fleet(_write(tmp_path, text))
    plain, noisy = fleet.instances
    assert fleet.faults_for(plain) == Faults(drop=0.1)
    assert fleet.faults_for(noisy) == Faults(delay=0.005)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t + "[[instances]\n", "not valid TOML"),
        (lambda t: t.replace('account = "prod"\nregion', 'account = "dev"\nregion'), "'dev'"),
        (lambda t: t.replace('80 = "web"', '80 = "somewhere"'), "ports"),
        (lambda t: t.replace('faults = ""', 'faults = "drop=9"'), "faults"),
        (lambda t: t + '\n[[instances]]\nid = "i-0123456789abcdef0"\n', "unique"),
        (lambda t: t.replace('secret_access_key = "prod-secret"\n', ""), "secret_access_key"),
        (lambda t: t + '\n[[instances]]\nid = "i-000000000000000aa"\nping_status = "Up"\n', "ping"),
        (lambda t: t.replace("agent_payload_size = 1024", "agent_payload_size = 0"), "payload"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, edit(EXAMPLE))
    with pytest.raises(FleetFileError, match=message) as caught:
        load_fleet(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_fleet_file_error(tmp_path: Path) -> None:
    with pytest.raises(FleetFileError, match="No such file"):
        load_fleet(tmp_path / "absent.toml")


def test_a_fleet_wide_kms_key_applies_where_an_instance_names_none(tmp_path: Path) -> None:
    text = (
        'kms_key_id = "alias/fleet"\n'
        + EXAMPLE
        + ('\n[[instances]]\nid = "i-0000000000000000b"\nkms_key = "alias/own"\n')
    )
    fleet = load_fleet(_write(tmp_path, text))
    plain, own = fleet.instances
    assert fleet.kms_key_id == "alias/fleet"
    assert fleet.kms_key_for(plain) == "alias/fleet"
    assert fleet.kms_key_for(own) == "alias/own"


def test_sessions_are_unencrypted_when_no_key_is_named(tmp_path: Path) -> None:
    fleet = load_fleet(_write(tmp_path, EXAMPLE))
    assert fleet.kms_key_id is None
    assert fleet.kms_key_for(fleet.instances[0]) is None

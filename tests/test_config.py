"""config.toml: defaults when absent, every setting read, clear errors when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssm_tui.config import (
    Config,
    ConfigError,
    config_dir,
    config_path,
    load_config,
    log_path,
    state_dir,
)


def test_a_missing_file_means_every_default(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") == Config()


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'profiles = ["dev", "prod"]\nregions = ["eu-west-1"]\ntheme = "nord"\n'
        "scrollback = 500\nkeepalive = 15\nrecord = true\nrecord_input = true\n"
        '[keys]\n"ssm-tui.refresh" = "f5"\n'
    )
    config = load_config(path)
    assert config.profiles == ("dev", "prod")
    assert config.regions == ("eu-west-1",)
    assert (config.theme, config.scrollback, config.keepalive) == ("nord", 500, 15.0)
    assert dict(config.keys) == {"ssm-tui.refresh": "f5"}
    assert (config.record, config.record_input) == (True, True)


def test_recording_is_off_unless_asked() -> None:
    assert (Config().record, Config().record_input) == (False, False)


def test_broadcasting_to_production_nodes_asks_unless_configured_otherwise(
    tmp_path: Path,
) -> None:
    assert Config().broadcast_confirm_tags == ("Environment=prod", "Environment=production")
    path = tmp_path / "config.toml"
    path.write_text('broadcast_confirm_tags = ["Tier=critical", "Environment=live"]\n')
    assert load_config(path).broadcast_confirm_tags == ("Tier=critical", "Environment=live")
    path.write_text("broadcast_confirm_tags = []\n")
    assert load_config(path).broadcast_confirm_tags == ()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("regions = 'eu-west-1'", "'regions' must be a list"),
        ("scrollback = -1", "'scrollback' must be a whole number"),
        ("keepalive = 0", "'keepalive' must be a number of seconds > 0"),
        ("colour = 'red'", "unknown setting 'colour'"),
        ("keys = 3", "[keys] must map binding ids to keys"),
        ("record = 'yes'", "'record' must be true or false"),
        ("record_input = 1", "'record_input' must be true or false"),
        ("broadcast_confirm_tags = ['prod']", "'broadcast_confirm_tags' must be a list"),
        ("profiles = [", "not valid TOML"),
    ],
)
def test_a_wrong_setting_names_the_file_and_the_problem(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)) as caught:
        load_config(path)
    assert complaint in str(caught.value)


def test_paths_follow_xdg_variables() -> None:
    env = {"XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}
    assert config_path(env) == Path("/c/ssm-tui/config.toml")
    assert log_path(env) == Path("/s/ssm-tui/ssm-tui.log")
    assert (config_dir(env), state_dir(env)) == (Path("/c/ssm-tui"), Path("/s/ssm-tui"))

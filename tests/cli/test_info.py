"""``ssm-tui info``: version, config file and log file paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssm_tui import __version__
from ssm_tui.cli.main import main


def test_info_prints_version_and_the_xdg_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"ssm-tui {__version__}" in out
    assert f"config file: {tmp_path / 'config' / 'ssm-tui' / 'config.toml'}" in out
    assert "not created yet" in out
    assert f"log file:    {tmp_path / 'state' / 'ssm-tui' / 'ssm-tui.log'}" in out


def test_a_broken_config_file_is_one_line_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "ssm-tui").mkdir()
    (tmp_path / "ssm-tui" / "config.toml").write_text("regions = 'eu-west-1'\n")
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'regions' must be a list of non-empty strings" in err

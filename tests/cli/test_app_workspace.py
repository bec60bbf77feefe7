"""``ssm-tui --workspace NAME``: a name that cannot be opened is one line and exit 2, no UI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssm_tui.cli.main import main


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "config" / "ssm-tui" / "workspaces"


@pytest.mark.parametrize("demo", [[], ["--demo"]])
def test_an_unknown_workspace_is_one_line_and_exit_2(
    folder: Path, capsys: pytest.CaptureFixture[str], demo: list[str]
) -> None:
    assert main([*demo, "--workspace", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"ssm-tui: no workspace named 'nope' in {folder}\n"


def test_a_malformed_workspace_names_its_file_and_line(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(
        '[[tabs]]\nregion = "us-east-1"\ninstance_id = "i-1"\n\n[[tabs]]\nregion = "us-east-1"\n'
    )
    assert main(["--workspace", "broken"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err == f"ssm-tui: {folder / 'broken.toml'}: line 5: tabs[1]: 'instance_id' is missing\n"


def test_a_bad_workspace_name_is_refused_before_any_file_is_read(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--workspace", "../escape"]) == 2
    assert "no leading dot, slashes or control characters" in capsys.readouterr().err


def test_the_app_process_exits_2_before_drawing_anything(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "ssm_tui", "--demo", "--workspace", "missing"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == b""  # no alternate screen, no escape sequences: the UI never ran
    assert done.stderr.decode().startswith("ssm-tui: no workspace named 'missing'")

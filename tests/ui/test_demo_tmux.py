"""End to end: the real ``ssm-tui --demo`` in a tmux pane lists, filters and quits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.ui.tmux_pane import Pane, needs_tmux

pytestmark = [pytest.mark.slow, needs_tmux]


def test_demo_lists_the_fleet_filters_and_quits(tmp_path: Path) -> None:
    # COLUMNS and LINES (set under pytest) would override the pane size.
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp_path} XDG_STATE_HOME={tmp_path}"
    pane = Pane(f"env {env} {sys.executable} -m ssm_tui --demo; echo EXITED=$?; sleep 30")
    try:
        screen = pane.wait_for("27 nodes")
        assert "db-primary" in screen and "ConnectionLost" in screen
        pane.send("/", "tag:Role=db")
        screen = pane.wait_for("4 shown")
        assert "web-1 " not in screen
        pane.send("Escape")  # alone: escape followed at once by q would read as alt+q
        pane.wait_until_gone("shown")
        pane.send("q")
        pane.wait_for("EXITED=0")
        assert (tmp_path / "ssm-tui" / "ssm-tui.log").exists()
    finally:
        pane.close()


def test_demo_opens_shells_in_tabs_and_quits_cleanly(tmp_path: Path) -> None:
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp_path} XDG_STATE_HOME={tmp_path}"
    pane = Pane(f"env {env} {sys.executable} -m ssm_tui --demo 2>&1; echo EXITED=$?; sleep 30")
    try:
        pane.wait_for("27 nodes")
        pane.send("/", "web-1", "Enter")
        pane.wait_for("1 shown")
        pane.send("Enter")
        pane.wait_for("web-1 · live")
        pane.wait_for("ssm-user@web-1")
        pane.send("echo $((6*7))", "Enter")
        screen = pane.wait_for("\n42")
        assert "Release focus" in screen  # the footer names the way out of the shell
        pane.send("C-PageUp")  # the previous tab (the fleet), even from inside a shell
        pane.wait_for("Shell")
        pane.send("Escape")
        pane.wait_until_gone("shown")
        pane.send("/", "api-1", "Enter")
        pane.wait_for("1 shown")
        pane.send("Enter")
        pane.wait_for("api-1 · live")
        pane.wait_for("ssm-user@api-1")
        pane.send("echo second-$((1+1))", "Enter")
        pane.wait_for("\nsecond-2")
        assert "web-1 · live" in pane.text()
        pane.send("C-PageDown")  # wraps around to the fleet
        pane.wait_for("Shell")
        pane.send("q")
        pane.wait_for("2 sessions are live")
        pane.send("y")
        screen = pane.wait_for("EXITED=0")
        assert "Traceback" not in screen
    finally:
        pane.close()

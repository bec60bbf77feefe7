"""End to end in tmux: broadcast, fan-out, workspaces and recording in the real ``--demo`` app."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.ui.tmux_pane import Pane, needs_tmux

pytestmark = [pytest.mark.slow, needs_tmux]


def open_shell(pane: Pane, name: str) -> None:
    """From the fleet browser with no filter: filter down to ``name`` and open its shell."""
    pane.send("/", name, "Enter")
    pane.wait_for("1 shown")
    pane.send("Enter")
    pane.wait_for(f"{name} · live")
    pane.wait_for(f"ssm-user@{name} ")


def back_to_fleet(pane: Pane, key: str) -> None:
    """Switch tabs with ``key`` onto the fleet browser and clear its filter."""
    pane.send(key)
    pane.wait_for("shown")
    pane.send("Escape")  # alone: escape followed at once by a key would read as alt+key
    pane.wait_until_gone("shown")


def switch_to_shell(pane: Pane, key: str, name: str) -> str:
    """Switch tabs with ``key`` and wait for ``name``'s shell to be the one on screen."""
    pane.send(key)
    return pane.wait_for(f"ssm-user@{name} ")


def test_broadcast_reaches_both_marked_tabs_and_not_the_unmarked_one(tmp_path: Path) -> None:
    pane = Pane.demo(tmp_path)
    try:
        pane.wait_for("27 nodes")
        open_shell(pane, "web-1")  # tabs: fleet, web-1
        back_to_fleet(pane, "C-PageUp")
        open_shell(pane, "api-1")  # fleet, web-1, api-1
        back_to_fleet(pane, "C-PageDown")  # wraps around
        open_shell(pane, "web-2")  # fleet, web-1, api-1, web-2 (left unmarked)
        pane.send("C-PageDown")  # wraps around to the fleet
        pane.wait_for("shown")
        switch_to_shell(pane, "C-PageDown", "web-1")
        pane.send("C-F5")
        pane.wait_for("1 tab marked for broadcast: web-1")
        switch_to_shell(pane, "C-PageDown", "api-1")
        pane.send("C-F5")
        pane.wait_for("2 tabs marked for broadcast")
        pane.send("C-F6")
        pane.wait_for("Broadcast keys to 2 tabs?", "(Environment=prod)")  # the demo's are prod
        pane.send("y")
        screen = pane.wait_for("broadcasting to 2 tabs", "⇶ web-1 · live", "⇶ api-1 · live")
        assert "⇶ web-2" not in screen

        # The demo sets PS1 to "[ssm-user@NAME \W]\$ ", so each session answers with its name.
        pane.send("echo bc-$((6*7))-${PS1:10:5}", "Enter")
        pane.wait_for("\nbc-42-api-1")
        switch_to_shell(pane, "C-PageUp", "web-1")
        pane.wait_for("\nbc-42-web-1")

        pane.send("C-PageUp")  # the fleet
        pane.wait_for("shown")
        switch_to_shell(pane, "C-PageUp", "web-2")  # wraps around to the last tab
        pane.send("echo solo-$((1+2))", "Enter")
        screen = pane.wait_for("\nsolo-3")
        assert "bc-" not in screen
        pane.send("C-PageDown")  # wraps around to the fleet
        pane.wait_for("shown")
        pane.send("C-PageDown")
        screen = pane.wait_for("\nbc-42-web-1")
        assert "solo-" not in screen
    finally:
        pane.close()


def test_fan_out_runs_a_command_on_the_marked_nodes(tmp_path: Path) -> None:
    pane = Pane.demo(tmp_path)
    try:
        pane.wait_for("27 nodes")
        pane.send("/", "tag:Role=web", "Enter")
        pane.wait_for("7 shown")
        pane.send("Space")  # the first row: web-1
        pane.wait_for("1 marked")
        pane.send("Down", "Space")
        pane.wait_for("2 marked", "● web-1", "● web-2")
        pane.send("x")
        pane.wait_for("Run a command on 2 nodes")
        pane.send("echo fan-$((2+3))", "Enter")
        pane.wait_for("2 nodes · 2 ok · done", "$ echo fan-$((2+3)) · done")  # and the tab title
        for name in ("web-1", "web-2"):
            screen = pane.wait_for_line(rf"^ {name} +ok +0 +\S+ +fan-5 *$")
        assert not re.search(r"^ web-3 ", screen, re.MULTILINE)
    finally:
        pane.close()


def test_a_saved_workspace_reopens_its_tabs_live(tmp_path: Path) -> None:
    pane = Pane.demo(tmp_path)
    try:
        pane.wait_for("27 nodes")
        open_shell(pane, "web-1")
        back_to_fleet(pane, "C-PageUp")
        open_shell(pane, "api-1")
        pane.send("C-]")  # out of the shell, so ctrl+p reaches the app
        pane.wait_until_gone("Release focus")
        pane.send("C-p")
        pane.wait_for("Search for commands")
        pane.send("Save workspace")
        pane.wait_for("Save the open tabs and forwards under a name")
        pane.send("Enter")
        pane.wait_until_gone("Save the open tabs")
        pane.wait_for("Save workspace as")
        pane.send("e2e", "Enter")
        pane.wait_for("Workspace e2e saved")
        saved = (tmp_path / "ssm-tui" / "workspaces" / "e2e.toml").read_text()
        assert 'name = "web-1"' in saved and 'name = "api-1"' in saved
        pane.send("q")
        pane.wait_for("2 sessions are live")
        pane.send("y")
        assert "Traceback" not in pane.wait_for("EXITED=0")
    finally:
        pane.close()

    pane = Pane.demo(tmp_path, "--workspace", "e2e")
    try:
        # Both tabs are back, the last one active.
        pane.wait_for("web-1 · live", "api-1 · live", "ssm-user@api-1 ")
        pane.send("echo ws-$((4+4))", "Enter")
        pane.wait_for("\nws-8")
        switch_to_shell(pane, "C-PageUp", "web-1")
        pane.send("echo ws-$((5+5))", "Enter")
        pane.wait_for("\nws-10")
        pane.send("C-]")
        pane.wait_until_gone("Release focus")
        pane.send("q")
        pane.wait_for("2 sessions are live")
        pane.send("y")
        assert "Traceback" not in pane.wait_for("EXITED=0")
    finally:
        pane.close()


def test_recording_a_shell_tab_writes_a_cast_with_its_output(tmp_path: Path) -> None:
    pane = Pane.demo(tmp_path)
    try:
        pane.wait_for("27 nodes")
        open_shell(pane, "web-1")
        pane.send("C-F7")
        pane.wait_for("● REC web-1 · live")
        pane.send("echo rec-$((3*5))", "Enter")
        pane.wait_for("\nrec-15")
        pane.send("C-F7")
        pane.wait_for("Recording of web-1 saved")
        pane.wait_until_gone("● REC")
    finally:
        pane.close()

    casts = list((tmp_path / "ssm-tui" / "recordings").glob("web-1-*.cast"))
    assert len(casts) == 1
    header, *events = casts[0].read_text().splitlines()
    assert json.loads(header)["version"] == 2
    output = "".join(data for _, kind, data in map(json.loads, events) if kind == "o")
    assert "rec-15" in output

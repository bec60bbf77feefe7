"""Workspaces in the app against the in-process emulator: save, reopen, and what cannot reopen."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from ssm_tui.app_core import workspace_file
from ssm_tui.app_core.workspace_file import SavedForward, SavedTab, Workspace
from ssm_tui.aws.nodes import Pair
from ssm_tui.emulator import EmulatorServer
from ssm_tui.ui.dialogs import TitleScreen
from ssm_tui.ui.forward_dialog import NewForwardScreen
from ssm_tui.ui.session_tab import SessionTab
from ssm_tui.ui.workspace import WorkspaceScreen
from ssm_tui.ui.workspace_dialogs import OpenWorkspaceScreen
from tests.conftest import AwsEnv
from tests.ui.live import (
    SIZE,
    LiveApp,
    listed,
    notifications,
    open_shell,
    prompt,
    screen_text,
    until,
)
from tests.ui.test_forwards import http_get

PROD = Pair(profile="prod", region="us-east-1")


@pytest.fixture
def folder(
    emulator: EmulatorServer, aws_env: AwsEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The emulator's env, and ``$XDG_CONFIG_HOME/ssm-tui/workspaces`` under ``tmp_path``."""
    aws_env(emulator)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "ssm-tui" / "workspaces"


def instance_id(emulator: EmulatorServer, name: str) -> str:
    """The demo fleet's prod/us-east-1 instance named ``name``."""
    account = emulator.fleet.account_named("prod")
    assert account is not None
    (found,) = [
        i for i in emulator.fleet.instances_in(account.account_id, "us-east-1") if i.name == name
    ]
    return found.instance_id


def tab(emulator: EmulatorServer, name: str, **fields: Any) -> SavedTab:
    return SavedTab(pair=PROD, instance_id=instance_id(emulator, name), name=name, **fields)


def title(app: LiveApp, shell: SessionTab) -> str:
    return app.workspace.tabs.tab_title(str(shell.parent.id if shell.parent else ""))


def rows(app: LiveApp) -> list[list[str]]:
    table: DataTable[object] = app.forwards.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def restored(pilot: Any, app: LiveApp, tabs: int) -> None:
    await listed(pilot)
    await until(pilot, lambda: len(app.shells) == tabs, f"{tabs} restored tabs")
    await until(pilot, lambda: any("Workspace" in str(n.title) for n in app._notifications))


class TestSaveAndReopen:
    async def test_two_tabs_and_a_forward_come_back_live_in_a_new_app(self, folder: Path) -> None:
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await open_shell(pilot, "web-1")
            await open_shell(pilot, "web-2")
            await pilot.press("ctrl+f2")
            assert isinstance(app.screen, TitleScreen)
            await pilot.press(*"db shell", "enter")
            await pilot.press("alt+1", "escape", "slash", *"web-1", "enter", "f", *"80", "enter")
            await until(pilot, lambda: not isinstance(app.screen, NewForwardScreen))
            await until(pilot, lambda: bool(rows(app)) and rows(app)[0][3] == "listening")
            await app.workspace.run_action("save_workspace")
            assert isinstance(app.screen, TitleScreen)
            await pilot.press(*"two webs", "enter")
            await until(pilot, lambda: (folder / "two webs.toml").exists())
            assert any("two webs.toml" in text for text in notifications(app))
        saved = workspace_file.load("two webs", folder)
        assert [(t.name, t.title) for t in saved.tabs] == [("web-1", ""), ("web-2", "db shell")]
        (forward,) = saved.forwards
        assert (forward.name, forward.remote_port, forward.local_port) == ("web-1", 80, 0)

        again = LiveApp(workspace=saved)
        async with again.run_test(size=SIZE) as pilot:
            await restored(pilot, again, 2)
            first, second = again.shells
            for shell in (first, second):
                await prompt(pilot, shell)
            await until(pilot, lambda: title(again, first) == "web-1 · live")
            await until(pilot, lambda: title(again, second) == "db shell · live")
            assert again.forwards.display
            await until(pilot, lambda: rows(again)[0][3] == "listening")
            local = rows(again)[0][1].split(" → ")[0]
            assert b"<h1>web-1</h1>" in await http_get(int(local.rsplit(":", 1)[1]))
            assert any("2 tabs, 1 forward" in text for text in notifications(again))
            await until(pilot, lambda: again.live_sessions == 3)

    async def test_open_workspace_lists_the_saved_ones_and_opens_the_one_picked(
        self, folder: Path, emulator: EmulatorServer
    ) -> None:
        for name in ("alpha", "beta"):
            workspace = Workspace(name=name, tabs=(tab(emulator, f"web-{len(name) - 2}"),))
            workspace_file.save(workspace, folder)
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await app.workspace.run_action("open_workspace")
            assert isinstance(app.screen, OpenWorkspaceScreen)
            assert app.screen.names == ["alpha", "beta"]
            await pilot.press("down", "enter")
            await until(pilot, lambda: len(app.shells) == 1)
            (shell,) = app.shells
            assert shell.node.name == "web-2"
            await prompt(pilot, shell)

    async def test_both_are_in_the_command_palette(self, folder: Path) -> None:
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await pilot.press("ctrl+p", *"Save workspace")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, TitleScreen))
            await pilot.press(*"empty", "enter")
            await until(pilot, lambda: (folder / "empty.toml").exists())
            await pilot.press("ctrl+p", *"Open workspace")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, OpenWorkspaceScreen))

    async def test_a_cancelled_save_writes_nothing_and_a_bad_name_is_one_message(
        self, folder: Path
    ) -> None:
        app = LiveApp()
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await app.workspace.run_action("save_workspace")
            await pilot.press("escape")
            assert isinstance(app.screen, WorkspaceScreen) and not folder.exists()
            await app.workspace.run_action("save_workspace")
            await pilot.press(*"a/b", "enter")
            await until(pilot, lambda: any("slashes" in text for text in notifications(app)))
            assert not folder.exists()


class TestWhatCannotReopen:
    async def test_an_offline_or_gone_target_opens_an_ended_tab_that_says_why(
        self, folder: Path, emulator: EmulatorServer
    ) -> None:
        gone = SavedTab(pair=PROD, instance_id="i-0ffffffffffffffff", name="old-box")
        workspace = Workspace(name="w", tabs=(tab(emulator, "worker-3"), gone))
        app = LiveApp(workspace=workspace)
        async with app.run_test(size=SIZE) as pilot:
            await restored(pilot, app, 2)
            offline, missing = app.shells
            assert title(app, offline).startswith("worker-3 · failed: node offline")
            assert title(app, missing).startswith("old-box · failed: node no longer")
            # Each screen says why once shown (the line is written at the view's width).
            await pilot.press("alt+2")
            reason = "node offline (ping status ConnectionLost)"
            await until(pilot, lambda: reason in screen_text(offline))
            await pilot.press("alt+3")
            gone_reason = "node no longer exists in prod/us-east-1"
            await until(pilot, lambda: gone_reason in screen_text(missing))
            line = next(row for row in missing.view.terminal.display if gone_reason in row)
            assert line.rstrip().endswith("press enter to reconnect]")  # not wrapped
            assert isinstance(app.screen, WorkspaceScreen)  # no error dialog
            assert app.live_sessions == 0
            assert any("2 tabs (2 ended)" in text for text in notifications(app))

    async def test_a_local_port_in_use_is_reported_on_the_forwards_row(
        self, folder: Path, emulator: EmulatorServer
    ) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            forward = SavedForward(
                pair=PROD,
                instance_id=instance_id(emulator, "web-1"),
                name="web-1",
                remote_port=80,
                local_port=port,
            )
            app = LiveApp(workspace=Workspace(name="w", forwards=(forward,)))
            async with app.run_test(size=SIZE) as pilot:
                await listed(pilot)
                await until(pilot, lambda: bool(rows(app)), "the forward's row")
                ((target, addresses, _, state, *_),) = rows(app)
                assert target == "web-1" and addresses == f"127.0.0.1:{port} → 80"
                assert state == f"failed: local port 127.0.0.1:{port} is already in use"
                assert app.forwards.display and isinstance(app.screen, WorkspaceScreen)

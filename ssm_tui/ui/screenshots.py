"""``python -m ssm_tui.ui.screenshots DIR``: SVG screenshots of the app on the demo fleet."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

from ssm_tui.app_core.demo import DemoFleet
from ssm_tui.app_core.fleet_source import FleetSource
from ssm_tui.app_core.workspace_file import SavedForward, SavedTab, Workspace
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.dialogs import ConfirmScreen
from ssm_tui.ui.fanout_tab import FanOutTab
from ssm_tui.ui.session_tab import SessionTab

SIZE = (160, 45)


async def take(directory: Path, source: FleetSource) -> list[Path]:
    """Save the browser, shells, forwards, dialog, help, fan-out and broadcast screenshots."""
    app = SsmTuiApp(source)
    saved: list[Path] = []

    def save(name: str) -> None:
        saved.append(Path(app.save_screenshot(name, str(directory))))

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        save("browser.svg")

        for name in ("db-primary", "api-1", "web-1"):
            await _open_shell(pilot, name)
        await pilot.press(*"uname -a; ls -la /etc | head", "enter")
        await _until(pilot, lambda: _screen(app).count("ssm-user@web-1") >= 2)
        save("tabs.svg")

        await pilot.press("alt+1", "escape", "slash", *"web-1", "enter", "f", *"80", "enter")
        await _until(pilot, lambda: "listening" in str(app.workspace.forwarder.rows()))
        row = app.workspace.forwarder.rows()[0]
        port = int(row.local.rsplit(":", 1)[1])
        for _ in range(3):
            await _http_get(port)
        await pilot.press("escape")
        await _until(pilot, lambda: "web-1" in str(app.forwards.rows) or bool(app.forwards.rows))
        await pilot.pause(1.2)  # one refresh of the panel's counters
        save("forwards.svg")

        await pilot.press("slash", *"db", "enter", "f")
        await pilot.pause()
        save("new-forward.svg")
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        save("help.svg")

        await _fan_out(pilot)
        save("fanout.svg")
        await _broadcast(pilot, ("api-1", "web-1"))
        save("broadcast.svg")
    saved += await take_workspace(directory, source)
    return saved


async def take_workspace(directory: Path, source: FleetSource) -> list[Path]:
    """A restored workspace: a recording tab, an ended tab, a forward on a busy port."""
    app = SsmTuiApp(source)
    saved: list[Path] = []
    state = os.environ.get("XDG_STATE_HOME")
    with tempfile.TemporaryDirectory() as scratch, socket.socket() as busy:
        os.environ["XDG_STATE_HOME"] = scratch  # the recording is not kept
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            nodes = {node.name: node for node in app.workspace.browser.snapshot.nodes}
            app.workspace.restore_workspace(_on_call(nodes, busy.getsockname()[1]))
            await _until(pilot, lambda: len(app.workspace.forwarder.rows()) == 2)
            await pilot.press("alt+2")
            await _until(pilot, lambda: "ssm-user@web-1" in _screen(app))
            await pilot.press("ctrl+f7", *"uptime; df -h / | tail -n 1", "enter")
            await _until(pilot, lambda: _screen(app).count("ssm-user@web-1") >= 2)
            await pilot.press("alt+4")
            await pilot.pause(1.2)  # one refresh of the panel's counters
            saved.append(Path(app.save_screenshot("workspace.svg", str(directory))))
            await pilot.press("alt+2")
            await pilot.pause()
            saved.append(Path(app.save_screenshot("recording.svg", str(directory))))
        if state is None:
            del os.environ["XDG_STATE_HOME"]
        else:
            os.environ["XDG_STATE_HOME"] = state
    return saved


def _on_call(nodes: Mapping[str, ManagedNode], busy_port: int) -> Workspace:
    """Three tabs (one on an offline node) and two forwards (one on ``busy_port``)."""

    def tab(name: str, title: str = "") -> SavedTab:
        node = nodes[name]
        return SavedTab(pair=node.pair, instance_id=node.instance_id, name=name, title=title)

    def forward(name: str, port: int, local: int = 0) -> SavedForward:
        node = nodes[name]
        return SavedForward(
            pair=node.pair, instance_id=node.instance_id, name=name, remote_port=port,
            local_port=local,
        )  # fmt: skip

    return Workspace(
        name="on-call",
        tabs=(tab("web-1", "web front"), tab("db-primary"), tab("worker-3")),
        forwards=(forward("web-1", 80), forward("db-primary", 5432, busy_port)),
    )


async def _open_shell(pilot: Pilot[None], name: str) -> None:
    app = pilot.app
    await pilot.press("alt+1", "escape", "slash", *name, "enter", "enter")
    await _until(pilot, lambda: f"ssm-user@{name}" in _screen(app))


async def _fan_out(pilot: Pilot[None]) -> None:
    """A command on the web nodes, an offline and a Windows node; web-1 in maintenance."""
    app = pilot.app
    assert isinstance(app, SsmTuiApp)
    await pilot.press("escape", "alt+4", *"touch ~/maintenance", "enter")  # web-1's shell
    await pilot.press("alt+1", "escape", "slash", *"tag:Role=web", "enter")
    await pilot.pause()
    for _ in range(app.workspace.browser.table.row_count):
        await pilot.press("space", "down")
    for name in ("worker-3", "reporting-win"):
        await pilot.press("slash", *name, "enter", "space")
    command = 'test ! -e ~/maintenance || { echo "in maintenance" >&2; exit 3; }; uname -sr'
    await pilot.press("escape", "x", *command, "enter")
    await _until(pilot, lambda: bool(app.workspace.query(FanOutTab)))
    tab = app.workspace.query_one(FanOutTab)
    await _until(pilot, lambda: tab.run.results.finished)
    await pilot.press("F", "down", "down")  # the forwarding panel out of the way
    await pilot.pause(0.3)


def _screen(app: App[None]) -> str:
    tab = app.query(SessionTab).last() if app.query(SessionTab) else None
    active = getattr(app.focused, "parent", None)
    if isinstance(active, SessionTab):
        tab = active
    return "\n".join(tab.view.terminal.display) if tab is not None else ""


async def _until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise RuntimeError("the demo fleet did not answer in time")


async def _broadcast(pilot: Pilot[None], names: tuple[str, ...]) -> None:
    """Mark the shell tabs of ``names``, broadcast one line to them; the last one shown."""
    app = pilot.app
    assert isinstance(app, SsmTuiApp)
    while len(app.screen_stack) > 1:
        await pilot.press("escape")
    app.workspace.forwards.display = False
    tabs = app.workspace.tabs
    for name in names:
        shell = next(tab for tab in app.query(SessionTab) if tab.node.name == name)
        pane = shell.parent
        assert pane is not None and pane.id is not None
        tabs.activate(pane.id)
        await pilot.press("ctrl+f5")
    await pilot.press("ctrl+f6")
    await pilot.pause()
    if isinstance(app.screen, ConfirmScreen):  # prod nodes: the guard asks first
        await pilot.press("y")
    await pilot.press(*'echo "typed once, run in each marked tab: $((6*7))"', "enter")
    await _until(pilot, lambda: _shown(app, "tab: 42", len(names)))


def _shown(app: App[None], text: str, tabs: int) -> bool:
    """Whether ``text`` is on the screen of at least ``tabs`` shell tabs."""
    shown = ["\n".join(tab.view.terminal.display) for tab in app.query(SessionTab)]
    return sum(text in screen for screen in shown) >= tabs


async def _http_get(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
    await reader.read()
    writer.close()


def main(argv: list[str]) -> int:
    """Take the screenshots on the demo fleet (started by the first listing)."""
    if len(argv) != 1:
        print("usage: python -m ssm_tui.ui.screenshots DIR", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    directory.mkdir(parents=True, exist_ok=True)
    with DemoFleet() as demo:
        for path in asyncio.run(take(directory, demo.source())):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

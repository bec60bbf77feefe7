"""Port forwards from the app against the in-process emulator: dialog, traffic, stop, restart."""

from __future__ import annotations

import asyncio
import socket

import pytest
from textual.widgets import DataTable, Input

from ssm_tui.emulator import EmulatorServer
from ssm_tui.ui.forward_dialog import NewForwardScreen
from tests.conftest import AwsEnv
from tests.ui.live import SIZE, LiveApp, listed, until


@pytest.fixture
def app(emulator: EmulatorServer, aws_env: AwsEnv) -> LiveApp:
    aws_env(emulator)
    return LiveApp()


async def http_get(port: int) -> bytes:
    """One HTTP/1.0 request to 127.0.0.1:``port``; the whole response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
    await writer.drain()
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    return response


def cells(app: LiveApp) -> list[str]:
    """The first forward row's cells, as shown."""
    table: DataTable[object] = app.forwards.query_one(DataTable)
    return [str(cell) for cell in table.get_row_at(0)]


async def open_dialog(app: LiveApp, pilot: object, name: str) -> NewForwardScreen:
    await pilot.press("slash", *name, "enter", "f")  # type: ignore[attr-defined]
    assert isinstance(app.screen, NewForwardScreen)
    return app.screen


class TestNewForward:
    async def test_f_forwards_a_local_port_to_the_highlighted_node_and_counts_traffic(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            dialog = await open_dialog(app, pilot, "web-1")
            assert dialog.query_one("#target", Input).value == "web-1"
            await pilot.press(*"80", "enter")
            await until(pilot, lambda: not isinstance(app.screen, NewForwardScreen))
            assert app.forwards.display
            await until(pilot, lambda: "listening" in cells(app))
            target, addresses, mode, *_ = cells(app)
            assert (target, mode) == ("web-1", "mux")
            local = addresses.split(" → ")[0]
            assert addresses.endswith("→ 80") and local.startswith("127.0.0.1:")
            page = await http_get(int(local.rsplit(":", 1)[1]))
            assert b"<h1>web-1</h1>" in page
            await until(pilot, lambda: cells(app)[-1] != "0 B / 0 B", "bytes to be counted")
            assert app.live_sessions == 1

    async def test_a_local_port_in_use_is_reported_in_the_dialog(self, app: LiveApp) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            async with app.run_test(size=SIZE) as pilot:
                await listed(pilot)
                dialog = await open_dialog(app, pilot, "web-1")
                await pilot.press(*"80")
                dialog.query_one("#local-port", Input).value = str(port)
                await pilot.press("enter")
                error = dialog.query_one("#error")
                await until(pilot, lambda: error.display)
                assert "already in use" in str(error.render())
                assert app.screen is dialog
                assert app.live_sessions == 0

    async def test_binding_beyond_loopback_is_warned_about(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            dialog = await open_dialog(app, pilot, "web-1")
            warning = dialog.query_one("#warning")
            assert not warning.display
            dialog.query_one("#bind", Input).value = "0.0.0.0"
            await pilot.pause()
            assert warning.display
            assert "not loopback" in str(warning.render())

    async def test_an_unknown_target_is_refused_in_the_dialog(self, app: LiveApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            dialog = await open_dialog(app, pilot, "web-1")
            dialog.query_one("#target", Input).value = "no-such-node"
            await pilot.press(*"80", "enter")
            assert "no node named 'no-such-node'" in str(dialog.query_one("#error").render())


class TestPanelKeys:
    async def test_x_stops_r_restarts_on_the_same_port_and_x_again_removes(
        self, app: LiveApp
    ) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await listed(pilot)
            await open_dialog(app, pilot, "web-2")
            await pilot.press(*"80", "enter")
            await until(pilot, lambda: "listening" in cells(app))
            address = cells(app)[1]
            app.forwards.query_one(DataTable).focus()
            await pilot.press("x")
            await until(pilot, lambda: "closed" in cells(app))
            assert app.live_sessions == 0
            await pilot.press("r")
            await until(pilot, lambda: "listening" in cells(app))
            assert cells(app)[1] == address
            port = int(address.split(" → ")[0].rsplit(":", 1)[1])
            assert b"<h1>web-2</h1>" in await http_get(port)
            await pilot.press("x")
            await until(pilot, lambda: "closed" in cells(app))
            await pilot.press("x")
            await until(pilot, lambda: app.forwards.rows == [])

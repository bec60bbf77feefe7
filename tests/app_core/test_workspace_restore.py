"""Restoring workspaces: saved targets checked against the fleet, then opened as a user would."""

from __future__ import annotations

import socket

import pytest

from ssm_tui.app_core.forwards import Forwards, ForwardSpec
from ssm_tui.app_core.workspace_file import (
    SavedForward,
    SavedTab,
    Workspace,
    dumps,
    loads,
)
from ssm_tui.app_core.workspace_restore import OpenTab, capture, resolve, restore
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair, PairError
from ssm_tui.sessions.forward import ForwardError
from tests.app_core.services import lab_node, lab_services
from tests.loopback import echo_server, eventually
from tests.sessions.lab import PORTS, Lab

PROD = Pair(profile="prod", region="us-east-1")
WEB = ManagedNode(
    instance_id="i-0aaaaaaaaaaaaaaa1", profile="prod", region="us-east-1", name="web-1",
    ping_status="Online",
)  # fmt: skip
DOWN = ManagedNode(
    instance_id="i-0aaaaaaaaaaaaaaa2", profile="prod", region="us-east-1", name="worker-3",
    ping_status="ConnectionLost",
)  # fmt: skip
FLEET = FleetSnapshot(nodes=(WEB, DOWN), pairs=(PROD,))


def saved(node: ManagedNode, **fields: str) -> SavedTab:
    return SavedTab(pair=node.pair, instance_id=node.instance_id, name=node.name, **fields)


class Opened:
    """A restore target that keeps what it was asked to open (the UI's calls, as data)."""

    def __init__(self, forwards: Forwards | None = None) -> None:
        self.shells: list[tuple[ManagedNode, str, str, str]] = []
        self.held: list[tuple[ForwardSpec, str]] = []
        self.started: list[ForwardSpec] = []
        self._forwards = forwards

    def open_shell(
        self, node: ManagedNode, *, document: str = "", title: str = "", ended: str = ""
    ) -> object:
        self.shells.append((node, document, title, ended))
        return None

    async def start_forward(self, spec: ForwardSpec) -> str:
        assert self._forwards is not None
        key = await self._forwards.start(spec)
        self.started.append(spec)
        return key

    def hold_forward(self, spec: ForwardSpec, reason: str) -> str:
        self.held.append((spec, reason))
        return self._forwards.hold(spec, reason) if self._forwards else "held"


class TestResolve:
    def test_a_listed_online_node_resolves_to_the_fleets_current_view_of_it(self) -> None:
        stale = ManagedNode(instance_id=WEB.instance_id, profile="prod", region="us-east-1")
        found = resolve(stale, FLEET)
        assert found.node is WEB and found.reason == ""

    def test_an_offline_node_says_so_with_its_ping_status(self) -> None:
        assert resolve(DOWN, FLEET).reason == "node offline (ping status ConnectionLost)"

    def test_a_node_missing_from_its_listed_pair_no_longer_exists(self) -> None:
        gone = ManagedNode(instance_id="i-0ffffffffffffffff", profile="prod", region="us-east-1")
        found = resolve(gone, FLEET)
        assert found.node is gone and found.reason == "node no longer exists in prod/us-east-1"

    def test_a_pair_that_failed_to_list_gives_its_error(self) -> None:
        fleet = FleetSnapshot(errors=(PairError(pair=PROD, message="credentials expired"),))
        assert resolve(WEB, fleet).reason == "prod/us-east-1 not listed: credentials expired"

    def test_a_pair_outside_the_listed_scope_is_named(self) -> None:
        other = ManagedNode(instance_id="i-1", profile="dev", region="eu-west-1")
        reason = resolve(other, FLEET).reason
        assert reason == "dev/eu-west-1 is not among the listed profiles/regions"


class TestRestore:
    async def test_tabs_open_in_order_with_document_and_title_and_ended_ones_say_why(
        self,
    ) -> None:
        workspace = Workspace(
            name="w",
            tabs=(saved(WEB, document="AWS-StartInteractiveCommand", title="logs"), saved(DOWN)),
        )
        opened = Opened()
        report = await restore(workspace, FLEET, opened)
        assert opened.shells == [
            (WEB, "AWS-StartInteractiveCommand", "logs", ""),
            (DOWN, "", "", "node offline (ping status ConnectionLost)"),
        ]
        assert (report.tabs, report.ended_tabs) == (1, 1)
        assert report.summary == "2 tabs (1 ended), 0 forwards"

    async def test_a_forward_starts_and_one_on_a_busy_port_is_held_with_the_reason(
        self, lab: Lab
    ) -> None:
        node = lab_node(PORTS, "web-1")
        fleet = FleetSnapshot(nodes=(node,), pairs=(node.pair,))
        forwards = Forwards(lab_services(lab), lambda: None)
        opened = Opened(forwards)
        async with echo_server() as echo_port:
            lab.map_port(PORTS, 80, echo_port)
            with socket.socket() as taken:
                taken.bind(("127.0.0.1", 0))
                taken.listen()
                busy = taken.getsockname()[1]
                workspace = Workspace(
                    name="w",
                    forwards=(
                        SavedForward(pair=node.pair, instance_id=PORTS, remote_port=80),
                        SavedForward(
                            pair=node.pair, instance_id=PORTS, remote_port=80, local_port=busy
                        ),
                    ),
                )
                report = await restore(workspace, fleet, opened)
            assert (report.forwards, report.held_forwards) == (1, 1)
            assert report.summary == "0 tabs, 2 forwards (1 not started)"
            first, second = forwards.rows()
            await eventually(lambda: forwards.rows()[0].state == "listening")
            assert second.state == f"failed: local port 127.0.0.1:{busy} is already in use"
            assert second.local == f"127.0.0.1:{busy}" and second.target == "web-1"
            # The port is free now: restarting the held row starts the forward there.
            await forwards.restart(second.key)
            await eventually(lambda: forwards.rows()[1].state == "listening")
            assert forwards.rows()[1].local == f"127.0.0.1:{busy}"
            assert [spec.local_port for spec in forwards.specs()] == [0, busy]
            forwards.stop(first.key)
            forwards.stop(second.key)

    async def test_a_forward_through_a_gone_node_is_held_not_started(self) -> None:
        gone = SavedForward(pair=PROD, instance_id="i-0ffffffffffffffff", remote_port=22)
        opened = Opened()
        await restore(Workspace(name="w", forwards=(gone,)), FLEET, opened)
        ((spec, reason),) = opened.held
        assert opened.started == [] and spec.remote_port == 22
        assert reason == "node no longer exists in prod/us-east-1"


async def test_a_held_forward_that_still_cannot_start_keeps_its_row_with_the_new_reason(
    lab: Lab,
) -> None:
    node = lab_node(PORTS, "web-1")
    forwards = Forwards(lab_services(lab), lambda: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        key = forwards.hold(ForwardSpec(node=node, remote_port=80, local_port=busy), "earlier")
        with pytest.raises(ForwardError, match="already in use"):
            await forwards.restart(key)
    (row,) = forwards.rows()
    assert row.key == key and row.state.endswith("is already in use")
    forwards.stop(key)
    assert forwards.rows() == []


def test_capture_saves_what_the_user_asked_for_and_reads_back_the_same() -> None:
    workspace = capture(
        "mine",
        [OpenTab(node=WEB, title="logs"), OpenTab(node=DOWN, document="Custom-Doc")],
        [ForwardSpec(node=WEB, remote_port=5432, host="db.internal", local_port=15432)],
    )
    assert loads(dumps(workspace), name="mine") == workspace
    (forward,) = workspace.forwards
    assert (forward.remote_host, forward.local_port, forward.name) == (
        "db.internal",
        15432,
        "web-1",
    )
    assert [tab.title for tab in workspace.tabs] == ["logs", ""]

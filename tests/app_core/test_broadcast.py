"""BroadcastGroup against emulator shells: every member's own session gets what one typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import pytest

from ssm_tui.app_core.broadcast import (
    BACKLOG_LIMIT,
    BroadcastGroup,
    MemberStatus,
    confirm_reasons,
)
from ssm_tui.app_core.node_shell import NodeShell
from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.config import Config
from ssm_tui.emulator.faults import Faults
from ssm_tui.sessions.base import SessionOptions
from tests.app_core.services import lab_node
from tests.loopback import eventually
from tests.sessions.lab import FAULTY, PORTS, SHELL, Lab

SIZE = (100, 30)


class SmallWindows(SessionServices):
    """Real sessions whose channels push back after a few unacknowledged bytes."""

    def shell_options(self) -> SessionOptions:
        return SessionOptions(high_water=24, low_water=0)


class Box:
    """A started NodeShell on one lab instance and everything its remote shell printed."""

    def __init__(self, services: SessionServices, instance_id: str, name: str) -> None:
        self.name = name
        self.output = bytearray()
        self.shell = NodeShell(
            lab_node(instance_id, name),
            services,
            on_output=self.output.extend,
            on_end=lambda end: None,
            on_change=lambda: None,
        )

    async def start(self) -> None:
        session = self.shell.connect(SIZE)
        assert session is not None
        await self.shell.start(session)
        await eventually(lambda: f"ssm-user@{self.name}".encode() in self.output)

    def type(self, group: BroadcastGroup, data: bytes) -> None:
        """What a tab does with keys typed into it: its own session, then the group."""
        assert self.shell.send(data)
        group.send(data, origin=self.shell)

    def shows(self, text: str) -> bool:
        return text.encode() in self.output


@asynccontextmanager
async def started(services: SessionServices, *targets: tuple[str, str]) -> AsyncIterator[list[Box]]:
    """A started Box per (instance id, name), every shell closed on the way out."""
    running = [Box(services, instance_id, name) for instance_id, name in targets]
    try:
        for box in running:
            await box.start()
        yield running
    finally:
        for box in running:
            box.shell.close()
        await services.close_all()


def broadcasting(*boxes: Box, backlog_limit: int = BACKLOG_LIMIT) -> BroadcastGroup:
    """A group of the ``boxes``' shells, switched on."""
    group = BroadcastGroup(backlog_limit=backlog_limit)
    for box in boxes:
        group.add(box.shell)
    group.enable()
    return group


@pytest.fixture
async def boxes(lab: Lab) -> AsyncIterator[list[Box]]:
    services = SessionServices(Config(), api_factory=lambda pair: lab.api)
    async with started(services, (SHELL, "box-1"), (PORTS, "web-1"), (FAULTY, "flaky-1")) as three:
        yield three


async def test_keys_typed_in_a_member_reach_every_members_own_shell_and_no_other(
    boxes: list[Box],
) -> None:
    first, second, outsider = boxes
    group = broadcasting(first, second)
    first.type(group, b"echo $((6*7))-from-one\r")
    await eventually(lambda: first.shows("42-from-one") and second.shows("42-from-one"))
    second.type(group, b"echo $((6*8))-from-two\r")
    await eventually(lambda: first.shows("48-from-two") and second.shows("48-from-two"))
    outsider.type(group, b"echo $((6*9))-alone\r")  # not a member: stays in its own tab
    await eventually(lambda: outsider.shows("54-alone"))
    assert not outsider.shows("42-from-one") and not outsider.shows("48-from-two")
    assert not first.shows("54-alone") and not second.shows("54-alone")
    assert group.status(second.shell) == MemberStatus(sent=len(b"echo $((6*7))-from-one\r"))
    first_session, second_session = first.shell.session, second.shell.session
    assert first_session is not None and second_session is not None
    assert first_session.session_id != second_session.session_id


async def test_nothing_is_repeated_while_the_group_is_off(boxes: list[Box]) -> None:
    first, second, _ = boxes
    group = BroadcastGroup()
    group.add(first.shell)
    group.add(second.shell)
    first.type(group, b"echo off-$((1+1))\r")
    await eventually(lambda: first.shows("off-2"))
    group.enable()
    group.disable()
    first.type(group, b"echo still-off-$((2+2))\r")
    await eventually(lambda: first.shows("still-off-4"))
    assert not second.shows("off-2") and not second.shows("still-off-4")


async def test_a_member_whose_shell_ended_drops_its_share_and_the_others_go_on(
    boxes: list[Box],
) -> None:
    changes: list[bool] = []
    first, dead, third = boxes
    group = BroadcastGroup(lambda: changes.append(group.status(dead.shell).lagging))
    for box in boxes:
        group.add(box.shell)
    group.enable()
    dead.shell.send(b"exit\r")
    await eventually(lambda: dead.shell.end is not None)
    typed = b"echo after-death-$((3*3))\r"
    assert group.send(typed, origin=first.shell) == 1
    first.shell.send(typed)
    await eventually(lambda: first.shows("after-death-9") and third.shows("after-death-9"))
    assert group.status(dead.shell) == MemberStatus(dropped=len(typed))
    assert group.status(dead.shell).lagging and changes[-1] is True
    group.enable()  # enabling again starts the counters afresh
    assert not group.status(dead.shell).lagging


async def test_a_member_that_never_acknowledges_queues_up_to_the_limit_then_drops(
    lab: Lab,
) -> None:
    lab.set_faults(FAULTY, Faults(withhold_acks=1.0))
    services = SmallWindows(Config(), api_factory=lambda pair: lab.api)
    async with started(services, (SHELL, "box-1"), (FAULTY, "flaky-1")) as (fine, stuck):
        group = broadcasting(fine, stuck, backlog_limit=40)
        stuck_session = stuck.shell.session
        assert stuck_session is not None
        lines = [f"echo line-{n}-$(({n}*11))\r".encode() for n in range(1, 6)]
        for n, line in enumerate(lines, start=1):
            fine.type(group, line)
            await eventually(partial(fine.shows, f"line-{n}-{n * 11}"))
        status = group.status(stuck.shell)
        assert not stuck_session.writable
        assert 0 < status.queued <= 40
        assert status.dropped > 0
        assert status.sent + status.queued + status.dropped == sum(map(len, lines))
        assert status.lagging


async def test_a_slow_member_gets_its_queued_bytes_in_order_once_it_catches_up(
    lab: Lab,
) -> None:
    lab.set_faults(FAULTY, Faults(delay=0.2))
    services = SmallWindows(Config(), api_factory=lambda pair: lab.api)
    async with started(services, (SHELL, "box-1"), (FAULTY, "flaky-1")) as (fast, slow):
        group = broadcasting(fast, slow)
        for n in range(1, 4):
            fast.type(group, f"echo slow-{n}-$(({n}*7))\r".encode())
        assert group.status(slow.shell).queued > 0  # the first line filled its small window
        for n in range(1, 4):
            await eventually(partial(slow.shows, f"slow-{n}-{n * 7}"))
            assert fast.shows(f"slow-{n}-{n * 7}")
        await eventually(lambda: not group.status(slow.shell).lagging)
        assert slow.output.index(b"slow-1-7") < slow.output.index(b"slow-2-14")
        assert slow.output.index(b"slow-2-14") < slow.output.index(b"slow-3-21")


async def test_a_closed_tab_leaves_the_group_and_an_empty_group_turns_off(
    boxes: list[Box],
) -> None:
    first, second, _ = boxes
    group = BroadcastGroup()
    assert group.toggle(first.shell) and group.toggle(second.shell)
    group.enable()
    assert group.members == (first.shell, second.shell)
    assert not group.toggle(second.shell)
    second.type(group, b"echo unmarked-$((5*5))\r")
    await eventually(lambda: second.shows("unmarked-25"))
    assert not first.shows("unmarked-25")
    group.discard(first.shell)
    assert len(group) == 0 and not group.enabled


def test_production_tags_need_a_yes_whatever_their_case() -> None:
    rules = ("Environment=prod", "Environment=production")
    nodes = [
        ManagedNode(instance_id=f"i-{name}", profile="p", region="r", name=name, tags=tags)
        for name, tags in (
            ("web-1", {"Environment": "Prod"}),
            ("web-2", {"environment": "staging"}),
            ("db-1", {"Environment": "production"}),
        )
    ]
    assert confirm_reasons(nodes, rules) == [
        "web-1 (Environment=prod)",
        "db-1 (Environment=production)",
    ]
    assert confirm_reasons(nodes, ()) == []

"""The fan-out runners against the lab: per-node events, failures kept apart, cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.fanout import SessionFanOut
from ssm_tui.sessions.fanout_events import (
    FanOutEvent,
    FirstLine,
    NodeFinished,
    NodeOutput,
    NodeStarted,
    NodeState,
)
from ssm_tui.sessions.fanout_run_command import RunCommandFanOut
from tests.sessions.lab import ACCOUNT, OFFLINE, OLD_AGENT, PORTS, REGION, SHELL, Lab

Runner = SessionFanOut | RunCommandFanOut


def _node(instance_id: str, name: str, ping: str = "Online") -> ManagedNode:
    return ManagedNode(
        instance_id=instance_id, profile=ACCOUNT.name, region=REGION, name=name, ping_status=ping
    )


BOX, WEB, OLD = _node(SHELL, "box-1"), _node(PORTS, "web-1"), _node(OLD_AGENT, "old-1")
DARK = _node(OFFLINE, "dark-1", "ConnectionLost")
GHOST = _node("i-0000000000000dead", "ghost")


def _sessions(
    nodes: list[ManagedNode], command: str, events: list[FanOutEvent], **kw: Any
) -> Runner:
    return SessionFanOut(nodes, command, on_event=events.append, **kw)


def _run_command(
    nodes: list[ManagedNode], command: str, events: list[FanOutEvent], **kw: Any
) -> Runner:
    return RunCommandFanOut(nodes, command, on_event=events.append, first_poll=0.05, **kw)


ENGINES = pytest.mark.parametrize(
    "engine", [_sessions, _run_command], ids=["sessions", "run-command"]
)
Engine = Callable[..., Runner]


def _of(events: list[FanOutEvent], node: ManagedNode) -> list[FanOutEvent]:
    return [e for e in events if e.node == node]


@ENGINES
async def test_each_node_reports_started_output_then_finished(lab: Lab, engine: Engine) -> None:
    events: list[FanOutEvent] = []
    runner = engine([BOX, WEB], "echo first; echo second; echo oops >&2; exit 5", events)
    results = await runner.run()
    assert [r.node for r in results] == [BOX, WEB]
    for node, result in zip([BOX, WEB], results, strict=True):
        mine = _of(events, node)
        assert isinstance(mine[0], NodeStarted)
        assert mine[-1] is result
        output = [e for e in mine if isinstance(e, NodeOutput)]
        assert b"".join(e.data for e in output if not e.stderr) == b"first\nsecond\n"
        assert b"".join(e.data for e in output if e.stderr) == b"oops\n"
        assert (result.state, result.exit_code, result.first_line) == (
            NodeState.FAILED,
            5,
            "first",
        )
        assert result.duration > 0


@ENGINES
async def test_offline_nodes_are_not_run(lab: Lab, engine: Engine) -> None:
    events: list[FanOutEvent] = []
    results = await engine([DARK, BOX], "true", events).run()
    assert [r.state for r in results] == [NodeState.OFFLINE, NodeState.OK]
    assert _of(events, DARK) == [results[0]]
    assert "ConnectionLost" in results[0].reason
    assert all(s.target != OFFLINE for s in lab.server.sessions)


async def test_a_refused_node_is_an_error_and_the_others_still_run(lab: Lab) -> None:
    events: list[FanOutEvent] = []
    results = await SessionFanOut([GHOST, BOX], "echo ran", on_event=events.append).run()
    assert results[0].state is NodeState.ERROR
    assert GHOST.instance_id in results[0].reason
    assert (results[1].state, results[1].first_line) == (NodeState.OK, "ran")


async def test_a_send_command_refusal_fails_only_that_pairs_nodes(lab: Lab) -> None:
    events: list[FanOutEvent] = []
    runner = RunCommandFanOut([GHOST, BOX], "true", on_event=events.append, first_poll=0.05)
    results = await runner.run()
    assert [r.state for r in results] == [NodeState.ERROR, NodeState.ERROR]
    assert f"one of {GHOST.instance_id}, {BOX.instance_id}" in results[0].reason


async def test_a_listener_that_raises_does_not_stop_the_run(lab: Lab) -> None:
    def broken(event: FanOutEvent) -> None:
        raise RuntimeError("listener bug")

    results = await SessionFanOut([BOX, WEB], "echo hi", on_event=broken).run()
    assert [r.state for r in results] == [NodeState.OK, NodeState.OK]


async def test_cancel_terminates_running_sessions_and_skips_queued_ones(lab: Lab) -> None:
    started = asyncio.Event()

    def on_event(event: FanOutEvent) -> None:
        if isinstance(event, NodeOutput):
            started.set()

    runner = SessionFanOut(
        [BOX, WEB, OLD], "echo started; sleep 30", on_event=on_event, max_concurrency=1
    )
    running = asyncio.create_task(runner.run())
    async with asyncio.timeout(20):
        await started.wait()
        await runner.cancel()
        results = await running
    assert [r.state for r in results] == [NodeState.CANCELLED] * 3
    assert len(lab.server.sessions) == 1  # web-1 and old-1 never started
    assert not any(s.active for s in lab.server.sessions)


async def test_cancel_cancels_the_run_command(lab: Lab) -> None:
    events: list[FanOutEvent] = []
    runner = _run_command([BOX, WEB], "sleep 30", events)
    running = asyncio.create_task(runner.run())
    async with asyncio.timeout(20):
        while sum(isinstance(e, NodeStarted) for e in events) < 2:
            await asyncio.sleep(0.02)
        await runner.cancel()
        results = await running
    assert [r.state for r in results] == [NodeState.CANCELLED] * 2
    assert all(isinstance(_of(events, n)[-1], NodeFinished) for n in (BOX, WEB))


def test_first_line_skips_blank_lines_and_joins_split_chunks() -> None:
    first = FirstLine()
    for chunk in (b"\n  \n", b"hel", b"lo wor", b"ld\nnext\n"):
        first.feed(chunk)
    assert first.close() == "hello world"
    unterminated = FirstLine()
    unterminated.feed(b"no newline")
    assert unterminated.close() == "no newline"

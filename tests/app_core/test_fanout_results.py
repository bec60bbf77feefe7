"""FanOutResults and FanOutRun fed by the real runners against the lab: rows, groups, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ssm_tui.app_core import fanout_results
from ssm_tui.app_core.fanout_results import FanOutResults
from ssm_tui.app_core.fanout_run import FanOutRun
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.fanout import FanOutRunner
from ssm_tui.sessions.fanout_events import FanOutListener, NodeFinished, NodeState
from ssm_tui.sessions.fanout_run_command import RunCommandFanOut
from tests.app_core.services import lab_services
from tests.sessions.lab import ACCOUNT, OFFLINE, OLD_AGENT, PORTS, REGION, SHELL, Lab


def _node(instance_id: str, name: str, ping: str = "Online") -> ManagedNode:
    return ManagedNode(
        instance_id=instance_id, profile=ACCOUNT.name, region=REGION, name=name, ping_status=ping
    )


BOX, WEB, OLD = _node(SHELL, "box-1"), _node(PORTS, "web-1"), _node(OLD_AGENT, "old-1")
DARK = _node(OFFLINE, "dark-1", "ConnectionLost")

# Fails on web-1 only (each node's home is named after its instance id).
ONE_FAILS = f'echo "on $(basename "$HOME")"; case $HOME in *{PORTS}) echo broken >&2; exit 3;; esac'


class Changes:
    """Counts a run's ``on_change`` calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def _finished(run: FanOutRun) -> FanOutResults:
    run.start()
    async with asyncio.timeout(30):
        await run.wait()
    return run.results


async def test_rows_end_ok_failed_and_offline_with_exit_codes_and_first_lines(lab: Lab) -> None:
    changes = Changes()
    run = FanOutRun([BOX, WEB, DARK], ONE_FAILS, lab_services(lab), on_change=changes)
    assert [r.state for r in run.results.results] == [NodeState.QUEUED] * 3
    results = await _finished(run)
    box, web, dark = results.results
    assert (box.state, box.exit_code, box.first_line) == (NodeState.OK, 0, f"on {SHELL}")
    assert (web.state, web.exit_code, web.first_line) == (NodeState.FAILED, 3, f"on {PORTS}")
    assert web.output_text() == (f"on {PORTS}\n", "broken\n")
    assert (dark.state, dark.exit_code, dark.duration) == (NodeState.OFFLINE, None, None)
    assert "ConnectionLost" in dark.summary_line
    assert box.duration is not None and box.duration > 0
    assert not run.running and results.finished
    assert changes.count >= 7  # started, output and finished per node, the offline one, the end
    assert results.summary() == "3 nodes · 1 ok · 1 failed · 1 offline · done"


async def test_only_rows_that_changed_are_handed_out(lab: Lab) -> None:
    run = FanOutRun([BOX, DARK], "echo hi", lab_services(lab), on_change=lambda: None)
    assert run.results.take_changed() == {BOX.key, DARK.key}  # every row is new
    assert run.results.take_changed() == set()
    await _finished(run)
    assert run.results.take_changed() == {BOX.key, DARK.key}


async def test_identical_outputs_form_one_group_and_different_ones_stay_apart(lab: Lab) -> None:
    command = f"echo same; case $HOME in *{OLD_AGENT}) echo other;; esac"
    run = FanOutRun([BOX, WEB, OLD, DARK], command, lab_services(lab), on_change=lambda: None)
    results = await _finished(run)
    groups = results.groups()
    assert [g.names for g in groups] == [["box-1", "web-1"], ["old-1"], ["dark-1"]]
    assert groups[0].count == 2
    assert groups[0].first.output_text() == ("same\n", "")
    assert groups[1].first.output_text() == ("same\nother\n", "")


async def test_running_rows_show_time_so_far_and_cancel_ends_them_cancelled(lab: Lab) -> None:
    now = [100.0]
    run = FanOutRun(
        [BOX, WEB],
        "echo started; sleep 30",
        lab_services(lab),
        on_change=lambda: None,
        clock=lambda: now[0],
    )
    run.start()
    async with asyncio.timeout(20):
        while not all(r.first_line == "started" for r in run.results.results):
            await asyncio.sleep(0.02)
        assert [r.state for r in run.results.results] == [NodeState.RUNNING] * 2
        now[0] = 102.5
        assert [r.elapsed(run.now()) for r in run.results.results] == [2.5, 2.5]
        run.cancel()
        assert run.cancelled
        await run.wait()
    assert [r.state for r in run.results.results] == [NodeState.CANCELLED] * 2
    await asyncio.sleep(0.1)
    assert not any(s.active for s in lab.server.sessions)


async def test_closing_a_run_cancels_it_and_quitting_waits_for_the_cancellation(
    lab: Lab,
) -> None:
    services = lab_services(lab)
    run = FanOutRun([BOX], "echo started; sleep 30", services, on_change=lambda: None)
    run.start()
    async with asyncio.timeout(20):
        while run.results.results[0].first_line != "started":
            await asyncio.sleep(0.02)
        run.close()
        assert services.closing == 1
        await services.close_all()
    assert run.results.results[0].state is NodeState.CANCELLED
    assert not any(s.active for s in lab.server.sessions)


async def test_the_run_command_engine_feeds_the_same_rows(lab: Lab) -> None:
    def via_run_command(
        nodes: Sequence[ManagedNode], command: str, on_event: FanOutListener
    ) -> FanOutRunner:
        return RunCommandFanOut(nodes, command, on_event=on_event, first_poll=0.05)

    run = FanOutRun(
        [BOX, WEB, DARK],
        ONE_FAILS,
        lab_services(lab),
        on_change=lambda: None,
        runner_factory=via_run_command,
    )
    results = await _finished(run)
    assert [(r.state, r.exit_code) for r in results.results] == [
        (NodeState.OK, 0),
        (NodeState.FAILED, 3),
        (NodeState.OFFLINE, None),
    ]
    assert results.results[1].output_text() == (f"on {PORTS}\n", "broken\n")


async def test_output_past_the_limit_is_counted_not_kept(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout_results, "MAX_KEPT", 1000)
    run = FanOutRun([BOX], "seq 1 1000", lab_services(lab), on_change=lambda: None)
    (box,) = (await _finished(run)).results
    assert len(box.stdout) == 1000
    assert box.stdout.startswith(b"1\n2\n3\n")
    assert box.dropped == len("".join(f"{n}\n" for n in range(1, 1001))) - 1000
    assert box.state is NodeState.OK


class BrokenRunner:
    """A runner with a bug: it raises instead of reporting."""

    async def run(self) -> list[NodeFinished]:
        raise RuntimeError("runner bug")

    async def cancel(self) -> None:
        return None


async def test_a_runner_that_raises_ends_every_node_with_the_reason(lab: Lab) -> None:
    run = FanOutRun(
        [BOX, WEB],
        "true",
        lab_services(lab),
        on_change=lambda: None,
        runner_factory=lambda nodes, command, on_event: BrokenRunner(),
    )
    results = await _finished(run)
    assert [(r.state, r.reason, r.duration) for r in results.results] == [
        (NodeState.ERROR, "runner bug", None)
    ] * 2
    assert [g.count for g in results.groups()] == [2]

"""Results tab with 500 nodes reporting at once: event handling, frame times, DataTable by contrast.

A scripted runner replays what a fan-out over 500 nodes reports (started, three chunks
of output, finished, per node) in bursts of 50 nodes per event-loop turn, into the real
FanOutTab inside the real app. Then the same 500 rows are updated cell by cell in a
Textual DataTable (widths fixed) for comparison. Prints figures; never
passes or fails.

Run: .venv/bin/python bench/ui_fanout.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from ssm_tui.app_core.fanout_results import NodeResult
from ssm_tui.app_core.fleet_source import SnapshotSource
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode
from ssm_tui.sessions.fanout import FanOutRunner
from ssm_tui.sessions.fanout_events import (
    FanOutListener,
    NodeFinished,
    NodeOutput,
    NodeStarted,
    NodeState,
)
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.fanout_tab import FanOutTab
from ssm_tui.ui.fanout_table import entry_cells

COUNT = 500
BURST = 50
NODES = [
    ManagedNode(
        instance_id=f"i-0{i:016x}",
        profile="prod",
        region="us-east-1",
        name=f"web-{i:03d}",
        ping_status="Online",
    )
    for i in range(COUNT)
]


class ScriptedRunner:
    """Reports for every node what a real runner would, ``BURST`` nodes per loop turn."""

    def __init__(self, nodes: Sequence[ManagedNode], on_event: FanOutListener) -> None:
        self.nodes = list(nodes)
        self.on_event = on_event
        self.handling = 0.0  # seconds spent inside on_event

    def _emit(self, event: NodeStarted | NodeOutput | NodeFinished) -> None:
        started = time.perf_counter()
        self.on_event(event)
        self.handling += time.perf_counter() - started

    async def run(self) -> list[NodeFinished]:
        results = []
        for at in range(0, len(self.nodes), BURST):
            for node in self.nodes[at : at + BURST]:
                self._emit(NodeStarted(node=node))
            await asyncio.sleep(0)
            for chunk in range(3):
                for node in self.nodes[at : at + BURST]:
                    self._emit(
                        NodeOutput(node=node, data=f"line {chunk} of {node.name}\n".encode())
                    )
                await asyncio.sleep(0)
            for node in self.nodes[at : at + BURST]:
                finished = NodeFinished(
                    node=node, state=NodeState.OK, exit_code=0, duration=0.5, first_line="line 0"
                )
                self._emit(finished)
                results.append(finished)
            await asyncio.sleep(0.005)
        return results

    async def cancel(self) -> None:
        return None


async def results_tab() -> None:
    app = SsmTuiApp(SnapshotSource(FleetSnapshot(nodes=tuple(NODES))))
    runners: list[ScriptedRunner] = []

    def factory(
        nodes: Sequence[ManagedNode], command: str, on_event: FanOutListener
    ) -> FanOutRunner:
        runners.append(ScriptedRunner(nodes, on_event))
        return runners[-1]

    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        tab = FanOutTab(NODES, "uptime", app.services, runner_factory=factory)
        started = time.perf_counter()
        app.open_tab(tab.title, tab)
        while not (tab.is_mounted and tab.run.results.finished):
            await pilot.pause(0.01)
        ran = time.perf_counter() - started
        await pilot.pause(0.3)
        blocked = []
        for _ in range(20):  # how long a repaint of the visible rows holds the loop
            tab.table.refresh_rows([r.key for r in tab.run.results.results])
            began = time.perf_counter()
            await pilot.pause()
            blocked.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        tab.table.set_grouped(True)
        grouping = (time.perf_counter() - began) * 1000
    events = COUNT * 5
    print(f"results tab, {COUNT} nodes, {events} events in bursts of {BURST} nodes:")
    print(
        f"  tab opened to run over (frames drawn meanwhile) {ran * 1000:.0f} ms; "
        f"event handling {runners[0].handling * 1e6 / events:.1f} µs/event"
    )
    print(
        f"  repaint of every visible row: median {statistics.median(blocked):.1f} ms, "
        f"max {max(blocked):.1f} ms; grouping {COUNT} finished nodes {grouping:.1f} ms"
    )


class TableBench(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def data_table() -> None:
    app = TableBench()
    results = [NodeResult(node=n) for n in NODES]
    async with app.run_test(size=(160, 45)) as pilot:
        table: DataTable[str] = app.query_one(DataTable)
        columns = ("node", "state", "exit", "time", "output")
        for column in columns:
            table.add_column(column, key=column)
        for result in results:
            table.add_row(*entry_cells(result, 0.0), key=result.node.name)
        await pilot.pause()
        updates = []
        for step in range(3):
            began = time.perf_counter()
            for result in results:
                result.state = (NodeState.RUNNING, NodeState.OK, NodeState.FAILED)[step]
                result.first_line = f"line {step}"
                for column, cell in zip(columns, entry_cells(result, 0.0), strict=True):
                    table.update_cell(result.node.name, column, cell)
            await pilot.pause()
            updates.append((time.perf_counter() - began) * 1000)
    print(
        f"DataTable, {COUNT} rows: every row updated cell by cell then drawn: "
        f"median {statistics.median(updates):.0f} ms, max {max(updates):.0f} ms per update"
    )


if __name__ == "__main__":
    asyncio.run(results_tab())
    asyncio.run(data_table())

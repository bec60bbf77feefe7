"""The rows of a fan-out run on Textual's Line API: one per node, or one per output group.

Only rows whose node changed are drawn again (``refresh_rows``), so hundreds of nodes
reporting at once cost a few strips per frame, not a table rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from ssm_tui.app_core.fanout_results import FanOutResults, NodeKey, NodeResult, OutputGroup
from ssm_tui.sessions.fanout_events import NodeState
from ssm_tui.ui.line_table import LineTable

Entry = NodeResult | OutputGroup

_GAP = 2
_NAME_WIDTH = (8, 40)  # narrowest and widest the name column gets
_FIXED = (("State", 9), ("Exit", 4), ("Time", 7))
_STATE_CLASSES = {
    NodeState.QUEUED: "fanout-table--quiet",
    NodeState.RUNNING: "fanout-table--running",
    NodeState.OK: "fanout-table--ok",
    NodeState.FAILED: "fanout-table--failed",
    NodeState.TIMED_OUT: "fanout-table--failed",
    NodeState.ERROR: "fanout-table--failed",
    NodeState.CANCELLED: "fanout-table--warning",
    NodeState.OFFLINE: "fanout-table--quiet",
}


def entry_cells(entry: Entry, now: float) -> tuple[str, str, str, str, str]:
    """Name(s), state, exit code, seconds and first line of a node or a group."""
    result = entry.first if isinstance(entry, OutputGroup) else entry
    if isinstance(entry, OutputGroup) and entry.count > 1:
        name = f"{entry.count} nodes: " + ", ".join(entry.names)
    else:
        name = result.node.label
    elapsed = result.elapsed(now)
    return (
        name,
        result.state.value,
        "" if result.exit_code is None else str(result.exit_code),
        "" if elapsed is None else f"{elapsed:.1f}s",
        result.summary_line,
    )


class FanOutTable(LineTable):
    """A fan-out run's nodes (or output groups) as rows with a cursor.

    The keys are those of ``LineTable``.
    """

    COMPONENT_CLASSES = {
        "fanout-table--quiet",
        "fanout-table--running",
        "fanout-table--ok",
        "fanout-table--failed",
        "fanout-table--warning",
    }

    DEFAULT_CSS = """
    FanOutTable {
        & > .fanout-table--quiet { text-style: dim; }
        & > .fanout-table--running { color: $accent; }
        & > .fanout-table--ok { color: $success; }
        & > .fanout-table--failed { color: $error; text-style: bold; }
        & > .fanout-table--warning { color: $warning; }
    }
    """

    class Selected(Message):
        """Enter on a row: show the output of ``entry`` (a node, or a group of alike nodes)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(
        self,
        results: FanOutResults,
        *,
        clock: Callable[[], float],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._results = results
        self._clock = clock
        nodes = results.results
        self._entries: list[Entry] = list(nodes)
        self._row_of: dict[NodeKey, int] = {r.key: i for i, r in enumerate(nodes)}
        self.grouped = False
        self._name_width = _name_width(r.node.label for r in nodes)
        self._strips: dict[int, Strip] = {}  # rows drawn, the cursor row excepted
        self._set_size()

    # -- data -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._entries)

    @property
    def entries(self) -> list[Entry]:
        """What the rows show, top to bottom."""
        return list(self._entries)

    @property
    def highlighted(self) -> Entry | None:
        """The node or group under the cursor."""
        if not self._entries:
            return None
        return self._entries[min(self.cursor_row, len(self._entries) - 1)]

    def refresh_rows(self, changed: Collection[NodeKey]) -> None:
        """Redraw the rows of the nodes in ``changed`` (grouped: regroup, redraw all)."""
        if self.grouped:
            if changed:
                self._regroup()
            return
        for key in changed:
            row = self._row_of.get(key)
            if row is not None:
                self._strips.pop(row, None)
                self.refresh_line(row + 1)  # line 0 is the header

    def refresh_running(self) -> None:
        """Redraw the rows still running: their time goes up."""
        running = {r.key for r in self._results.results if r.state is NodeState.RUNNING}
        self.refresh_rows(running)

    def set_grouped(self, grouped: bool) -> None:
        """One row per node, or one per group of nodes whose output is the same."""
        highlighted = self.highlighted
        self.grouped = grouped
        if grouped:
            self._regroup()
        else:
            nodes = self._results.results
            self._entries = list(nodes)
            self._row_of = {r.key: i for i, r in enumerate(nodes)}
            self._name_width = _name_width(r.node.label for r in nodes)
            self._redraw()
        self.cursor_row = self._row_for(highlighted)

    def _regroup(self) -> None:
        self._entries = list(self._results.groups())
        self._row_of = {}
        self._name_width = _name_width(entry_cells(e, 0.0)[0] for e in self._entries)
        self._redraw()

    def _row_for(self, entry: Entry | None) -> int:
        if entry is None:
            return 0
        key = entry.first.key if isinstance(entry, OutputGroup) else entry.key
        for row, candidate in enumerate(self._entries):
            results = candidate.results if isinstance(candidate, OutputGroup) else (candidate,)
            if any(r.key == key for r in results):
                return row
        return 0

    def _redraw(self) -> None:
        self._strips.clear()
        self._set_size()
        self.refresh()

    def _set_size(self) -> None:
        widths = self._name_width + sum(w for _, w in _FIXED) + _GAP * 5 + 40
        self.virtual_size = Size(widths, len(self._entries) + 1)

    # -- cursor ---------------------------------------------------------------------------

    def select(self) -> None:
        """Ask to show the highlighted row's output."""
        if (entry := self.highlighted) is not None:
            self.post_message(self.Selected(entry))

    def _row_clicked(self, row: int, chain: int) -> None:
        if chain == 2:
            self.select()

    # -- drawing --------------------------------------------------------------------------

    def _forget_strips(self) -> None:
        self._strips.clear()

    def _header_strip(self) -> Strip:
        header = ("Nodes" if self.grouped else "Node", *(label for label, _ in _FIXED), "Output")
        style = self._header_style()
        return self._strip(header, style, style)

    def _row_strip(self, row: int) -> Strip:
        cursor = row == self.cursor_row
        strip = None if cursor else self._strips.get(row)
        if strip is None:
            entry = self._entries[row]
            style = self._row_style(cursor=cursor, odd=row % 2 == 1)
            state_style = style
            if not cursor:
                result = entry.first if isinstance(entry, OutputGroup) else entry
                state_style = self._cell_style(style, _STATE_CLASSES[result.state])
            strip = self._strip(entry_cells(entry, self._clock()), style, state_style)
            if not cursor:
                self._strips[row] = strip
        return strip

    def _strip(self, cells: tuple[str, ...], style: Style, state_style: Style) -> Strip:
        """``cells`` in their columns, in ``style`` but for the state cell in ``state_style``."""
        widths = (self._name_width, *(w for _, w in _FIXED))
        segments = [Segment(" ", style)]
        for index, (text, width) in enumerate(zip(cells, widths, strict=False)):
            cell_style = state_style if index == 1 else style
            segments.append(Segment(_fit(text, width), cell_style))
            segments.append(Segment(" " * _GAP, style))
        used = sum(s.cell_length for s in segments)
        rest = max(0, self._frame[1] - used)
        segments.append(Segment(_fit(cells[-1], rest) if rest else "", style))
        return Strip(segments)


def _name_width(names: Iterable[str]) -> int:
    narrowest, widest = _NAME_WIDTH
    return max(narrowest, min(widest, max((cell_len(n) for n in names), default=0)))


_CONTROLS = {code: " " for code in (*range(32), 127)}


def _fit(text: str, width: int) -> str:
    """``text`` on one line, padded or cut (with an ellipsis) to exactly ``width`` cells."""
    text = text.translate(_CONTROLS)  # remote output: no escape sequences on our screen
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"

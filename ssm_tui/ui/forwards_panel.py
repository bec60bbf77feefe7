"""The forwarding panel: one row per port forward, fed from plain :class:`ForwardRow` values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from ssm_tui.app_core.forwards import ForwardRow

_STATE_STYLES = {
    "listening": "green",
    "active": "green",
    "connecting": "yellow",
    "reconnecting": "yellow",
    "failed": "red",
    "closed": "dim",
}


def cells(row: ForwardRow) -> tuple[str | Text, ...]:
    """The row's cells, in column order."""
    return (
        row.target,
        f"{row.local} → {row.remote}",
        row.mode,
        Text(row.state, style=_STATE_STYLES.get(row.state.split(":")[0], "")),  # "failed: why"
        str(row.connections),
        f"{human_bytes(row.bytes_in)} / {human_bytes(row.bytes_out)}",
    )


COLUMNS = ("target", "local → remote", "mode", "state", "conns", "bytes in/out")


def human_bytes(count: int) -> str:
    """``count`` bytes in the largest unit that keeps it at least 1 (``1.5 KiB``)."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class ForwardsPanel(Vertical):
    """Live port forwards: target, ports, mode, state, connections and traffic.

    | Key(s) | Description |
    | :- | :- |
    | x | Stop the highlighted forward (on a stopped one: remove its row). |
    | r | Restart the highlighted forward on the same local port. |
    | c | Copy the highlighted forward's local address. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "stop", "Stop forward", id="ssm-tui.stop-forward"),
        Binding("r", "restart", "Restart forward", id="ssm-tui.restart-forward"),
        Binding("c", "copy_address", "Copy address", id="ssm-tui.copy-forward"),
    ]

    class StopRequested(Message):
        """The user asked to stop the forward whose row key is ``key``."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class RestartRequested(Message):
        """The user asked to restart the forward whose row key is ``key``."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[str, ForwardRow] = {}

    def compose(self) -> ComposeResult:
        yield Static("Port forwards", classes="panel-title")
        yield Static("No port forwards: press f on a node to start one.", id="no-forwards")
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=True)
        for label in COLUMNS:
            table.add_column(label, key=label)
        yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).display = False

    @property
    def rows(self) -> list[str]:
        """The keys of the forwards shown, top to bottom."""
        return [str(row.key.value) for row in self.query_one(DataTable).ordered_rows]

    def set_rows(self, rows: Iterable[ForwardRow]) -> None:
        """Show exactly ``rows``: existing rows update in place, others are added or removed."""
        table: DataTable[str | Text] = self.query_one(DataTable)
        wanted = {row.key: row for row in rows}
        self._rows = wanted
        for key in [str(k.value) for k in table.rows if k.value not in wanted]:
            table.remove_row(key)
        for key, row in wanted.items():
            if key in table.rows:
                for column, cell in zip(COLUMNS, cells(row), strict=True):
                    if table.get_cell(key, column) != cell:
                        table.update_cell(key, column, cell, update_width=True)
            else:
                table.add_row(*cells(row), key=key)
        table.display = bool(wanted)
        self.query_one("#no-forwards").display = not wanted

    @property
    def highlighted(self) -> ForwardRow | None:
        """The row under the cursor, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self._rows.get(str(key.value))

    def action_stop(self) -> None:
        if (row := self.highlighted) is not None:
            self.post_message(self.StopRequested(row.key))

    def action_restart(self) -> None:
        if (row := self.highlighted) is not None:
            self.post_message(self.RestartRequested(row.key))

    def action_copy_address(self) -> None:
        if (row := self.highlighted) is not None:
            self.app.copy_to_clipboard(row.local)
            self.notify(f"Copied {row.local}", timeout=2, markup=False)

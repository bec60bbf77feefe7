"""The fleet browser: every managed node in one filterable, sortable table."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from ssm_tui.app_core.fleet_source import FleetSource
from ssm_tui.aws.filter import parse_filter
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode
from ssm_tui.ui.node_columns import COLUMN_KEYS
from ssm_tui.ui.node_table import NodeTable


class FleetBrowser(Vertical):
    """Lists the nodes a :class:`FleetSource` finds; opens shells and forwards on them.

    | Key(s) | Description |
    | :- | :- |
    | enter | Open a shell on the highlighted node. |
    | o | Open a shell on every marked node. |
    | f | New port forward through the highlighted node. |
    | x | Run a command on the marked nodes (none marked: the highlighted one). |
    | c | Copy the highlighted node's instance id. |
    | / | Filter: text, `tag:k=v`, `!negation`; escape clears it. |
    | s, S | Sort by the next column; reverse the sort. |
    | r | List the fleet again. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_shell", "Shell", id="ssm-tui.open-shell"),
        Binding("o", "open_marked", "Open marked", id="ssm-tui.open-marked"),
        Binding("f", "new_forward", "Forward", id="ssm-tui.new-forward"),
        Binding("x", "run_command", "Run command", show=False, id="ssm-tui.run-command"),
        Binding("c", "copy_id", "Copy ID", show=False, id="ssm-tui.copy-id"),
        Binding("slash", "filter", "Filter", id="ssm-tui.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("s", "sort", "Sort", show=False, id="ssm-tui.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("r", "reload", "Refresh", id="ssm-tui.refresh"),
    ]

    loading: reactive[bool] = reactive(False)
    """True while the source is being listed."""

    class OpenShell(Message):
        """The user asked for a shell on ``node``."""

        def __init__(self, node: ManagedNode) -> None:
            super().__init__()
            self.node = node

    class NewForward(Message):
        """The user asked for a port forward through ``node``."""

        def __init__(self, node: ManagedNode) -> None:
            super().__init__()
            self.node = node

    class RunCommand(Message):
        """The user asked to run a command on ``nodes`` (the marked ones, or the highlighted)."""

        def __init__(self, nodes: list[ManagedNode]) -> None:
            super().__init__()
            self.nodes = nodes

    class Loaded(Message):
        """A listing finished (some pairs may have failed: see ``snapshot.errors``)."""

        def __init__(self, snapshot: FleetSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    def __init__(
        self,
        source: FleetSource,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._source = source
        self._snapshot = FleetSnapshot()
        self._progress = (0, 0)
        self._typing_filter = False  # "/" pressed, enter or escape not yet

    def compose(self) -> ComposeResult:
        # "/" selects the text itself (action_filter): focus lands after the keys typed
        # ahead of it ("/tag:..."), and selecting those would let the next key replace them.
        yield Input(
            placeholder="filter: text  tag:k=v  !negation",
            id="filter",
            compact=True,
            select_on_focus=False,
        )
        yield Static(id="status")
        yield Static(id="errors")
        yield NodeTable(id="nodes")

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one("#errors").display = False
        self._show_status()

    @property
    def source(self) -> FleetSource:
        """Where the nodes come from; setting it lists the new source."""
        return self._source

    @source.setter
    def source(self, source: FleetSource) -> None:
        self._source = source
        self.reload()

    @property
    def table(self) -> NodeTable:
        """The table of nodes."""
        return self.query_one(NodeTable)

    @property
    def snapshot(self) -> FleetSnapshot:
        """What the last completed listing found."""
        return self._snapshot

    # -- loading --------------------------------------------------------------------------

    @work(exclusive=True, group="fleet-load")
    async def reload(self) -> None:
        """List the source again (the table keeps showing the previous listing meanwhile)."""
        self.loading = True
        self._progress = (0, 0)
        self._show_status()
        try:
            snapshot = await self._source.load(self._on_progress)
        except Exception as error:  # a source bug must not take the app down
            self.log.error("fleet listing failed", error)
            snapshot = FleetSnapshot(nodes=self._snapshot.nodes)
            self._show_problems([f"✗ {error}"])
        else:
            self._show_problems(
                [f"✗ {e.pair}: {e.message}" for e in snapshot.errors]
                + [f"! {w.pair}: {w.message}" for w in snapshot.warnings]
            )
        self._snapshot = snapshot
        self.table.set_nodes(snapshot.nodes)
        self.loading = False
        self._show_status()
        self.post_message(self.Loaded(snapshot))

    def _on_progress(self, done: int, total: int) -> None:
        self._progress = (done, total)
        self._show_status()

    def _show_problems(self, lines: list[str]) -> None:
        errors = self.query_one("#errors", Static)
        errors.update(Text("\n".join(lines)))  # AWS messages are text, never markup
        errors.display = bool(lines)

    def _show_status(self) -> None:
        table = self.table
        parts = []
        if table.node_count or not self.loading:
            parts.append(_count(table.node_count, "node"))
        if table.row_count != table.node_count:
            parts.append(f"{table.row_count:,} shown")
        if marked := table.mark_count:
            parts.append(f"{marked:,} marked")
        if self.loading:
            done, total = self._progress
            parts.append(f"listing… {done}/{total} pairs" if total else "listing…")
        self.query_one("#status", Static).update(" · ".join(parts))

    # -- table events ---------------------------------------------------------------------

    @on(NodeTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._show_status()
        self.refresh_bindings()  # "Open marked" shows only while something is marked

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(parse_filter(event.value).terms)
        self._show_status()

    def on_key(self, event: events.Key) -> None:
        # Type-ahead: keys that follow "/" in one burst are queued for the table before the
        # filter gets focus. The filter stops the keys it handles itself, so while the user
        # is typing a filter, a key bubbling up here is one of those and belongs to it.
        if not self._typing_filter:
            active = self.screen.active_bindings.get(event.key)  # after the keymap
            if active is not None and active.node is self and active.binding.action == "filter":
                event.stop()
                event.prevent_default()
                self.action_filter()  # now, not when the binding would run: later keys follow
            return
        filter_input = self.query_one("#filter", Input)
        if event.key == "enter":
            self._filter_submitted()
        elif event.key == "escape":
            self.action_clear_filter()
        elif event.key == "backspace":
            filter_input.action_delete_left()
        elif event.is_printable and event.character:
            filter_input.replace(event.character, *filter_input.selection)
        else:
            return
        event.stop()
        event.prevent_default()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "filter":
            self._typing_filter = False

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self._typing_filter = False
        # After the refresh: typed ahead in one burst ("/web-1⏎"), the filter's own focus
        # (it waits for the filter to be laid out) would otherwise land after this one.
        self.call_after_refresh(self._focus_table_if_still_here)

    def _focus_table_if_still_here(self) -> None:
        # Keys typed after the enter may have moved on by now (x opened a results tab, enter
        # a shell): focus stays where they put it.
        focused = self.screen.focused
        if focused is None or self in focused.ancestors_with_self:
            self.table.focus()

    # -- actions --------------------------------------------------------------------------

    def action_open_shell(self) -> None:
        if (node := self.table.highlighted_node) is not None:
            self.post_message(self.OpenShell(node))

    def action_open_marked(self) -> None:
        for node in self.table.marked_nodes:
            self.post_message(self.OpenShell(node))
        self.table.clear_marks()

    def action_new_forward(self) -> None:
        if (node := self.table.highlighted_node) is not None:
            self.post_message(self.NewForward(node))

    def action_run_command(self) -> None:
        nodes = self.table.marked_nodes
        if not nodes and (node := self.table.highlighted_node) is not None:
            nodes = [node]
        if nodes:
            self.post_message(self.RunCommand(nodes))

    def action_copy_id(self) -> None:
        if (node := self.table.highlighted_node) is not None:
            self.app.copy_to_clipboard(node.instance_id)
            self.notify(f"Copied {node.instance_id}", timeout=2, markup=False)

    def action_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.display = True
        filter_input.select_all()  # what is typed next replaces the filter kept from before
        filter_input.focus()
        self._typing_filter = True

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        filter_input.display = False
        self._typing_filter = False
        self.table.set_filter(())
        self.table.focus()
        self._show_status()

    def action_sort(self) -> None:
        table = self.table
        following = COLUMN_KEYS[(COLUMN_KEYS.index(table.sort_column) + 1) % len(COLUMN_KEYS)]
        table.sort_by(following, reverse=False)

    def action_reverse_sort(self) -> None:
        self.table.sort_by(self.table.sort_column, reverse=not self.table.sort_reverse)

    def action_reload(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return any(f.display for f in self.query("#filter"))
        if action == "open_marked":
            return any(t.mark_count for t in self.query(NodeTable))
        return True


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

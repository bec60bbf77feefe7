"""One node's (or one output group's) full output from a fan-out run, scrollable."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ssm_tui.app_core.fanout_results import NodeResult, OutputGroup

_STDERR_RULE = "── stderr ──"


def output_text(result: NodeResult) -> str:
    """Stdout, then stderr under a rule, then what was not kept; a note when there is none."""
    stdout, stderr = result.output_text()
    parts = [stdout] if stdout else []
    if stderr:
        if parts and not stdout.endswith("\n"):
            parts.append("\n")
        parts += [f"{_STDERR_RULE}\n", stderr]
    if result.dropped:
        parts.append(f"\n[{result.dropped:,} more bytes not kept]\n")
    return "".join(parts) or "(no output)"


def outcome(result: NodeResult, now: float) -> str:
    """``failed · exit 3 · 1.2s · reason``: how the node ended (or where it is)."""
    parts = [result.state.value]
    if result.exit_code is not None:
        parts.append(f"exit {result.exit_code}")
    if (elapsed := result.elapsed(now)) is not None:
        parts.append(f"{elapsed:.1f}s")
    if result.reason:
        parts.append(result.reason)
    return " · ".join(parts)


class OutputScreen(ModalScreen[None]):
    """Shows the stdout and stderr of a node, or of a group of nodes whose output is the same.

    | Key(s) | Description |
    | :- | :- |
    | escape, q | Back to the results. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Back")]

    def __init__(self, entry: NodeResult | OutputGroup, *, now: float) -> None:
        super().__init__()
        self.entry = entry
        self.result = entry.first if isinstance(entry, OutputGroup) else entry
        self.now = now

    @property
    def title_text(self) -> str:
        """The node's name, or every name of the group."""
        if isinstance(self.entry, OutputGroup) and self.entry.count > 1:
            return f"{self.entry.count} nodes: " + ", ".join(self.entry.names)
        return f"{self.result.node.label} ({self.result.node.instance_id})"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog output"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(Text(outcome(self.result, self.now)), id="output-outcome")
            yield TextArea(
                output_text(self.result), read_only=True, soft_wrap=False, id="output-text"
            )
            yield Static("escape goes back", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

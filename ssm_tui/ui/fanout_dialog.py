"""The Run Command dialog: which nodes, and the shell command to run on each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.fanout_events import runnable

_NAMES_SHOWN = 8


def describe_nodes(nodes: Sequence[ManagedNode]) -> str:
    """``web-1, web-2 and 3 more (1 offline: not run)``: the nodes a command will go to."""
    names = [n.label for n in nodes[:_NAMES_SHOWN]]
    text = ", ".join(names)
    if len(nodes) > _NAMES_SHOWN:
        text += f" and {len(nodes) - _NAMES_SHOWN:,} more"
    offline = sum(1 for n in nodes if not runnable(n))
    if offline:
        text += f" ({offline:,} offline: not run)"
    return text


class CommandScreen(ModalScreen[str | None]):
    """Ask for the command to run on ``nodes``; dismisses with it, or None when cancelled.

    | Key(s) | Description |
    | :- | :- |
    | enter | Run. |
    | escape | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, nodes: Sequence[ManagedNode], command: str = "") -> None:
        super().__init__()
        self.nodes = list(nodes)
        self.command = command

    def compose(self) -> ComposeResult:
        count = len(self.nodes)
        with Vertical(classes="dialog run-command"):
            yield Label(
                f"Run a command on {count:,} node{'' if count == 1 else 's'}",
                classes="dialog-title",
            )
            yield Static(Text(describe_nodes(self.nodes)), id="command-nodes")
            yield Input(
                self.command, placeholder="shell command, e.g. uptime", select_on_focus=True
            )
            yield Static(
                "Runs under sh on every node, output kept per node. enter runs · escape cancels",
                classes="dialog-hint",
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if command := event.value.strip():
            self.dismiss(command)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The help screen, generated from the bindings active where the user pressed ``?``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpSection:
    """The keys one part of the interface (a widget, the screen, the app) answers to."""

    title: str
    entries: tuple[tuple[str, str], ...]  # (keys, description)


def help_sections(screen: Screen[object]) -> list[HelpSection]:
    """What ``screen``'s active bindings do, innermost part first (focused widget, ..., app)."""
    app = screen.app
    grouped: dict[DOMNode, dict[str, list[str]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        description = binding.description
        if binding.priority and not isinstance(active.node, App):
            description += " (works in shells too)"
        keys = grouped.setdefault(active.node, {}).setdefault(description, [])
        display = app.get_key_display(Binding(key, binding.action))
        if display not in keys:
            keys.append(display)
    innermost_first = sorted(grouped, key=lambda node: -len(node.ancestors))
    return [
        HelpSection(
            _title(node),
            tuple((_keys(keys), description) for description, keys in grouped[node].items()),
        )
        for node in innermost_first
    ]


def _keys(keys: list[str]) -> str:
    return f"{keys[0]} … {keys[-1]}" if len(keys) > 3 else ", ".join(keys)


def _title(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Everywhere"
    words = re.findall(r"[A-Z][a-z]*", type(node).__name__)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else str(node)


class HelpScreen(ModalScreen[None]):
    """Every key that works where the user was, grouped by the part that handles it.

    | Key(s) | Description |
    | :- | :- |
    | escape, ?, q | Close help. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help")
    ]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("Keys that work here", classes="dialog-title")
            with VerticalScroll():
                for section in self.sections:
                    yield Static(self._table(section), classes="help-section")
            yield Static("escape closes · ctrl+p lists every command", classes="dialog-hint")

    @staticmethod
    def _table(section: HelpSection) -> Table:
        table = Table.grid(padding=(0, 2))
        table.title = Text(section.title, style="bold")
        table.title_justify = "left"
        table.add_column(min_width=14, style="bold")
        table.add_column()
        for keys, description in section.entries:
            table.add_row(keys, description)
        return table

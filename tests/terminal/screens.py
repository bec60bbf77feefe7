"""Helpers that describe a Terminal's state as plain data, for golden files and comparisons."""

from __future__ import annotations

from typing import Any

from ssm_tui.terminal.stream import SECONDARY_CSI
from ssm_tui.terminal.terminal import Terminal

_FLAGS = ("bold", "italics", "underscore", "strikethrough", "reverse", "blink")


def summary(terminal: Terminal) -> dict[str, Any]:
    """What a golden file records: text, colours and attributes per row, cursor, modes."""
    rows: list[str] = []
    styles: dict[str, list[list[Any]]] = {}
    first = terminal.scrollback_count
    for y in range(terminal.lines):
        text, spans = terminal.line(first + y)
        rows.append(text)
        runs = []
        for length, style in spans:
            flags = ",".join(flag for flag in _FLAGS if getattr(style, flag))
            runs.append([length, style.fg, style.bg, flags])
        if any(run[1:] != ["default", "default", ""] for run in runs):
            styles[str(y)] = runs
    return {
        "size": [terminal.columns, terminal.lines],
        "cursor": list(terminal.cursor),
        "cursor_visible": terminal.cursor_visible,
        "alternate_screen": terminal.alternate_screen,
        "title": terminal.title,
        "scrollback_lines": terminal.scrollback_count,
        "rows": rows,
        "styles": styles,
    }


def cells(terminal: Terminal) -> Any:
    """Every cell, the cursor with its attributes, the scrollback and the mode set."""
    screen = terminal.screen
    grid = [
        [tuple(screen.buffer.get(y, {}).get(x, screen.default_char)) for x in range(screen.columns)]
        for y in range(screen.lines)
    ]
    scrollback = [terminal.line(index) for index in range(terminal.scrollback_count)]
    cursor = (screen.cursor.x, screen.cursor.y, tuple(screen.cursor.attrs), screen.cursor.hidden)
    return grid, cursor, scrollback, screen.scrollback.total, sorted(screen.mode)


def fed_fast(data: bytes, *, columns: int = 80, lines: int = 24, chunk: int = 0) -> Terminal:
    """A terminal on the fast path fed ``data``, in chunks of ``chunk`` bytes if non-zero."""
    terminal = Terminal(columns, lines)
    step = chunk or max(1, len(data))
    for start in range(0, len(data), step):
        terminal.feed(data[start : start + step])
    return terminal


def fed_slow(data: bytes, *, columns: int = 80, lines: int = 24) -> Terminal:
    """The same model fed through stock pyte code: its Stream and its per-character draw.

    pyte drops the ``>`` of ``CSI > ...`` sequences and then misreads them (``CSI > 4;2 m``
    becomes SGR underline); the fast path consumes them, so they are removed here first.
    """
    terminal = Terminal(columns, lines, fast=False)
    text = SECONDARY_CSI.sub("", data.decode("utf-8", "replace"))
    terminal.feed(text.encode())
    return terminal

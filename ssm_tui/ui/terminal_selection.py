"""The text selection a mouse drag makes over a terminal's lines."""

from __future__ import annotations

from ssm_tui.terminal.scrollback import cells_to_chars
from ssm_tui.terminal.terminal import Terminal

Point = tuple[int, int]
"""(line index in Terminal numbering, cell column)."""

_LINE_END = 1 << 16


class Selection:
    """Where a drag started and where it is now, in terminal lines and cells."""

    def __init__(self) -> None:
        self.points: tuple[Point, Point] | None = None
        """(anchor, end) as dragged, in any order; None when nothing is selected."""
        self.dragging = False

    def start(self, point: Point) -> None:
        """Begin a drag at ``point`` (an empty selection until it moves)."""
        self.dragging = True
        self.points = (point, point)

    def extend(self, point: Point) -> bool:
        """Move the dragged end to ``point``; False when no drag is under way."""
        if not self.dragging or self.points is None:
            return False
        self.points = (self.points[0], point)
        return True

    def clear(self) -> bool:
        """Drop the selection; True if there was one."""
        if self.points is None:
            return False
        self.points = None
        return True

    def _ordered(self) -> tuple[Point, Point] | None:
        if self.points is None or self.points[0] == self.points[1]:
            return None
        start, end = sorted(self.points)
        return start, end

    def span(self, index: int) -> tuple[int, int] | None:
        """The selected cells [start, end) of line ``index``, if any."""
        selection = self._ordered()
        if selection is None:
            return None
        (first, start_x), (last, end_x) = selection
        if not first <= index <= last:
            return None
        return (start_x if index == first else 0, end_x if index == last else _LINE_END)

    def text(self, terminal: Terminal) -> str:
        """The selected text, lines joined with newlines, trailing blanks removed."""
        selection = self._ordered()
        if selection is None:
            return ""
        (first, _), (last, _) = selection
        lines = []
        for index in range(first, last + 1):
            span = self.span(index)
            assert span is not None
            text, _ = terminal.line(index)
            start, end = cells_to_chars(text, span[0], span[1])
            lines.append(text[start:end].rstrip())
        return "\n".join(lines)

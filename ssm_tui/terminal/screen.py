"""The screen model: pyte's Screen with scrollback, resizing and the controls it lacks."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import pyte
from pyte.screens import Char, Margins, StaticDefaultDict, wcwidth

from ssm_tui.terminal import modes
from ssm_tui.terminal.alternate import AlternateScreen
from ssm_tui.terminal.controls import XtermControls
from ssm_tui.terminal.draw_memo import DrawMemo
from ssm_tui.terminal.drawing import FastDrawing, Row
from ssm_tui.terminal.pyte_compat import tolerant_parameters
from ssm_tui.terminal.scrollback import Scrollback, StoredLine, compact_row, styled


@tolerant_parameters
class TerminalScreen(FastDrawing, XtermControls, pyte.Screen):
    """A pyte screen with scrollback, the alternate screen, xterm modes and replies.

    ``fast=False`` switches off every shortcut (drawing, SGR memo) so the same model can be
    driven through stock pyte code as the reference the fast path is tested against.
    """

    def __init__(
        self, columns: int, lines: int, *, scrollback: int = 10_000, fast: bool = True
    ) -> None:
        self.fast = fast
        self.scrollback = Scrollback(scrollback)
        self.reply_chunks: list[str] = []
        self.row_versions: list[int] = [0] * max(1, lines)
        self.version = 0
        self.title_version = 0
        self.memo = DrawMemo()
        self.alt_screen = AlternateScreen(self._new_buffer)
        super().__init__(max(1, columns), max(1, lines))

    # -- state -------------------------------------------------------------------------

    def reset(self) -> None:
        """Reset to power-on state, leaving the alternate screen and every mode."""
        self.alt_screen.reset(self)
        super().reset()
        self.keypad_application = False
        self.mouse_tracking = modes.MouseTracking.OFF
        self.cursor_shape = modes.CursorShape.BLOCK
        self.cursor_blink = True

    @property
    def alternate(self) -> bool:
        """Whether the alternate screen (full-screen programs) is showing."""
        return self.alt_screen.active

    def private_mode(self, number: int) -> bool:
        """Whether the DEC private mode ``number`` is set."""
        return (number << 5) in self.mode

    def _new_buffer(self) -> defaultdict[int, Row]:
        return defaultdict(lambda: StaticDefaultDict[int, Char](self.default_char))

    # -- versions: which rows changed ----------------------------------------------------

    def flush_dirty(self) -> None:
        """Fold pyte's dirty row set into per-row versions the view keys its cache on."""
        if self.dirty:
            self.version += 1
            version = self.version
            versions = self.row_versions
            lines = len(versions)
            for y in self.dirty:
                if 0 <= y < lines:
                    versions[y] = version
            self.dirty.clear()

    # -- scrolling and scrollback ----------------------------------------------------------

    def index(self) -> None:
        """Move down a line, scrolling the region; full-screen scrolls feed the scrollback."""
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y != bottom:
            self.cursor_down()
            return
        buffer = self.buffer
        if top == 0 and bottom == self.lines - 1:
            self.flush_dirty()
            if not self.alternate:
                self.scrollback.append(self._stored(0))
            # Rows keep their versions as they move up; only the new bottom row is fresh.
            del self.row_versions[0]
            self.version += 1
            self.row_versions.append(self.version)
        else:
            self.dirty.update(range(top, bottom + 1))
        for y in range(top, bottom):
            row = buffer.get(y + 1)
            if row is None:
                buffer.pop(y, None)
            else:
                buffer[y] = row
        buffer.pop(bottom, None)

    def _stored(self, y: int, *, keep: bool = False) -> StoredLine:
        """The stored form of screen row ``y`` (dirty rows must be flushed first).

        A form cached when the row was drawn in bulk is used up unless ``keep``.
        """
        row = self.buffer.get(y)
        if not row:
            return ""
        form = self.memo.row_form(row, self.row_versions[y], keep=keep)
        return compact_row(row, self.columns) if form is None else form

    def row_line(self, y: int) -> StoredLine:
        """The stored form of what screen row ``y`` shows now."""
        self.flush_dirty()
        return self._stored(y, keep=True)

    def erase_in_line(self, how: int = 0, *_: int, **__: Any) -> None:
        """Erase part of the line; unknown variants are ignored rather than raising."""
        if how in (0, 1, 2):
            super().erase_in_line(how)

    def erase_in_display(self, how: int = 0, *_: int, **__: Any) -> None:
        """Erase the display; ``ED 3`` also clears the scrollback, as xterm does."""
        if how not in (0, 1, 2, 3):
            return
        super().erase_in_display(how)
        if how == 3:
            self.scrollback.clear()
            self.version += 1

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize keeping the cursor's line on screen and pushing rows above into scrollback."""
        lines = max(1, lines or self.lines)
        columns = max(1, columns or self.columns)
        if lines == self.lines and columns == self.columns:
            return
        excess = self.cursor.y - (lines - 1)
        for _ in range(max(0, excess)):
            self._shift_up(self.buffer, keep=not self.alternate)
        self.cursor.y = max(0, self.cursor.y - max(0, excess))
        if lines > self.lines and not self.alternate:
            self._pull_down(min(lines - self.lines, len(self.scrollback)))
        for buffer in (self.buffer, self.alt_screen.main_buffer):
            if buffer is None:
                continue
            for y in [y for y in buffer if y >= lines]:
                del buffer[y]
            if columns < self.columns:
                for row in buffer.values():
                    for x in [x for x in row if x >= columns]:
                        del row[x]
        if columns > self.columns:
            # Every 8th column of the new area gets a stop (from 80 to 160: 80, 88, ...).
            self.tabstops.update(range(-(-self.columns // 8) * 8, columns, 8))
        self.lines, self.columns = lines, columns
        self.margins = None
        self.cursor.x = min(self.cursor.x, columns - 1)
        self.version += 1
        self.row_versions = [self.version] * lines
        self.dirty.update(range(lines))

    def _pull_down(self, count: int) -> None:
        """Bring the newest ``count`` scrollback lines back above the screen's rows.

        A taller window shows earlier output again instead of blank rows, as xterm does;
        the cursor and every row move down by ``count``.
        """
        if count <= 0:
            return
        buffer = self.buffer
        moved = dict(buffer)
        buffer.clear()
        for y, row in moved.items():
            buffer[y + count] = row
        for y in reversed(range(count)):
            row = self._row_from(self.scrollback.pop())
            if row:
                buffer[y] = row
        self.cursor.y += count
        self.savepoints = [_moved(point, count) for point in self.savepoints]
        saved = self.alt_screen.saved
        if saved is not None:
            self.alt_screen.saved = (_moved(saved[0], count), saved[1])

    def _row_from(self, line: StoredLine) -> Row:
        """Screen cells showing a stored line again (wide characters take two cells)."""
        text, spans = styled(line)
        row: Row = StaticDefaultDict(self.default_char)
        x = 0
        position = 0
        last = -1
        for length, style in spans:
            lookup = self.memo.table(style._replace(data=" ")).__getitem__
            for char in text[position : position + length]:
                width = wcwidth(char)
                if width < 1 and last >= 0:  # a combining mark joins the previous cell
                    row[last] = row[last]._replace(data=row[last].data + char)
                    continue
                row[x] = lookup(char)
                last = x
                if width == 2:
                    row[x + 1] = lookup("")
                x += max(1, width)
            position += length
        return row

    def _shift_up(self, buffer: dict[int, Row], *, keep: bool) -> None:
        if keep:
            self.scrollback.append(compact_row(buffer.get(0, {}), self.columns))
        for y in range(self.lines - 1):
            row = buffer.get(y + 1)
            if row is None:
                buffer.pop(y, None)
            else:
                buffer[y] = row
        buffer.pop(self.lines - 1, None)


def _moved(point: Any, count: int) -> Any:
    """A saved cursor (pyte Savepoint or Cursor) ``count`` rows lower."""
    cursor = point.cursor if hasattr(point, "cursor") else point
    moved = copy.copy(cursor)
    moved.y = cursor.y + count
    return point._replace(cursor=moved) if hasattr(point, "cursor") else moved

"""The screen model: pyte's Screen plus what it lacks, with a fast drawing path."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyte
from pyte import modes as mo
from pyte.screens import Char, Cursor, Margins, StaticDefaultDict, wcwidth

from ssm_tui.terminal import modes
from ssm_tui.terminal.scrollback import (
    Scrollback,
    StoredLine,
    compact_row,
    compact_segments,
    styled,
)

_ASCII_RUNS = re.compile(r"[ -~]+|[^ -~]+")
_INTERN_LIMIT = 4096
Row = StaticDefaultDict[int, Char]


class _CharTable(dict[str, Char]):
    """Shared Chars of one style, made on first use: drawing reuses them instead of allocating."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: Char) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, data: str) -> Char:
        char = self[data] = self.attrs._replace(data=data)
        return char


def _drawable(text: str) -> str:
    """Drop characters that take no cell and combine with nothing (controls, ZWJ, ...).

    pyte's draw stops at the first such character and loses the rest of the run, which makes
    the screen depend on how the output was chunked; terminals ignore them instead.
    """
    kept = [
        char
        for char in text
        if (width := wcwidth(char)) > 0 or (width == 0 and unicodedata.combining(char))
    ]
    return "".join(kept) if len(kept) != len(text) else text


class TerminalScreen(pyte.Screen):
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
        self._tables: dict[Char, _CharTable] = {}
        # id(attrs) -> (attrs, its table's lookup): skips hashing the attributes per run.
        self._tables_by_id: dict[int, tuple[Char, Callable[[str], Char]]] = {}
        self._sgr_memo: dict[tuple[Char, bool, tuple[int, ...]], Char] = {}
        self._sgr_text_memo: dict[tuple[int, str], tuple[Char, Char]] = {}
        self._main_buffer: dict[int, Row] | None = None
        self._alt_cursor: tuple[Cursor, bool] | None = None
        # Stored forms of rows drawn by draw_block, valid while the row's version holds.
        self._compacted: dict[int, tuple[Row, int, StoredLine]] = {}
        super().__init__(max(1, columns), max(1, lines))

    # -- state -------------------------------------------------------------------------

    def reset(self) -> None:
        """Reset to power-on state, leaving the alternate screen and every mode."""
        main = getattr(self, "_main_buffer", None)
        if main is not None:
            self.buffer = main
            self._main_buffer = None
        super().reset()
        self.keypad_application = False
        self.mouse_tracking = modes.MouseTracking.OFF
        self.cursor_shape = modes.CursorShape.BLOCK
        self.cursor_blink = True
        self._alt_cursor = None

    @property
    def alternate(self) -> bool:
        """Whether the alternate screen (full-screen programs) is showing."""
        return self._main_buffer is not None

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

    # -- drawing -------------------------------------------------------------------------

    def draw(self, data: str) -> None:
        """Draw text at the cursor; printable ASCII runs are written a row-slice at a time."""
        if data.isascii() and data.isprintable():
            if (
                not self.fast
                or self.charset
                or self.g0_charset is not pyte.charsets.LAT1_MAP
                or mo.IRM in self.mode
            ):
                super().draw(data)
            else:
                self._draw_ascii(data)
            return
        for match in _ASCII_RUNS.finditer(data):
            piece = match.group()
            if " " <= piece[0] <= "~":
                self.draw(piece)
            else:
                piece = _drawable(piece)
                if piece:
                    super().draw(piece)

    def _table(self, attrs: Char) -> _CharTable:
        table = self._tables.get(attrs)
        if table is None:
            if len(self._tables) > _INTERN_LIMIT:
                self._tables.clear()
            table = self._tables[attrs] = _CharTable(attrs)
        return table

    def _draw_ascii(self, text: str) -> None:
        """Draw single-width characters exactly as pyte's per-character loop would."""
        cursor = self.cursor
        columns = self.columns
        autowrap = mo.DECAWM in self.mode
        lookup = self._table(cursor.attrs).__getitem__
        start, end = 0, len(text)
        while start < end:
            x = cursor.x
            if x >= columns:
                if x > columns:  # only after an odd resize: let pyte decide
                    super().draw(text[start:])
                    return
                if autowrap:
                    self.dirty.add(cursor.y)
                    self.carriage_return()
                    self.linefeed()
                    x = cursor.x
                else:
                    # Without autowrap every further character lands in the last column.
                    self.buffer[cursor.y][columns - 1] = lookup(text[end - 1])
                    cursor.x = columns
                    break
            take = min(end - start, columns - x)
            self.buffer[cursor.y].update(
                zip(range(x, x + take), map(lookup, text[start : start + take]), strict=False)
            )
            cursor.x = x + take
            start += take
        self.dirty.add(cursor.y)

    def select_graphic_rendition(self, *attrs: int, **_: Any) -> None:
        """Set display attributes, memoising each (attrs, parameters) result."""
        if not self.fast:
            super().select_graphic_rendition(*attrs)
            return
        key = (self.cursor.attrs, mo.DECSCNM in self.mode, attrs)
        found = self._sgr_memo.get(key)
        if found is None:
            super().select_graphic_rendition(*attrs)
            if len(self._sgr_memo) > _INTERN_LIMIT:
                self._sgr_memo.clear()
            self._sgr_memo[key] = self.cursor.attrs
        else:
            self.cursor.attrs = found

    def sgr(self, params: str) -> None:
        """SGR from its raw parameter text (``"1;31"``), memoised on the current attributes."""
        attrs = self.cursor.attrs
        key = (id(attrs), params)
        found = self._sgr_text_memo.get(key)
        # The memo keeps ``attrs`` alive, so a matching id is the same object.
        if found is not None and found[0] is attrs and mo.DECSCNM not in self.mode:
            self.cursor.attrs = found[1]
            return
        args = [min(int(p or 0), 9999) for p in params.split(";")] if params else [0]
        self.select_graphic_rendition(*args)
        if len(self._sgr_text_memo) > _INTERN_LIMIT:
            self._sgr_text_memo.clear()
        self._sgr_text_memo[key] = (attrs, self.cursor.attrs)

    # -- whole lines at once ----------------------------------------------------------------

    def block_ready(self) -> bool:
        """Whether lines can be drawn in bulk: cursor at column 0 of a blank bottom row."""
        cursor = self.cursor
        mode = self.mode
        margins = self.margins
        return (
            self.fast
            and cursor.x == 0
            and cursor.y == self.lines - 1
            and not self.buffer.get(cursor.y)
            and (margins is None or (margins.top == 0 and margins.bottom == self.lines - 1))
            and mo.DECAWM in mode
            and mo.IRM not in mode
            and mo.LNM not in mode
            and mo.DECSCNM not in mode
            and not self.charset
            and self.g0_charset is pyte.charsets.LAT1_MAP
        )

    def draw_block(self, lines: list[list[str]]) -> None:
        """Draw CR LF terminated lines of printable ASCII split by SGR parameter text.

        Each line alternates text and SGR parameters (``re.split`` output).  The result is
        exactly what drawing, SGR, CR and LF one by one would give, but rows that scroll
        straight off are stored compactly without ever becoming screen cells.
        """
        columns = self.columns
        cursor = self.cursor
        memo = self._sgr_text_memo
        sgr = self.sgr
        attrs = cursor.attrs
        rows: list[list[tuple[Char, str]]] = []
        add_row = rows.append
        for parts in lines:
            if len(parts) == 1:  # no SGR in the line
                part = parts[0]
                if len(part) <= columns:
                    add_row([(attrs, part)] if part else [])
                    continue
            row: list[tuple[Char, str]] = []
            used = 0
            odd = False
            for part in parts:
                if odd:
                    odd = False
                    # SGR, memoised on (attrs, parameters) as in ``sgr`` (DECSCNM is off).
                    found = memo.get((id(attrs), part))
                    if found is not None and found[0] is attrs:
                        attrs = found[1]
                    else:
                        cursor.attrs = attrs
                        sgr(part)
                        attrs = cursor.attrs
                    continue
                odd = True
                if not part:
                    continue
                if used + len(part) <= columns:
                    row.append((attrs, part))
                    used += len(part)
                    continue
                while part:
                    if used == columns:
                        add_row(row)
                        row, used = [], 0
                    take = part[: columns - used]
                    row.append((attrs, take))
                    used += len(take)
                    part = part[len(take) :]
            add_row(row)
        cursor.attrs = attrs
        self._scroll_in(rows)

    def _scroll_in(self, rows: list[list[tuple[Char, str]]]) -> None:
        """Append rows below the screen (scrolling it) and leave a blank bottom row."""
        bottom = self.lines - 1
        count = len(rows)
        keep = not self.alternate
        buffer = self.buffer
        self.flush_dirty()
        screen_rows = [buffer.get(y) for y in range(bottom)]
        # Everything scrolls by `count`: old rows first, then the new ones.
        leaving = min(count, bottom)
        if keep:
            limit = self.scrollback.limit
            total_leaving = count
            skip = max(0, total_leaving - limit)
            stored: list[StoredLine] = []
            for y in range(leaving):
                if skip:
                    skip -= 1
                    self.scrollback.skip(1)
                    continue
                stored.append(self._stored(y))
            new_leaving = count - leaving
            if skip:
                self.scrollback.skip(skip)
            stored += map(compact_segments, rows[skip:new_leaving])
            self.scrollback.extend(stored)
        remaining = [screen_rows[y] for y in range(leaving, bottom)]
        staying = rows[max(0, count - bottom) :]
        buffer.clear()
        y = 0
        for row in remaining:
            if row is not None:
                buffer[y] = row
            y += 1
        self.version += 1
        compacted = self._compacted
        if len(compacted) > 4 * self.lines:
            compacted.clear()
        by_id = self._tables_by_id
        for segments in staying:
            if segments:
                cells = buffer[y]
                chars: list[Char] = []
                for attrs, piece in segments:
                    entry = by_id.get(id(attrs))
                    if entry is None or entry[0] is not attrs:
                        if len(by_id) > _INTERN_LIMIT:
                            by_id.clear()
                        entry = by_id[id(attrs)] = (attrs, self._table(attrs).__getitem__)
                    chars += map(entry[1], piece)
                cells.update(enumerate(chars))
                if keep:
                    compacted[id(cells)] = (cells, self.version, compact_segments(segments))
            y += 1
        versions = self.row_versions
        del versions[: min(count, len(versions))]
        versions.extend([self.version] * (self.lines - len(versions)))
        self.dirty.add(bottom)

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

    def _stored(self, y: int) -> StoredLine:
        """The stored form of screen row ``y`` (dirty rows must be flushed first)."""
        row = self.buffer.get(y)
        if not row:
            return ""
        cached = self._compacted.pop(id(row), None)
        if cached is not None and cached[0] is row and cached[1] == self.row_versions[y]:
            return cached[2]
        return compact_row(row, self.columns)

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
        for buffer in (self.buffer, self._main_buffer):
            if buffer is None:
                continue
            for y in [y for y in buffer if y >= lines]:
                del buffer[y]
            if columns < self.columns:
                for row in buffer.values():
                    for x in [x for x in row if x >= columns]:
                        del row[x]
        if columns > self.columns:
            self.tabstops.update(range(8 * (self.columns // 8 + 1), columns, 8))
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
        if self._alt_cursor is not None:
            self._alt_cursor = (_moved(self._alt_cursor[0], count), self._alt_cursor[1])

    def _row_from(self, line: StoredLine) -> Row:
        """Screen cells showing a stored line again (wide characters take two cells)."""
        text, spans = styled(line)
        row: Row = StaticDefaultDict(self.default_char)
        x = 0
        position = 0
        last = -1
        for length, style in spans:
            lookup = self._table(style._replace(data=" ")).__getitem__
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

    # -- modes ---------------------------------------------------------------------------

    def set_mode(self, *numbers: int, **kwargs: Any) -> None:
        """Set modes, including the xterm private ones pyte does not know."""
        super().set_mode(*numbers, **kwargs)
        if not kwargs.get("private"):
            return
        for number in numbers:
            if number in modes.TRACKING_MODES:
                self.mouse_tracking = modes.MouseTracking(number)
            elif number == modes.CURSOR_BLINK:
                self.cursor_blink = True
            elif number in modes.ALT_SCREEN_MODES:
                self._enter_alternate(save_cursor=number == modes.ALT_SCREEN_1049)

    def reset_mode(self, *numbers: int, **kwargs: Any) -> None:
        """Reset modes, including the xterm private ones pyte does not know."""
        super().reset_mode(*numbers, **kwargs)
        if not kwargs.get("private"):
            return
        for number in numbers:
            if number in modes.TRACKING_MODES and self.mouse_tracking == number:
                self.mouse_tracking = modes.MouseTracking.OFF
            elif number == modes.CURSOR_BLINK:
                self.cursor_blink = False
            elif number in modes.ALT_SCREEN_MODES:
                self._leave_alternate(
                    clear=number != modes.ALT_SCREEN_47,
                    restore_cursor=number == modes.ALT_SCREEN_1049,
                )

    def _enter_alternate(self, *, save_cursor: bool) -> None:
        if save_cursor:
            self._alt_cursor = (copy.copy(self.cursor), mo.DECAWM in self.mode)
        if self._main_buffer is None:
            self._main_buffer = self.buffer
            self.buffer = self._new_buffer()
        elif save_cursor:
            self.buffer.clear()
        self.dirty.update(range(self.lines))

    def _leave_alternate(self, *, clear: bool, restore_cursor: bool) -> None:
        if self._main_buffer is not None:
            if clear:
                self.buffer.clear()
            self.buffer = self._main_buffer
            self._main_buffer = None
        if restore_cursor and self._alt_cursor is not None:
            self.cursor, wrap = self._alt_cursor
            self._alt_cursor = None
            if wrap:
                self.mode.add(mo.DECAWM)
            self.ensure_hbounds()
            self.ensure_vbounds()
        self.dirty.update(range(self.lines))

    def keypad_application_mode(self) -> None:
        """DECKPAM (``ESC =``): the keypad sends application sequences."""
        self.keypad_application = True

    def keypad_numeric_mode(self) -> None:
        """DECKPNM (``ESC >``): the keypad sends digits."""
        self.keypad_application = False

    def set_cursor_style(self, param: int = 0, *_: int, **__: Any) -> None:
        """DECSCUSR (``CSI Ps SP q``): choose the cursor shape and blinking."""
        self.cursor_shape, self.cursor_blink = modes.cursor_style(param)
        self.dirty.add(self.cursor.y)

    # -- titles and replies ----------------------------------------------------------------

    def set_title(self, param: str) -> None:
        """OSC 0/2: the window title (the tab title)."""
        if param != self.title:
            self.title = param
            self.title_version += 1

    def write_process_input(self, data: str) -> None:
        """Queue a reply (device status, attributes) for the remote side."""
        self.reply_chunks.append(data)

    def report_device_status(self, mode: int = 0, *_: int, **__: Any) -> None:
        """DSR: status and cursor position reports; ``CSI ? 6 n`` is answered too."""
        if mode == 5:
            self.write_process_input("\x1b[0n")
        elif mode == 6:
            y = self.cursor.y + 1
            if mo.DECOM in self.mode and self.margins is not None:
                y -= self.margins.top
            self.write_process_input(f"\x1b[{y};{min(self.cursor.x, self.columns - 1) + 1}R")

    def cursor_to_line(self, line: int | None = None, *_: int, **__: Any) -> None:
        """VPA: move to a line, relative to the top margin in origin mode."""
        self.cursor.y = (line or 1) - 1
        if mo.DECOM in self.mode and self.margins is not None:
            self.cursor.y += self.margins.top
        self.ensure_vbounds()

    def report_secondary_attributes(self) -> None:
        """DA2 (``CSI > c``): answer as an xterm-compatible VT220 would."""
        self.write_process_input("\x1b[>1;10;0c")


def _moved(point: Any, count: int) -> Any:
    """A saved cursor (pyte Savepoint or Cursor) ``count`` rows lower."""
    cursor = point.cursor if hasattr(point, "cursor") else point
    moved = copy.copy(cursor)
    moved.y = cursor.y + count
    return point._replace(cursor=moved) if hasattr(point, "cursor") else moved


def _tolerant(name: str, arity: int) -> Callable[..., None]:
    """Wrap a pyte handler so extra parameters and a private marker are ignored.

    pyte raises TypeError on ``CSI 1;2;3 H`` or ``CSI ? 5 A``, and its parser then drops the
    rest of the chunk; real terminals ignore what they do not use.
    """
    base = getattr(pyte.Screen, name)

    def handler(self: TerminalScreen, *params: int, **_: Any) -> None:
        base(self, *params[:arity])

    handler.__name__ = name
    handler.__doc__ = base.__doc__
    return handler


_ARITIES = {
    "insert_characters": 1,
    "delete_characters": 1,
    "erase_characters": 1,
    "cursor_up": 1,
    "cursor_up1": 1,
    "cursor_down": 1,
    "cursor_down1": 1,
    "cursor_back": 1,
    "cursor_forward": 1,
    "cursor_position": 2,
    "cursor_to_column": 1,
    "insert_lines": 1,
    "delete_lines": 1,
    "clear_tab_stop": 1,
    "set_margins": 2,
}
for _name, _arity in _ARITIES.items():
    setattr(TerminalScreen, _name, _tolerant(_name, _arity))

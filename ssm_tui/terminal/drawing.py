"""The screen's fast drawing path: ASCII runs a row-slice at a time, whole lines in bulk."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyte
from pyte import modes as mo
from pyte.screens import Char, StaticDefaultDict, wcwidth

from ssm_tui.terminal.block_rows import Segments, block_rows
from ssm_tui.terminal.draw_memo import DrawMemo
from ssm_tui.terminal.scrollback import Scrollback, StoredLine, compact_lines, compact_segments

if TYPE_CHECKING:
    _Screen = pyte.Screen
else:
    _Screen = object

Row = StaticDefaultDict[int, Char]
_ASCII_RUNS = re.compile(r"[ -~]+|[^ -~]+")
_INTERN_LIMIT = 4096


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


class FastDrawing(_Screen):
    """Drawing and SGR shortcuts mixed into TerminalScreen; each gives pyte's exact result.

    ``fast=False`` sends everything through stock pyte code instead.
    """

    fast: bool
    scrollback: Scrollback
    row_versions: list[int]
    version: int
    memo: DrawMemo

    if TYPE_CHECKING:

        @property
        def alternate(self) -> bool: ...
        def flush_dirty(self) -> None: ...
        def _stored(self, y: int) -> StoredLine: ...

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

    def _draw_ascii(self, text: str) -> None:
        """Draw single-width characters exactly as pyte's per-character loop would."""
        cursor = self.cursor
        columns = self.columns
        autowrap = mo.DECAWM in self.mode
        lookup = self.memo.table(cursor.attrs).__getitem__
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
        memo = self.memo.sgr
        key = (self.cursor.attrs, mo.DECSCNM in self.mode, attrs)
        found = memo.get(key)
        if found is None:
            super().select_graphic_rendition(*attrs)
            if len(memo) > _INTERN_LIMIT:
                memo.clear()
            memo[key] = self.cursor.attrs
        else:
            self.cursor.attrs = found

    def sgr(self, params: str) -> None:
        """SGR from its raw parameter text (``"1;31"``), memoised on the current attributes."""
        attrs = self.cursor.attrs
        memo = self.memo.sgr_text
        key = (id(attrs), params)
        found = memo.get(key)
        # The memo keeps ``attrs`` alive, so a matching id is the same object.
        if found is not None and found[0] is attrs and mo.DECSCNM not in self.mode:
            self.cursor.attrs = found[1]
            return
        args = [min(int(p or 0), 9999) for p in params.split(";")] if params else [0]
        self.select_graphic_rendition(*args)
        if len(memo) > _INTERN_LIMIT:
            memo.clear()
        memo[key] = (attrs, self.cursor.attrs)

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

    def draw_plain_block(self, lines: list[str]) -> int:
        """Draw CR LF terminated lines of printable ASCII and tabs, like ``draw_block``."""
        columns = self.columns
        attrs = self.cursor.attrs
        given = lines
        if (
            any("\t" in line for line in lines)
            and attrs == self.default_char
            and {stop for stop in self.tabstops if stop < columns} == set(range(8, columns, 8))
        ):
            # Tabs to the default stops over blank cells: spaces, while no line wraps.
            lines = [line.expandtabs() for line in lines]
        if max(map(len, lines)) > columns or any("\t" in line for line in lines):
            return self.draw_block([[line] for line in given])

        def stored(start: int, stop: int) -> list[StoredLine]:
            return compact_lines(attrs, lines[start:stop])

        def rows(start: int) -> list[Segments]:
            return [[(attrs, line)] if line else [] for line in lines[start:]]

        self._scroll_in(len(lines), stored, rows)
        return len(lines)

    def draw_block(self, lines: list[list[str]]) -> int:
        """Draw CR LF terminated lines of printable ASCII and tabs split by SGR parameters.

        Each line alternates text and SGR parameters (``re.split`` output).  The result is
        exactly what drawing, SGR, tab, CR and LF one by one would give, but rows that
        scroll straight off are stored compactly without ever becoming screen cells.
        Returns how many lines were drawn: the rest (from a tab in the pending-wrap
        state on) is for the caller to draw one by one.
        """
        cursor = self.cursor
        memo = self.memo.sgr_text

        def sgr(attrs: Char, params: str) -> Char:
            # Memoised on (attrs, parameters) as in ``sgr`` (DECSCNM is off).
            found = memo.get((id(attrs), params))
            if found is not None and found[0] is attrs:
                return found[1]
            cursor.attrs = attrs
            self.sgr(params)
            return cursor.attrs

        laid = block_rows(
            lines,
            columns=self.columns,
            attrs=cursor.attrs,
            sgr=sgr,
            tabstops=lambda: sorted(self.tabstops),
            blank=self.default_char,
        )
        cursor.attrs = laid.attrs
        rows = laid.rows
        if rows:
            self._scroll_in(
                len(rows),
                lambda start, stop: list(map(compact_segments, rows[start:stop])),
                lambda start: rows[start:],
            )
        return laid.lines

    def _scroll_in(
        self,
        count: int,
        stored_rows: Callable[[int, int], list[StoredLine]],
        segment_rows: Callable[[int], list[Segments]],
    ) -> None:
        """Append ``count`` rows below the screen (scrolling it), leaving a blank bottom row.

        ``stored_rows(start, stop)`` gives the stored form of new rows that scroll straight
        off, ``segment_rows(start)`` the (attrs, text) segments of the rows that stay.
        """
        bottom = self.lines - 1
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
            stored += stored_rows(skip, new_leaving)
            self.scrollback.extend(stored)
        remaining = [screen_rows[y] for y in range(leaving, bottom)]
        staying = segment_rows(max(0, count - bottom))
        buffer.clear()
        y = 0
        for row in remaining:
            if row is not None:
                buffer[y] = row
            y += 1
        self.version += 1
        memo = self.memo
        for segments in staying:
            if segments:
                cells = buffer[y]
                chars: list[Char] = []
                for attrs, piece in segments:
                    chars += map(memo.chars(attrs), piece)
                cells.update(enumerate(chars))
                if keep:
                    form = compact_segments(segments)
                    memo.remember_row(cells, self.version, form, limit=4 * self.lines)
            y += 1
        versions = self.row_versions
        del versions[: min(count, len(versions))]
        versions.extend([self.version] * (self.lines - len(versions)))
        self.dirty.add(bottom)

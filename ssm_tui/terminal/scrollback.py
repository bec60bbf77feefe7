"""Compact storage for lines that scrolled off the top of the screen."""

from __future__ import annotations

import sys
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from operator import itemgetter
from typing import TypeAlias

from pyte.screens import Char, wcwidth

CellStyle: TypeAlias = Char
"""A cell's colours and attributes: a pyte Char whose data is ``""``."""

Span: TypeAlias = tuple[int, CellStyle]
"""A run of ``length`` characters of the line's text drawn in one style."""

StyledLine: TypeAlias = tuple[str, tuple[Span, ...]]
"""A line as text plus style runs covering it; styles are Chars whose data is ``""``."""

StoredLine: TypeAlias = str | bytes | StyledLine
"""A scrolled-off line: a bare ``str`` when every cell has the default style; else one
``bytes`` object: the item size (2, or 4 when 16 bits do not suffice), the run count and
(length, style number) pairs as unsigned integers of that size, then the text in UTF-8.
The (text, spans) form is accepted too."""

_data = itemgetter(0)
_BLANK = Char(" ")
_INTERN_LIMIT = 65_536
_BYTEORDER = sys.byteorder


class _StyleTable(dict[Char, Char]):
    """Maps a cell to its style (the cell with empty data), remembering each answer."""

    def __missing__(self, cell: Char) -> Char:
        if len(self) > _INTERN_LIMIT:
            self.clear()
        style = cell._replace(data="")
        style = _STYLES.setdefault(style, style)
        self[cell] = style
        return style


_STYLES: dict[Char, Char] = {}
"""Canonical styles; never cleared, so their ids stay valid keys."""
_SPANS: dict[Span, Span] = {}
_STYLE_LIST: list[Char] = []
"""Style number -> canonical style."""
_NUMBER_OF_STYLE: dict[int, int] = {}
"""id(canonical style) -> its number."""
_NUMBER_OF_ATTRS: dict[int, tuple[Char, int]] = {}
"""id(attrs) -> (attrs, number): cursor attributes are few long-lived objects, and an id
lookup saves hashing a nine-field tuple; the stored attrs guard against a reused id."""
_STYLE_OF = _StyleTable()


def _style_number(style: Char) -> int:
    """The number of a canonical style, given on first use."""
    number = _NUMBER_OF_STYLE.get(id(style))
    if number is None:
        number = _NUMBER_OF_STYLE[id(style)] = len(_STYLE_LIST)
        _STYLE_LIST.append(style)
    return number


def _attrs_number(attrs: Char) -> int:
    """The style number of a cell or of cursor attributes (their data is ignored)."""
    entry = _NUMBER_OF_ATTRS.get(id(attrs))
    if entry is not None and entry[0] is attrs:
        return entry[1]
    if len(_NUMBER_OF_ATTRS) > 4096:
        _NUMBER_OF_ATTRS.clear()
    number = _style_number(_STYLE_OF[attrs])
    _NUMBER_OF_ATTRS[id(attrs)] = (attrs, number)
    return number


def _span(length: int, style: Char) -> Span:
    """Return the shared tuple for this span, so equal spans across lines cost nothing."""
    key = (length, style)
    found = _SPANS.get(key)
    if found is None:
        if len(_SPANS) > _INTERN_LIMIT:
            _SPANS.clear()
        found = _SPANS[key] = key
    return found


def style_of(cell: Char) -> Char:
    """Return the style of a cell (the cell with its data emptied), shared between calls."""
    return _STYLE_OF[cell]


DEFAULT_STYLE = style_of(_BLANK)
"""The style of a blank cell: default colours, no attributes."""
_DEFAULT_NUMBER = _style_number(DEFAULT_STYLE)  # 0


def _finish(text: str, runs: list[int]) -> StoredLine:
    """The stored form of ``text`` drawn in ``runs`` (flat length, style number pairs).

    Trailing blanks of a default-styled last run are dropped (not blanks of other runs:
    they may show a background), and the runs too when nothing is left styled.
    """
    if runs[-1] == _DEFAULT_NUMBER:
        last = runs[-2]
        kept = max(len(text) - last, len(text.rstrip(" ")))
        cut = len(text) - kept
        if cut:
            text = text[:kept]
            if cut == last:
                del runs[-2:]
                if not runs:
                    return text
            else:
                runs[-2] = last - cut
        if len(runs) == 2 and runs[1] == _DEFAULT_NUMBER:
            return text
    runs.insert(0, len(runs) // 2)
    try:
        packed = array("H", runs)
    except OverflowError:  # a run or a style number beyond 16 bits
        packed = array("I", runs)
    return b"".join((_ITEM_SIZE[packed.itemsize], packed.tobytes(), text.encode()))


_ITEM_SIZE = {2: b"\x02", 4: b"\x04"}
_TYPECODE = {2: "H", 4: "I"}


def compact_row(row: Mapping[int, Char], columns: int) -> StoredLine:
    """Turn one screen row (column -> Char) into its compact stored form."""
    if not row:
        return ""
    width = len(row)
    if width <= columns and getattr(row, "default", _BLANK) == _BLANK and max(row) == width - 1:
        # Cells 0..width-1 are all set and the rest are blank: no per-cell default lookups.
        cells = list(map(row.__getitem__, range(width)))
    else:
        width = columns
        cells = list(map(row.__getitem__, range(columns)))
    styles = list(map(_STYLE_OF.__getitem__, cells))
    text = "".join(map(_data, cells))
    first = styles[0]
    if first is DEFAULT_STYLE and styles.count(first) == width:
        return text.rstrip(" ")
    runs: list[int] = []
    if text.isascii():  # one character per cell
        for style, group in groupby(styles):
            runs += (sum(1 for _ in group), _style_number(style))
    else:  # wide characters leave empty stub cells, combining marks join their base
        pairs = zip(styles, cells, strict=True)
        for style, members in groupby(pairs, key=itemgetter(0)):
            runs += (sum(len(cell.data) for _, cell in members), _style_number(style))
        # A run of stubs only adds no text; drop it so runs always cover the text.
        runs = _merge(runs)
    return _finish(text, runs)


def _merge(runs: list[int]) -> list[int]:
    """Drop empty runs and merge the neighbours they separated."""
    merged: list[int] = []
    for i in range(0, len(runs), 2):
        length, number = runs[i], runs[i + 1]
        if not length:
            continue
        if merged and merged[-1] == number:
            merged[-2] += length
        else:
            merged += (length, number)
    return merged or [0, _DEFAULT_NUMBER]


def compact_segments(segments: list[tuple[Char, str]]) -> StoredLine:
    """Build the stored form of a row drawn from blank as (attrs, text) segments."""
    if len(segments) == 1:
        attrs, text = segments[0]
        number = _attrs_number(attrs)
        if number == _DEFAULT_NUMBER:
            return text.rstrip(" ")
        return _finish(text, [len(text), number]) if text else ""
    runs: list[int] = []
    last = -2
    for attrs, piece in segments:
        if not piece:
            continue
        entry = _NUMBER_OF_ATTRS.get(id(attrs))
        number = entry[1] if entry is not None and entry[0] is attrs else _attrs_number(attrs)
        if number == last:
            runs[-2] += len(piece)
        else:
            runs += (len(piece), number)
            last = number
    if not runs:
        return ""
    return _finish("".join([piece for _, piece in segments]), runs)


def compact_lines(attrs: Char, lines: list[str]) -> list[StoredLine]:
    """The stored forms of single-width lines each drawn from blank in one style."""
    number = _attrs_number(attrs)
    if number == _DEFAULT_NUMBER:
        return [line.rstrip(" ") for line in lines]
    return [_finish(line, [len(line), number]) if line else "" for line in lines]


def _unpack(line: bytes) -> StyledLine:
    size = line[0]
    count = int.from_bytes(line[1 : 1 + size], _BYTEORDER)
    end = 1 + size * (1 + 2 * count)
    numbers = array(_TYPECODE[size])
    numbers.frombytes(line[1:end])
    styles = _STYLE_LIST
    spans = tuple(_span(numbers[i], styles[numbers[i + 1]]) for i in range(1, 2 * count, 2))
    return line[end:].decode(), spans


def styled(line: StoredLine) -> StyledLine:
    """Return a stored line in the (text, spans) form renderers use."""
    if isinstance(line, str):
        return line, ((_span(len(line), DEFAULT_STYLE),) if line else ())
    if isinstance(line, bytes):
        return _unpack(line)
    return line


def cells_to_chars(text: str, start: int, end: int) -> tuple[int, int]:
    """The slice of ``text`` shown in cells ``start`` to ``end`` (end exclusive).

    Wide characters take two cells and combining marks none; a wide character partly
    inside the cells is included.
    """
    if text.isascii():
        return start, end
    first: int | None = None
    last = len(text)
    cell = 0
    for index, char in enumerate(text):
        width = wcwidth(char)
        if width < 1:  # a combining mark stays with the character before it
            continue
        if cell >= end:
            last = index
            break
        if first is None and cell + width > start:
            first = index
        cell += width
    if first is None:
        return len(text), len(text)
    return first, last


class Scrollback:
    """A bounded, oldest-first sequence of stored lines."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = max(0, limit)
        self._lines: deque[StoredLine] = deque(maxlen=self.limit)
        self.total = 0
        """How many lines were ever appended (numbering that survives eviction)."""

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> StoredLine:
        return self._lines[index]

    def __iter__(self) -> Iterator[StoredLine]:
        return iter(self._lines)

    def append(self, line: StoredLine) -> None:
        """Add the newest line, evicting the oldest one beyond the limit."""
        if self.limit:
            self._lines.append(line)
        self.total += 1

    def extend(self, lines: Iterable[StoredLine]) -> None:
        """Add several lines, oldest first."""
        if not isinstance(lines, list):
            lines = list(lines)
        if self.limit:
            self._lines.extend(lines)
        self.total += len(lines)

    def pop(self) -> StoredLine:
        """Take the newest line back (it returns to the screen); IndexError when empty."""
        line = self._lines.pop()
        self.total -= 1
        return line

    def skip(self, count: int) -> None:
        """Count lines that scrolled past so fast they would have been evicted unseen."""
        self.total += count

    def clear(self) -> None:
        """Forget every stored line."""
        self._lines.clear()

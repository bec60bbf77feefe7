"""Compact storage for lines that scrolled off the top of the screen."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator, Mapping
from itertools import groupby
from operator import itemgetter
from typing import TypeAlias

from pyte.screens import Char

CellStyle: TypeAlias = Char
"""A cell's colours and attributes: a pyte Char whose data is ``""``."""

Span: TypeAlias = tuple[int, CellStyle]
"""A run of ``length`` characters of the line's text drawn in one style."""

StyledLine: TypeAlias = tuple[str, tuple[Span, ...]]
"""A line as text plus style runs covering it; styles are Chars whose data is ``""``."""

StoredLine: TypeAlias = str | tuple[str, bytes] | StyledLine
"""A scrolled-off line: a bare ``str`` when every cell has the default style, else the text
and its spans packed as unsigned 16-bit (length, style number) pairs."""

_data = itemgetter(0)
_BLANK = Char(" ")
_INTERN_LIMIT = 65_536


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
_SPANS: dict[Span, Span] = {}
_STYLE_LIST: list[Char] = []
_STYLE_NUMBER: dict[Char, int] = {}
_MAX_PACKED = 0xFFFF


def _pack(spans: list[Span]) -> bytes | None:
    """Pack spans as 16-bit (length, style number) pairs; None when a style has no number."""
    packed = array("H")
    for length, style in spans:
        number = _STYLE_NUMBER.get(style)
        if number is None:
            if len(_STYLE_LIST) > _MAX_PACKED:
                return None
            number = _STYLE_NUMBER[style] = len(_STYLE_LIST)
            _STYLE_LIST.append(style)
        packed.append(min(length, _MAX_PACKED))
        packed.append(number)
    return packed.tobytes()


def _unpack(packed: bytes) -> tuple[Span, ...]:
    numbers = array("H", packed)
    return tuple(_span(numbers[i], _STYLE_LIST[numbers[i + 1]]) for i in range(0, len(numbers), 2))


_STYLE_OF = _StyleTable()


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
    if first == DEFAULT_STYLE and styles.count(first) == width:
        return text.rstrip(" ")
    spans: list[Span] = []
    if len(text) == width:
        for style, group in groupby(styles):
            spans.append(_span(sum(1 for _ in group), style))
    else:  # wide characters leave empty stub cells that add no text
        pairs = zip(styles, cells, strict=True)
        for style, members in groupby(pairs, key=itemgetter(0)):
            spans.append(_span(sum(1 for _, cell in members if cell.data), style))
    return _trim(text, spans)


def _trim(text: str, spans: list[Span]) -> StoredLine:
    """Drop trailing default-styled blanks, and the spans when nothing is styled."""
    last_length, last_style = spans[-1]
    if last_style == DEFAULT_STYLE:
        kept = len(text.rstrip(" "))
        cut = len(text) - kept
        text = text[:kept]
        if cut >= last_length:
            spans.pop()
            if not spans:
                return text
        else:
            spans[-1] = _span(last_length - cut, last_style)
    if len(spans) == 1 and spans[0][1] == DEFAULT_STYLE:
        return text
    packed = _pack(spans)
    return (text, tuple(spans)) if packed is None else (text, packed)


def styled(line: StoredLine) -> StyledLine:
    """Return a stored line in the (text, spans) form renderers use."""
    if isinstance(line, str):
        return line, ((_span(len(line), DEFAULT_STYLE),) if line else ())
    text, spans = line
    if isinstance(spans, bytes):
        return text, _unpack(spans)
    return text, spans


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

    def skip(self, count: int) -> None:
        """Count lines that scrolled past so fast they would have been evicted unseen."""
        self.total += count

    def clear(self) -> None:
        """Forget every stored line."""
        self._lines.clear()


DEFAULT_STYLE = style_of(Char(" "))
"""The style of a blank cell: default colours, no attributes."""


def compact_segments(segments: list[tuple[Char, str]]) -> StoredLine:
    """Build the stored form of a row drawn from blank as (attrs, text) segments."""
    text = "".join([piece for _, piece in segments])
    if not text:
        return ""
    spans: list[Span] = []
    last_style: Char | None = None
    run = 0
    for attrs, piece in segments:
        if not piece:
            continue
        style = _STYLE_OF[attrs]
        if style == last_style:
            run += len(piece)
        else:
            if last_style is not None:
                spans.append(_span(run, last_style))
            last_style, run = style, len(piece)
    assert last_style is not None
    spans.append(_span(run, last_style))
    return _trim(text, spans)

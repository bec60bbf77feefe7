"""Terminal lines as Textual strips: cell styles as Rich styles, selection and cursor drawn in."""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ssm_tui.terminal.modes import CursorShape
from ssm_tui.terminal.scrollback import CellStyle, Span

_ANSI = {
    "black": 0,
    "red": 1,
    "green": 2,
    "brown": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "white": 7,
}
_ANSI.update({"bright" + name: number + 8 for name, number in list(_ANSI.items())})
_ANSI["bfightmagenta"] = 13  # pyte's spelling of SGR 105
_STYLE_LIMIT = 4096
_BLOCK_CURSOR = Style(reverse=True)
_UNDERLINE_CURSOR = Style(underline=True)
_SELECTED = Style(reverse=True)
_BAR = "\u258f"  # LEFT ONE EIGHTH BLOCK: a thin bar on a blank cell


def _color(name: str) -> Color | None:
    """A pyte colour (ANSI name, ``rrggbb`` hex or ``default``) as a rich Color."""
    if name == "default":
        return None
    number = _ANSI.get(name)
    if number is not None:
        return Color.from_ansi(number)
    try:
        return Color.from_rgb(int(name[0:2], 16), int(name[2:4], 16), int(name[4:6], 16))
    except ValueError:
        return None


def _bar(strip: Strip, x: int) -> Strip:
    """Draw a bar cursor on the blank cell ``x``: a thin left-edge block."""
    width = strip.cell_length
    before, middle, after = strip.divide([x, x + 1, width])
    style = next((segment.style for segment in middle if segment.style), None)
    return Strip.join([before, Strip([Segment(_BAR, style)], 1), after])


def _highlight(strip: Strip, start: int, end: int, look: Style) -> Strip:
    width = strip.cell_length
    start, end = max(0, start), min(width, end)
    if start >= end:
        return strip
    before, middle, after = strip.divide([start, end, width])
    middle = middle.apply_style(look)
    return Strip.join([before, middle, after])


class StripPainter:
    """Paints terminal lines as strips, sharing one Rich style per cell style."""

    def __init__(self) -> None:
        self._styles: dict[int, tuple[CellStyle, Style]] = {}
        """id(cell style) -> (cell style, Rich style over the base); styles are shared."""

    def clear(self) -> None:
        """Forget the Rich styles (the base style they are built on changed)."""
        self._styles.clear()

    def paint(
        self,
        text: str,
        spans: tuple[Span, ...],
        width: int,
        base: Style,
        *,
        cursor: tuple[int, CursorShape] | None,
        selection: tuple[int, int] | None,
    ) -> Strip:
        """One line ``width`` cells wide, with the selected cells and the cursor drawn."""
        segments = self._segments(text, spans, base)
        cells = len(text) if text.isascii() else cell_len(text)
        if cells <= width:
            if cells < width:
                segments.append(Segment(" " * (width - cells), base))
            strip = Strip(segments, width)
        else:
            strip = Strip(segments, cells).crop(0, width)
        if selection is not None:
            strip = _highlight(strip, selection[0], selection[1], _SELECTED)
        if cursor is not None:
            x, shape = cursor
            if shape is CursorShape.BLOCK:
                strip = _highlight(strip, x, x + 1, _BLOCK_CURSOR)
            elif shape is CursorShape.BAR and strip.crop(x, x + 1).text == " ":
                strip = _bar(strip, x)
            else:  # an underline, and a bar over a character (a bar cannot share its cell)
                strip = _highlight(strip, x, x + 1, _UNDERLINE_CURSOR)
        return strip

    def _segments(self, text: str, spans: tuple[Span, ...], base: Style) -> list[Segment]:
        segments = []
        position = 0
        styles = self._styles
        for length, cell in spans:
            piece = text[position : position + length]
            position += length
            entry = styles.get(id(cell))
            style = entry[1] if entry is not None and entry[0] is cell else self._style(cell, base)
            segments.append(Segment(piece, style))
        return segments

    def _style(self, cell: CellStyle, base: Style) -> Style:
        entry = self._styles.get(id(cell))
        if entry is not None and entry[0] is cell:
            return entry[1]
        style = base + Style(
            color=_color(cell.fg),
            bgcolor=_color(cell.bg),
            bold=cell.bold or None,
            italic=cell.italics or None,
            underline=cell.underscore or None,
            strike=cell.strikethrough or None,
            reverse=cell.reverse or None,
            blink=cell.blink or None,
        )
        if len(self._styles) > _STYLE_LIMIT:
            self._styles.clear()
        self._styles[id(cell)] = (cell, style)
        return style

"""Whole lines of text, SGR and tabs laid out as screen rows of (attrs, text) segments."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from pyte.screens import Char

Segments: TypeAlias = list[tuple[Char, str]]
"""One screen row drawn from blank: runs of text, each in its attributes."""


@dataclass(slots=True)
class BlockRows:
    """What laying out a block gave: its rows, the attributes after it, lines consumed."""

    attrs: Char
    rows: list[Segments] = field(default_factory=list)
    lines: int = 0


def block_rows(
    lines: list[list[str]],
    *,
    columns: int,
    attrs: Char,
    sgr: Callable[[Char, str], Char],
    tabstops: Callable[[], list[int]],
    blank: Char,
) -> BlockRows:
    """Lay out CR LF terminated lines as autowrapping rows, exactly as drawing them would.

    Each line alternates text and SGR parameter text (``re.split`` output); ``sgr`` gives
    the attributes after one SGR.  A tab moves to the next of the sorted ``tabstops()``
    (the last column without one) over cells left blank (``blank``).  A tab in the
    pending-wrap state moves back onto a drawn cell, which rows built from blank cannot
    show: the lines before it are returned and the caller draws the rest the slow way.
    """
    result = BlockRows(attrs=attrs)
    rows = result.rows
    add_row = rows.append
    stops: list[int] | None = None
    for parts in lines:
        if len(parts) == 1:  # no SGR in the line
            part = parts[0]
            if len(part) <= columns and "\t" not in part:
                add_row([(attrs, part)] if part else [])
                result.lines += 1
                continue
        line_start, line_attrs = len(rows), attrs
        row: Segments = []
        used = 0
        odd = False
        for part in parts:
            if odd:
                odd = False
                attrs = sgr(attrs, part)
                continue
            odd = True
            for index, text in enumerate(part.split("\t") if "\t" in part else (part,)):
                if index:  # a tab came before this text
                    if stops is None:
                        stops = tabstops()
                    found = bisect_right(stops, used)
                    stop = stops[found] if found < len(stops) else columns - 1
                    if used >= columns or stop >= columns:
                        del rows[line_start:]
                        result.attrs = line_attrs
                        return result
                    if stop > used:
                        if attrs == blank:  # the skipped cells join the text as spaces
                            text = " " * (stop - used) + text
                        else:
                            row.append((blank, " " * (stop - used)))
                            used = stop
                if used + len(text) <= columns:
                    if text:
                        if row and row[-1][0] is attrs:
                            row[-1] = (attrs, row[-1][1] + text)
                        else:
                            row.append((attrs, text))
                        used += len(text)
                    continue
                while text:
                    if used == columns:
                        add_row(row)
                        row, used = [], 0
                    take = text[: columns - used]
                    row.append((attrs, take))
                    used += len(take)
                    text = text[len(take) :]
        add_row(row)
        result.lines += 1
    result.attrs = attrs
    return result

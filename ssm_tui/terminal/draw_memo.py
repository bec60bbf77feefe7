"""What the screen's fast drawing path remembers: shared Chars, SGR results, rows' stored forms."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyte.screens import Char

from ssm_tui.terminal.scrollback import StoredLine

_INTERN_LIMIT = 4096


class CharTable(dict[str, Char]):
    """Shared Chars of one style, made on first use: drawing reuses them instead of allocating."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: Char) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, data: str) -> Char:
        char = self[data] = self.attrs._replace(data=data)
        return char


class DrawMemo:
    """The fast drawing path's caches, one set per screen, each cleared when it grows large."""

    __slots__ = ("_by_id", "_rows", "_tables", "sgr", "sgr_text")

    def __init__(self) -> None:
        self._tables: dict[Char, CharTable] = {}
        self._by_id: dict[int, tuple[Char, Callable[[str], Char]]] = {}
        """id(attrs) -> (attrs, its table's lookup): skips hashing the attributes per run."""
        self.sgr: dict[tuple[Char, bool, tuple[int, ...]], Char] = {}
        """(attrs, reverse screen, SGR parameters) -> the attributes after them."""
        self.sgr_text: dict[tuple[int, str], tuple[Char, Char]] = {}
        """(id(attrs), SGR parameter text) -> (attrs, the attributes after them)."""
        self._rows: dict[int, tuple[Mapping[int, Char], int, StoredLine]] = {}
        """Stored forms of rows drawn in bulk, valid while the row's version holds."""

    def table(self, attrs: Char) -> CharTable:
        """The shared Chars in ``attrs``."""
        table = self._tables.get(attrs)
        if table is None:
            if len(self._tables) > _INTERN_LIMIT:
                self._tables.clear()
            table = self._tables[attrs] = CharTable(attrs)
        return table

    def chars(self, attrs: Char) -> Callable[[str], Char]:
        """``char(data)``: the shared Char of ``data`` in ``attrs``, found by identity."""
        entry = self._by_id.get(id(attrs))
        if entry is None or entry[0] is not attrs:
            if len(self._by_id) > _INTERN_LIMIT:
                self._by_id.clear()
            entry = self._by_id[id(attrs)] = (attrs, self.table(attrs).__getitem__)
        return entry[1]

    def remember_row(
        self, row: Mapping[int, Char], version: int, form: StoredLine, *, limit: int
    ) -> None:
        """Keep the stored form of a row just drawn (at most ``limit`` rows are kept)."""
        if len(self._rows) > limit:
            self._rows.clear()
        self._rows[id(row)] = (row, version, form)

    def row_form(self, row: Mapping[int, Char], version: int, *, keep: bool) -> StoredLine | None:
        """The remembered form of ``row`` if it was not drawn on since (it is forgotten
        unless ``keep``); None when unknown."""
        rows = self._rows
        cached = rows.get(id(row)) if keep else rows.pop(id(row), None)
        if cached is not None and cached[0] is row and cached[1] == version:
            return cached[2]
        return None

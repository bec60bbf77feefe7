"""The machinery a table on Textual's Line API shares: a header line, a cursor, zebra rows.

A subclass says how many rows there are and how to draw the header and a row; this class
keeps the cursor in range and in view, moves it from the keys and the mouse, crops the
strips to the scrolled window, and styles the header, the cursor row and the zebra stripe.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineTable(ScrollView, can_focus=True):
    """Rows under a header line, with a cursor; subclasses draw the lines.

    | Key(s) | Description |
    | :- | :- |
    | up, k | Move the cursor up. |
    | down, j | Move the cursor down. |
    | pageup, pagedown | Move the cursor by a page. |
    | home, end | Jump to the first or last row. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"line-table--header", "line-table--cursor", "line-table--odd"}

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        & > .line-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .line-table--cursor { background: $block-cursor-blurred-background; }
        & > .line-table--odd { background: $surface-lighten-1; }
        &:focus > .line-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted row among the rows shown."""

    _frame = (Style(), 0)  # (base style, width) of the frame being drawn

    # -- what a subclass provides ---------------------------------------------------------

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        raise NotImplementedError

    def _header_strip(self) -> Strip:
        """The header line, as wide as the content at least."""
        raise NotImplementedError

    def _row_strip(self, row: int) -> Strip:
        """Row ``row`` (0 is the first under the header), as wide as the content at least."""
        raise NotImplementedError

    def _forget_strips(self) -> None:
        """Drop every strip kept from earlier frames."""
        raise NotImplementedError

    def _header_clicked(self, x: int) -> None:
        """The header was clicked ``x`` cells from its start."""

    def _row_clicked(self, row: int, chain: int) -> None:
        """Row ``row`` was clicked ``chain`` times in a row (2: a double click)."""

    # -- cursor ---------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1))

    def watch_cursor_row(self, row: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.row_count - 1

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        if offset.y == 0:
            self._header_clicked(offset.x + scroll_x)
        elif (row := scroll_y + offset.y - 1) < self.row_count:
            self.cursor_row = row
            self._row_clicked(row, event.chain)

    # -- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_strips()

    def _on_resize(self) -> None:
        self._forget_strips()  # strips are padded to the width

    def render_lines(self, crop: Region) -> list[Strip]:
        # Work out the base style and width once per frame, not once per line.
        self._frame = (self.rich_style, self.scrollable_content_region.width)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        base, width = self._frame
        if y == 0:
            strip = self._header_strip()
        elif (row := scroll_y + y - 1) < self.row_count:
            strip = self._row_strip(row)
        else:
            return Strip.blank(width, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_style(self) -> Style:
        """The frame's style with the header's on top."""
        return self._frame[0] + self.get_component_rich_style("line-table--header")

    def _row_style(self, *, cursor: bool, odd: bool) -> Style:
        """The frame's style with the cursor's on top, or else the zebra stripe's if ``odd``."""
        style = self._frame[0]
        if cursor:
            style += self.get_component_rich_style("line-table--cursor")
        elif odd:
            style += self.get_component_rich_style("line-table--odd")
        return style

    def _cell_style(self, style: Style, component: str) -> Style:
        """``style`` with ``component``'s colour and text style on top, but not its background.

        The full component style, not the partial one: a translucent colour such as
        ``$text-disabled`` comes out blended only there. Its background is the widget's,
        which would cover the zebra stripe, so the row's is put back.
        """
        return style + self.get_component_rich_style(component) + Style(bgcolor=style.bgcolor)

"""LineTable, under the node and fan-out tables: cursor keys, clicks, stripes, cell colours."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.strip import Strip

from ssm_tui.ui.line_table import LineTable


class Numbers(LineTable):
    """``count`` rows numbered from 0; remembers the clicks its hooks were told about."""

    COMPONENT_CLASSES = {"numbers--odd-number"}
    DEFAULT_CSS = "Numbers { & > .numbers--odd-number { color: $success; } }"

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.virtual_size = Size(200, count + 1)
        self.header_clicks: list[int] = []
        self.row_clicks: list[tuple[int, int]] = []

    @property
    def row_count(self) -> int:
        return self.count

    def _header_strip(self) -> Strip:
        return Strip([Segment("#".ljust(self._frame[1]), self._header_style())])

    def _row_strip(self, row: int) -> Strip:
        style = self._row_style(cursor=row == self.cursor_row, odd=row % 2 == 1)
        number = self._cell_style(style, "numbers--odd-number") if row % 2 else style
        rest = " ".ljust(self._frame[1] - 4)
        return Strip([Segment(f"{row:4}", number), Segment(rest, style)])

    def _forget_strips(self) -> None:
        pass

    def _header_clicked(self, x: int) -> None:
        self.header_clicks.append(x)

    def _row_clicked(self, row: int, chain: int) -> None:
        self.row_clicks.append((row, chain))


class Host(App[None]):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        yield Numbers(self.count)


async def test_keys_move_the_cursor_within_the_rows_and_keep_it_in_view() -> None:
    app = Host(100)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(Numbers)
        table.focus()
        await pilot.press("up")
        assert table.cursor_row == 0
        await pilot.press("down", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("pagedown")
        assert table.cursor_row == 3 + table.scrollable_content_region.height - 2
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 99
        assert table.scroll_y + table.scrollable_content_region.height - 1 > 99
        await pilot.press("down", "home")
        await pilot.pause()
        assert (table.cursor_row, table.scroll_y) == (0, 0)


async def test_clicks_move_the_cursor_and_tell_the_hooks_where() -> None:
    app = Host(5)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(Numbers)
        await pilot.click(Numbers, offset=(2, 3))
        await pilot.click(Numbers, offset=(7, 0))
        await pilot.click(Numbers, offset=(2, 9))  # below the last row: nothing
        assert table.cursor_row == 2
        assert table.row_clicks == [(2, 1)]
        assert table.header_clicks == [7]


async def test_a_cell_colour_keeps_the_zebra_stripe_under_it() -> None:
    app = Host(10)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(Numbers)
        table.cursor_row = 9
        await pilot.pause()
        stripe = table.get_component_rich_style("line-table--odd").bgcolor
        green = table.get_component_rich_style("numbers--odd-number").color
        even_row, odd_row = table.render_line(5), table.render_line(6)  # rows 4 and 5
        number, rest = list(odd_row)[:2]
        assert number.style is not None and rest.style is not None
        assert number.style.color == green
        assert number.style.bgcolor == rest.style.bgcolor == stripe
        plain, _ = list(even_row)
        assert plain.style is not None and plain.style.bgcolor != stripe

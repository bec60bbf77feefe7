"""KeyFooter: rebuilt when the keys it shows change, left alone when they do not."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button

from ssm_tui.ui.key_footer import KeyFooter


class SaveButton(Button):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Save")]


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")
        yield SaveButton("save", id="save")
        yield KeyFooter()


def footer_keys(app: FooterApp) -> list[str]:
    return [str(key.description) for key in app.query_one(KeyFooter).children]


class TestKeyFooter:
    async def test_focus_moving_between_widgets_with_the_same_keys_keeps_the_footer(
        self,
    ) -> None:
        app = FooterApp()
        async with app.run_test() as pilot:
            app.query_one("#one").focus()
            await pilot.pause()
            keys = list(app.query_one(KeyFooter).children)
            assert "Quit" in footer_keys(app)
            app.query_one("#two").focus()
            await pilot.pause()
            assert list(app.query_one(KeyFooter).children) == keys
            assert all(key.is_attached for key in keys)

    async def test_focus_on_a_widget_with_other_keys_rebuilds_the_footer(self) -> None:
        app = FooterApp()
        async with app.run_test() as pilot:
            app.query_one("#one").focus()
            await pilot.pause()
            assert "Save" not in footer_keys(app)
            app.query_one("#save").focus()
            await pilot.pause()
            assert "Save" in footer_keys(app)
            app.query_one("#two").focus()
            await pilot.pause()
            assert "Save" not in footer_keys(app)

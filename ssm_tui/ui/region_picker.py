"""A modal to choose which profiles and regions the fleet browser lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList

from ssm_tui.app_core.fleet_source import Scope

#: The commercial regions Session Manager serves (offered alongside any already chosen).
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
    "sa-east-1", "mx-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "il-central-1", "me-south-1",
    "me-central-1", "af-south-1", "ap-south-1", "ap-south-2", "ap-east-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
)  # fmt: skip

_DEFAULT_PROFILE = "(default chain)"


class RegionPicker(ModalScreen[Scope | None]):
    """Pick profiles and regions with two selection lists; dismisses with the new scope.

    | Key(s) | Description |
    | :- | :- |
    | space | Select or deselect the highlighted item. |
    | ctrl+s | List the chosen profiles x regions. |
    | escape | Keep the current choice. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, scope: Scope, known_profiles: Sequence[str]) -> None:
        super().__init__()
        self.scope = scope
        self.known_profiles = known_profiles

    def compose(self) -> ComposeResult:
        chosen_profiles = {p or _DEFAULT_PROFILE for p in self.scope.profiles}
        profiles = sorted({*self.known_profiles, *chosen_profiles})
        regions = sorted({*REGIONS, *self.scope.regions})
        with Vertical(classes="dialog picker"):
            yield Label("Profiles and regions to list", classes="dialog-title")
            with Horizontal():
                yield SelectionList[str](
                    *((p, p, p in chosen_profiles) for p in profiles), id="profiles"
                )
                yield SelectionList[str](
                    *((r, r, r in self.scope.regions) for r in regions), id="regions"
                )
            yield Label("", id="pairs", classes="dialog-hint")
            with Horizontal(classes="buttons"):
                yield Button("List (ctrl+s)", variant="primary", id="apply")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#profiles", SelectionList).border_title = "Profiles"
        self.query_one("#regions", SelectionList).border_title = "Regions"
        self._show_count()

    @property
    def chosen(self) -> Scope:
        """The scope the lists show now."""
        profiles = self.query_one("#profiles", SelectionList).selected
        regions = self.query_one("#regions", SelectionList).selected
        return Scope(
            profiles=tuple(None if p == _DEFAULT_PROFILE else p for p in profiles),
            regions=tuple(str(r) for r in regions),
        )

    @on(SelectionList.SelectedChanged)
    def _show_count(self) -> None:
        pairs = len(self.chosen.pairs)
        self.query_one("#pairs", Label).update(f"{pairs} profile x region pairs")

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        if not self.chosen.pairs:
            self.notify("Choose at least one profile and one region.", severity="warning")
            return
        self.dismiss(self.chosen)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

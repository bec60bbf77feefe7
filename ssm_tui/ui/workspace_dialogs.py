"""Save the open tabs and forwards as a named workspace, or pick a saved one to open."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from ssm_tui.app_core import workspace_file
from ssm_tui.app_core.workspace_file import WorkspaceError
from ssm_tui.app_core.workspace_restore import capture
from ssm_tui.ui.dialogs import TitleScreen

if TYPE_CHECKING:
    from ssm_tui.ui.workspace import WorkspaceScreen


class OpenWorkspaceScreen(ModalScreen[str | None]):
    """Pick a saved workspace by name; dismisses with the name, or None when cancelled.

    | Key(s) | Description |
    | :- | :- |
    | enter | Open the highlighted workspace. |
    | escape | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self.names = list(names)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open workspace", classes="dialog-title")
            yield OptionList(*self.names, id="workspaces")
            yield Label("enter opens · escape cancels", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def save_as(screen: WorkspaceScreen) -> None:
    """Ask for a name, then save the screen's tabs and forwards under it."""
    directory = workspace_file.workspace_dir()

    def save(name: str | None) -> None:
        if not name:
            return
        workspace = capture(name, screen.open_tabs(), screen.forwarder.specs())
        try:
            path = workspace_file.save(workspace, directory)
        except WorkspaceError as error:
            screen.notify(str(error), title="Cannot save", severity="error", markup=False)
            return
        count = f"{len(workspace.tabs)} tabs, {len(workspace.forwards)} forwards"
        screen.notify(f"{path} ({count})", title=f"Workspace {name} saved", markup=False)

    screen.app.push_screen(TitleScreen("", prompt="Save workspace as"), save)


def choose_and_open(screen: WorkspaceScreen) -> None:
    """List the saved workspaces; open the one picked."""
    directory = workspace_file.workspace_dir()
    try:
        names = workspace_file.list_names(directory)
    except WorkspaceError as error:
        screen.notify(str(error), title="Cannot list workspaces", severity="error", markup=False)
        return
    if not names:
        screen.notify(f"No workspaces saved in {directory}.", markup=False)
        return

    def open_named(name: str | None) -> None:
        if not name:
            return
        try:
            workspace = workspace_file.load(name, directory)
        except WorkspaceError as error:
            screen.notify(str(error), title="Cannot open", severity="error", markup=False)
            return
        screen.restore_workspace(workspace)

    screen.app.push_screen(OpenWorkspaceScreen(names), open_named)

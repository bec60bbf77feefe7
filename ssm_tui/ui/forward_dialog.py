"""The New Forward dialog: target, remote port and host, local port and bind address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ssm_tui.app_core.forwards import LOOPBACK, ForwardSpec
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions.forward import is_loopback

#: Starts the forward; returns its row key or raises with a message for the user.
StartForward = Callable[[ForwardSpec], Awaitable[str]]


class SpecError(ValueError):
    """A field of the dialog holds something unusable; the message says which and why."""


def find_node(text: str, nodes: Sequence[ManagedNode], preferred: ManagedNode) -> ManagedNode:
    """The node named ``text`` (instance id or Name tag), ``preferred`` winning ties."""
    text = text.strip()
    if text in (preferred.instance_id, preferred.name):
        return preferred
    for node in nodes:
        if text in (node.instance_id, node.name):
            return node
    raise SpecError(f"no node named {text!r} in the fleet listed")


def parse_port(text: str, field: str, *, allow_zero: bool = False) -> int:
    """A TCP port from ``text``; 0 only when ``allow_zero`` (meaning "pick one")."""
    try:
        port = int(text.strip() or ("0" if allow_zero else ""))
    except ValueError:
        raise SpecError(f"{field}: {text.strip()!r} is not a port number") from None
    if not (0 if allow_zero else 1) <= port <= 65535:
        raise SpecError(f"{field}: {port} is out of range (1-65535)")
    return port


class NewForwardScreen(ModalScreen[str | None]):
    """Ask what to forward, start it, and dismiss with its row key (None when cancelled).

    A failure to start (port in use, node refused) is shown in the dialog, which stays open.

    | Key(s) | Description |
    | :- | :- |
    | enter | Start the forward. |
    | escape | Cancel. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, node: ManagedNode, nodes: Sequence[ManagedNode], start: StartForward
    ) -> None:
        super().__init__()
        self.node = node
        self.nodes = nodes
        self._start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog forward"):
            yield Label("New port forward", classes="dialog-title")
            with Grid(classes="fields"):
                yield Label("Target")
                yield Input(self.node.label, id="target", select_on_focus=False)
                yield Label("Remote port")
                yield Input(placeholder="e.g. 80", id="remote-port", type="integer")
                yield Label("Remote host")
                yield Input(placeholder="optional: beyond the node, e.g. db.internal", id="host")
                yield Label("Local port")
                yield Input("0", id="local-port", type="integer")
                yield Label("Bind address")
                yield Input(LOOPBACK, id="bind")
            yield Static(id="warning", classes="dialog-warning")
            yield Static(id="error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", id="cancel")
            yield Static("local port 0 picks a free one · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#warning").display = False
        self.query_one("#error").display = False
        self.query_one("#remote-port").focus()

    def spec(self) -> ForwardSpec:
        """What the fields ask for; SpecError names the first unusable field."""
        value = self._value
        bind = value("bind") or LOOPBACK
        return ForwardSpec(
            node=find_node(value("target"), self.nodes, self.node),
            remote_port=parse_port(value("remote-port"), "remote port"),
            host=value("host"),
            local_port=parse_port(value("local-port"), "local port", allow_zero=True),
            bind=bind,
        )

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    @on(Input.Changed, "#bind")
    def _bind_changed(self, event: Input.Changed) -> None:
        address = event.value.strip() or LOOPBACK
        warning = self.query_one("#warning", Static)
        warning.display = not is_loopback(address)
        warning.update(Text(f"⚠ {address} is not loopback: other machines can use this forward."))

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def _submit(self) -> None:
        try:
            spec = self.spec()
        except SpecError as error:
            self._show_error(str(error))
            return
        self._show_error("")
        self.query_one("#start", Button).disabled = True
        self._run(spec)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="start-forward")
    async def _run(self, spec: ForwardSpec) -> None:
        try:
            key = await self._start(spec)
        except Exception as error:  # ForwardError, AwsError: one line for the user
            self._show_error(_one_line(error))
            self.query_one("#start", Button).disabled = False
            return
        self.dismiss(key)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Text(f"✗ {message}" if message else ""))  # AWS text, never markup
        error.display = bool(message)


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]

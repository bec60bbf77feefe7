"""A shell tab: one node's ShellSession shown in a TerminalView, reconnectable in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Static

from ssm_tui.app_core.broadcast import BroadcastGroup
from ssm_tui.app_core.node_shell import NodeShell, one_line
from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.app_core.tab_recording import TabRecording
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions import ConnectionState, Phase
from ssm_tui.sessions.base import SessionEnd
from ssm_tui.sessions.shell import ShellSession
from ssm_tui.terminal.scheduler import ParseQueue
from ssm_tui.ui.broadcast_status import BROADCAST_MARK, broadcast_badge
from ssm_tui.ui.tab_recording_switch import REC_MARK, RECORDING_FLUSH, RecordingSwitch
from ssm_tui.ui.terminal_view import TerminalView

_TITLE_WIDTH = 24
_REASON_WIDTH = 28
_RECONNECT_KEYS = (b"\r", b"r")


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def state_label(state: ConnectionState, end: SessionEnd | None = None) -> str:
    """A session state in a few words: ``live``, ``reconnecting (2)``, ``ended (exit 0)``."""
    if state.phase is Phase.CONNECTING:
        return "connecting…"
    if state.phase is Phase.RECONNECTING:
        return f"reconnecting ({state.attempt})"
    if state.phase is Phase.ENDED:
        if end is not None and end.exit_code is not None:
            return f"ended (exit {end.exit_code})"
        if end is not None and end.ok:
            return "ended"  # the reason of a normal end is only "session ... closed"
        return f"failed: {shorten(state.reason, _REASON_WIDTH)}" if state.reason else "ended"
    return "live"


class ShellView(TerminalView):
    """A TerminalView that leaves the app's priority keys (tab keys) to the app.

    Textual drops every binding whose key the focused widget claims in
    ``check_consume_key`` from the binding chain, priority bindings included; a view that
    claims every key would disable the tab keys and hide them from the footer.
    """

    _priority: frozenset[str] | None = None
    _typing = False
    on_typed: Callable[[bytes], None] | None = None
    """Told what the user typed or pasted once the session took it (broadcast repeats it)."""

    class Typed(TerminalView.Input):
        """``Input`` the user typed or pasted (not a mouse report, not a reply to a query)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if self._priority is None:
            self._priority = priority_keys(self)
        return key not in self._priority and super().check_consume_key(key, character)

    async def on_key(self, event: events.Key) -> None:
        event.prevent_default()  # Textual would call TerminalView.on_key again after this
        self._typing = True
        try:
            await super().on_key(event)
        finally:
            self._typing = False

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Textual would call TerminalView.on_paste again after this
        self._typing = True
        try:
            super().on_paste(event)
        finally:
            self._typing = False

    def _send(self, data: bytes) -> None:
        # Straight to the live session from the key handler (no message hop: keystroke
        # latency). Keys and pastes are what a broadcast repeats; mouse reports and the
        # terminal's replies to queries belong to this screen alone.
        send_now = self.send_now
        if send_now is not None and send_now(data):
            if self._typing and self.on_typed is not None:
                self.on_typed(data)
            return
        self.post_message(self.Typed(self, data) if self._typing else self.Input(self, data))


def priority_keys(node: DOMNode) -> frozenset[str]:
    """The keys of the priority bindings of ``node``'s ancestors, as declared in ``BINDINGS``.

    Textual filters the binding chain through ``check_consume_key`` before it applies the
    app's keymap, so the declared key is the one a view must leave alone; the keymap then
    moves the binding to its new key, which a priority binding gets before the view does.
    A class's bindings for a key replace those its bases declare for it, as in Textual.
    """
    keys: set[str] = set()
    for namespace in node.ancestors:
        declared: dict[str, bool] = {}
        for cls in reversed(type(namespace).__mro__):
            own = BindingsMap(cls.__dict__.get("BINDINGS", ()))
            for key, bindings in own.key_to_bindings.items():
                declared[key] = any(binding.priority for binding in bindings)
        keys.update(key for key, priority in declared.items() if priority)
    return frozenset(keys)


class SessionTab(RecordingSwitch, Vertical):
    """A shell on ``node``: keys go to its session, output to its screen, state to its title.

    The screen and scrollback outlive the session: when it ends (``exit``, a failure), a
    line saying why is written under the output, and enter (or r) starts a new session on
    the same node in the same tab, below the old output.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+] | Hand focus back to the app (tab bar, fleet, panel keys work again). |
    | enter, r | After the session ended: reconnect in this tab. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # TerminalView handles the key itself; the binding shows it in the footer and help.
        Binding("ctrl+right_square_bracket", "release_focus", "Release focus"),
    ]

    class Changed(Message):
        """The tab's title or state changed (the screen relabels it, recounts live sessions)."""

        def __init__(self, tab: SessionTab) -> None:
            super().__init__()
            self.tab = tab
            self.title = tab.title
            """The title when the change happened (the tab may have moved on since)."""

    def __init__(
        self,
        node: ManagedNode,
        services: SessionServices,
        *,
        document: str = "",
        title: str = "",
        ended: str = "",
        broadcast: BroadcastGroup | None = None,
    ) -> None:
        super().__init__()
        self.node = node
        self.services = services
        self.broadcast = broadcast
        """The group this tab can be marked in: what is typed here then goes to every member."""
        self.view = ShellView(services.terminal())
        self.shell = NodeShell(
            node,
            services,
            on_output=self._output,
            on_end=self._ended,
            on_change=self._changed,
            document=document,
            recording=TabRecording(
                node.label, self.view.terminal, record_input=services.config.record_input
            ),
        )
        self.ended_reason = ended
        """Set when the tab opens ended (a restored node that is gone or offline): why."""
        self._announced: object = None
        self._held_line = b""
        self.custom_title = title
        self.remote_title = ""
        # The view tells the scheduler when it is on screen or typed into, and leaves it
        # when unmounted.
        self._queue = self.view.attach(services.parser)
        # Keys go straight to the live session; without one, Input reaches _input below.
        self.view.send_now = self.shell.send
        self.view.on_typed = self._typed

    def compose(self) -> ComposeResult:
        yield Static(classes="broadcast-badge")
        yield self.view

    def on_mount(self) -> None:
        self.set_interval(RECORDING_FLUSH, self._flush_recording, name="recording-flush")
        if self.ended_reason:
            self.shell.fail(self.ended_reason)
            return
        if self.services.config.record:
            self.shell.start_recording()  # starts with the session: named by its id
        self.connect()

    def on_unmount(self) -> None:
        self.close()

    # -- what the screen uses -------------------------------------------------------------

    @property
    def title(self) -> str:
        """Name (or id, or the title the shell set, or the user's) and state, for the tab."""
        name = self.custom_title or self.remote_title or self.node.label
        mark = BROADCAST_MARK if self.marked else ""
        state = state_label(self.shell.state, self.shell.end)
        title = f"{mark}{shorten(name, _TITLE_WIDTH)} · {state}"
        return f"{REC_MARK} {title}" if self.shell.recording_on else title

    @property
    def marked(self) -> bool:
        """Whether the tab is marked for broadcast input."""
        return self.broadcast is not None and self.shell in self.broadcast

    @property
    def session(self) -> ShellSession | None:
        """The current (or last) session."""
        return self.shell.session

    @property
    def live(self) -> bool:
        """True from the start of a session until it ends (connecting and reconnecting too)."""
        return self.shell.live

    @property
    def closed(self) -> bool:
        """True once the tab was closed (its session is being terminated)."""
        return self.shell.closed

    @property
    def parse_queue(self) -> ParseQueue:
        """This tab's queue in the shared parse scheduler (for ``show``)."""
        return self._queue

    def rename(self, title: str) -> None:
        """Show ``title`` instead of the node's name (state still follows it)."""
        self.custom_title = title
        self.post_message(self.Changed(self))

    def connect(self) -> None:
        """Start a new session on the node; the screen keeps what the old one showed."""
        terminal = self.view.terminal
        session = self.shell.connect((terminal.columns, terminal.lines))
        if session is not None:
            # A tab whose parse backlog is large holds its session's output at the agent.
            self._queue.on_backlog = session.hold_output
            self._start(session)

    def close(self) -> None:
        """Terminate the session (in the background); the tab is going away."""
        self.stop_recording()
        self.shell.close()
        if self.broadcast is not None:
            self.broadcast.discard(self.shell)

    def broadcast_changed(self) -> None:
        """Show the group's state: the mark in the title, the badge over the screen."""
        group = self.broadcast
        shown = group is not None and group.enabled and self.marked
        for badge in self.query(".broadcast-badge").results(Static):  # none once unmounting
            badge.display = shown
            if group is not None and shown:
                badge.update(broadcast_badge(len(group), group.status(self.shell)))
        self.post_message(self.Changed(self))

    @property
    def document(self) -> str:
        """The session document the tab opens (empty: the account's default shell)."""
        return self.shell.document

    # -- session events -------------------------------------------------------------------

    @work(group="session-start")
    async def _start(self, session: ShellSession) -> None:
        try:
            await self.shell.start(session)
        except Exception as error:  # AWS refused (offline, Windows, unknown): show why
            if session is self.shell.session:
                self.notify(
                    f"{self.node.label}: {one_line(error)}",
                    title="Cannot open a shell",
                    severity="error",
                    markup=False,
                )

    def _output(self, data: bytes) -> None:
        self.services.parser.receive(self._queue, data)

    def _changed(self) -> None:
        self._announce_recording()
        self.post_message(self.Changed(self))

    def _ended(self, end: SessionEnd) -> None:
        code = f"exit {end.exit_code}, " if end.exit_code is not None else ""
        hint = f"[session ended: {code}{end.reason} — press enter to reconnect]"
        # Written into the terminal itself (after any output still queued): it stays in
        # the scrollback as a record of where one session ended and the next began.
        self._held_line += f"\r\n\x1b[7m{hint}\x1b[0m\r\n".encode()
        self._write_held_line()

    def _write_held_line(self) -> None:
        # A tab that was never laid out (it opened ended, in the background) writes the
        # line once its terminal has the view's width, so it wraps where the user sees it.
        size = self.view.size
        if not self._held_line or (size.width, size.height) != (
            self.view.terminal.columns,
            self.view.terminal.lines,
        ):
            return
        line, self._held_line = self._held_line, b""
        self.services.parser.receive(self._queue, line)
        if self.shell.recording is not None:
            self.shell.recording.output(line)  # the recording shows it too

    def on_show(self) -> None:
        self.call_after_refresh(self._write_held_line)

    # -- view events ----------------------------------------------------------------------

    def _typed(self, data: bytes) -> None:
        """The user typed ``data`` and the session took it: the broadcast repeats it."""
        if self.broadcast is not None:
            self.broadcast.send(data, origin=self.shell)

    @on(TerminalView.Input)
    def _input(self, event: TerminalView.Input) -> None:
        # What ShellView could not hand straight to the session (none is live, or a view
        # without send_now): it may still take it, else enter or r reconnects.
        event.stop()
        if self.shell.send(event.data):
            if isinstance(event, ShellView.Typed):
                self._typed(event.data)
        elif event.data in _RECONNECT_KEYS:
            self.connect()

    @on(TerminalView.Resized)
    def _resized(self, event: TerminalView.Resized) -> None:
        event.stop()
        self.shell.resize(event.columns, event.rows)
        self._write_held_line()

    @on(TerminalView.TitleChanged)
    def _title_changed(self, event: TerminalView.TitleChanged) -> None:
        event.stop()
        self.remote_title = event.title
        self.post_message(self.Changed(self))

    def action_release_focus(self) -> None:
        self.screen.focus_next()

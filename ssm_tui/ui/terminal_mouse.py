"""A terminal view's mouse: reports to a program that tracks it, else selection and scrolling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from ssm_tui.terminal.keys import encode_key
from ssm_tui.terminal.modes import MouseTracking
from ssm_tui.terminal.mouse import MouseAction, MouseEvent, encode_mouse, wants
from ssm_tui.terminal.terminal import Terminal
from ssm_tui.ui.terminal_selection import Selection

if TYPE_CHECKING:
    from textual.widget import Widget as _View
else:
    _View = object

_WHEEL_LINES = 3


class TerminalMouse(_View):
    """Mouse handlers mixed into TerminalView (shift bypasses a program's mouse tracking)."""

    terminal: Terminal
    _selection: Selection
    _buttons_down: bool

    if TYPE_CHECKING:

        def _top_line(self) -> int: ...
        def _schedule_frame(self, *, lazy: bool = False) -> None: ...
        def _send(self, data: bytes) -> None: ...
        def scroll_lines(self, lines: int) -> None: ...

    def _forward_mouse(self, event: events.MouseEvent, action: MouseAction) -> bool:
        """Report the event to the remote side if it is tracking the mouse; True if sent."""
        terminal = self.terminal
        if terminal.mouse_tracking is MouseTracking.OFF or event.shift:
            return False
        report = MouseEvent(
            action=action,
            x=event.x,
            y=event.y,
            button=max(0, (event.button or 1) - 1),
            alt=event.meta,
            ctrl=event.ctrl,
            buttons_down=self._buttons_down,
        )
        if wants(terminal.mouse_tracking, report):
            data = encode_mouse(report, sgr=terminal.mouse_sgr)
            if data:
                self._send(data)
        return True

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._buttons_down = True
        if self._forward_mouse(event, MouseAction.PRESS):
            return
        self.capture_mouse()
        self._selection.start((self._top_line() + event.y, event.x))
        self._schedule_frame()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._selection.extend((self._top_line() + event.y, event.x)):
            self._schedule_frame()
            return
        self._forward_mouse(event, MouseAction.MOVE)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._buttons_down = False
        if self._selection.dragging:
            self._selection.dragging = False
            self.release_mouse()
            text = self._selection.text(self.terminal)
            if text:
                self.app.copy_to_clipboard(text)
            return
        self._forward_mouse(event, MouseAction.RELEASE)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        if not self._forward_mouse(event, MouseAction.SCROLL_UP):
            self._wheel(_WHEEL_LINES)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        if not self._forward_mouse(event, MouseAction.SCROLL_DOWN):
            self._wheel(-_WHEEL_LINES)

    def _wheel(self, lines: int) -> None:
        if self.terminal.alternate_screen:
            # Full-screen programs have no scrollback: scroll them with arrows, as xterm does.
            key = "up" if lines > 0 else "down"
            data = encode_key(key, application_cursor=self.terminal.application_cursor_keys)
            self._send(data * abs(lines))
        else:
            self.scroll_lines(lines)

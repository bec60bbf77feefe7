"""A terminal view's mouse: reports to a program that tracks it, else selection and scrolling."""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from ssm_tui.terminal.keys import encode_key
from ssm_tui.terminal.modes import MouseTracking
from ssm_tui.terminal.mouse import MouseAction, MouseEvent, encode_mouse, wants
from ssm_tui.terminal.terminal import Terminal
from ssm_tui.ui.terminal_selection import Selection

_WHEEL_LINES = 3


class TerminalMouse:
    """What the mouse does in one view, which passes its mouse events on to this.

    Shift bypasses a program's mouse tracking, as in xterm.
    """

    def __init__(
        self,
        terminal: Terminal,
        selection: Selection,
        *,
        top_line: Callable[[], int],
        repaint: Callable[[], None],
        send: Callable[[bytes], None],
        scroll: Callable[[int], None],
        capture: Callable[[bool], None],
        copy: Callable[[str], None],
    ) -> None:
        self._terminal = terminal
        self._selection = selection
        self._top_line = top_line
        self._repaint = repaint
        self._send = send
        self._scroll = scroll
        self._capture = capture
        self._copy = copy
        self._buttons_down = False

    def down(self, event: events.MouseDown) -> None:
        """A button went down: report it, or start a selection."""
        self._buttons_down = True
        if self._forward(event, MouseAction.PRESS):
            return
        self._capture(True)
        self._selection.start((self._top_line() + event.y, event.x))
        self._repaint()

    def move(self, event: events.MouseMove) -> None:
        """Extend a selection being dragged, else report the move."""
        if self._selection.extend((self._top_line() + event.y, event.x)):
            self._repaint()
            return
        self._forward(event, MouseAction.MOVE)

    def up(self, event: events.MouseUp) -> None:
        """A button came up: a dragged selection is copied, else the release reported."""
        self._buttons_down = False
        if self._selection.dragging:
            self._selection.dragging = False
            self._capture(False)
            text = self._selection.text(self._terminal)
            if text:
                self._copy(text)
            return
        self._forward(event, MouseAction.RELEASE)

    def wheel(self, event: events.MouseScrollUp | events.MouseScrollDown) -> None:
        """Report the wheel, or scroll: the scrollback, or a full-screen program by arrows."""
        event.stop()
        up = isinstance(event, events.MouseScrollUp)
        if self._forward(event, MouseAction.SCROLL_UP if up else MouseAction.SCROLL_DOWN):
            return
        terminal = self._terminal
        if terminal.alternate_screen:
            # Full-screen programs have no scrollback: scroll them with arrows, as xterm does.
            data = encode_key(
                "up" if up else "down", application_cursor=terminal.application_cursor_keys
            )
            self._send(data * _WHEEL_LINES)
        else:
            self._scroll(_WHEEL_LINES if up else -_WHEEL_LINES)

    def _forward(self, event: events.MouseEvent, action: MouseAction) -> bool:
        """Report the event to the remote side if it is tracking the mouse; True if so."""
        terminal = self._terminal
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

"""A terminal view's blinking cursor: only the focused view blinks, and only until idle."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.timer import Timer

from ssm_tui.terminal.terminal import Terminal

if TYPE_CHECKING:
    from textual.widget import Widget as _View
else:
    _View = object


class CursorBlink(_View):
    """Focus and blink handlers mixed into TerminalView."""

    BLINK_SECONDS = 0.5
    """Half a blink period.  Only the focused view blinks its cursor (one timer per app),
    and not in headless apps (tests, snapshots) unless ``blink_when_headless`` is set."""
    BLINK_TIMEOUT = 10.0
    """Seconds without a key after which the cursor stops blinking and stays on (as GTK
    terminals do), so an idle focused tab wakes nothing up."""
    blink_when_headless = False

    terminal: Terminal
    _cursor_on: bool
    _blink_timer: Timer | None
    _key_at: float
    """When the view was last focused or typed into (the blink timeout's start)."""

    if TYPE_CHECKING:

        def _schedule_frame(self, *, lazy: bool = False) -> None: ...

    def on_focus(self) -> None:
        self._cursor_on = True
        self._key_at = time.monotonic()
        if self._blink_timer is not None:
            self._blink_timer.reset()
        elif self.blink_when_headless or not self.app.is_headless:
            self._blink_timer = self.set_interval(self.BLINK_SECONDS, self._blink, name="blink")
        self._schedule_frame()

    def on_blur(self) -> None:
        if self._blink_timer is not None:
            self._blink_timer.stop()
            self._blink_timer = None
        self._cursor_on = True
        self._schedule_frame()

    def _blink(self) -> None:
        """Toggle the cursor of the focused view (steady when the program asks for it, and
        after ``BLINK_TIMEOUT``, when the timer pauses until the next key)."""
        terminal = self.terminal
        idle = time.monotonic() - self._key_at >= self.BLINK_TIMEOUT
        on = not self._cursor_on
        if idle or not terminal.cursor_blink or not terminal.cursor_visible:
            on = True
        if on != self._cursor_on:
            self._cursor_on = on
            self._schedule_frame()
        if idle and self._blink_timer is not None:
            self._blink_timer.pause()

    def _steady_cursor(self) -> None:
        """Show the cursor and restart the blink cycle (after a key, as terminals do)."""
        self._key_at = time.monotonic()
        if self._blink_timer is not None:
            self._blink_timer.reset()
        if not self._cursor_on:
            self._cursor_on = True
            self._schedule_frame(lazy=True)

"""A terminal view's blinking cursor: only the focused view blinks, and only until idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from textual.timer import Timer

from ssm_tui.terminal.terminal import Terminal


class Repaint(Protocol):
    """Schedules a frame of the view (``lazy``: it may wait for output to come)."""

    def __call__(self, *, lazy: bool = False) -> None: ...


class CursorBlink:
    """The blink of one view's cursor, held by the view and told of focus and keys.

    Only the focused view blinks its cursor (one timer per app), and not in headless
    apps (tests, snapshots) unless ``when_headless`` is set.
    """

    seconds = 0.5
    """Half a blink period."""
    timeout = 10.0
    """Seconds without a key after which the cursor stops blinking and stays on (as GTK
    terminals do), so an idle focused tab wakes nothing up."""
    when_headless = False

    def __init__(
        self,
        terminal: Terminal,
        *,
        repaint: Repaint,
        every: Callable[[float, Callable[[], None]], Timer],
        headless: Callable[[], bool],
    ) -> None:
        self.on = True
        """Whether the cursor shows now (the blink's on phase, or not blinking)."""
        self.timer: Timer | None = None
        self._terminal = terminal
        self._repaint = repaint
        self._every = every
        self._headless = headless
        self._key_at = 0.0
        """When the view was last focused or typed into (the timeout's start)."""

    def focused(self) -> None:
        """The view got focus: blink from the on phase."""
        self.on = True
        self._key_at = time.monotonic()
        if self.timer is not None:
            self.timer.reset()
        elif self.when_headless or not self._headless():
            self.timer = self._every(self.seconds, self._blink)
        self._repaint()

    def blurred(self) -> None:
        """The view lost focus: stop blinking, cursor on."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.on = True
        self._repaint()

    def steady(self) -> None:
        """Show the cursor and restart the blink cycle (after a key, as terminals do)."""
        self._key_at = time.monotonic()
        if self.timer is not None:
            self.timer.reset()
        if not self.on:
            self.on = True
            self._repaint(lazy=True)

    def _blink(self) -> None:
        """Toggle the cursor (steady when the program asks for it, and after ``timeout``,
        when the timer pauses until the next key)."""
        terminal = self._terminal
        idle = time.monotonic() - self._key_at >= self.timeout
        on = not self.on
        if idle or not terminal.cursor_blink or not terminal.cursor_visible:
            on = True
        if on != self.on:
            self.on = on
            self._repaint()
        if idle and self.timer is not None:
            self.timer.pause()

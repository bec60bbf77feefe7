"""The alternate screen: where full-screen programs draw while the main screen is kept."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeAlias

import pyte
from pyte import modes as mo
from pyte.screens import Char, Cursor, StaticDefaultDict

Buffer: TypeAlias = dict[int, StaticDefaultDict[int, Char]]


class AlternateScreen:
    """The main screen's rows (and, for mode 1049, its cursor) kept while a full-screen
    program shows the alternate screen (private modes 47, 1047, 1049)."""

    def __init__(self, new_buffer: Callable[[], Buffer]) -> None:
        self.main_buffer: Buffer | None = None
        """The main screen's rows while the alternate screen shows."""
        self.saved: tuple[Cursor, bool] | None = None
        """The cursor and autowrap saved on entering with mode 1049."""
        self._new_buffer = new_buffer

    @property
    def active(self) -> bool:
        """Whether the alternate screen shows."""
        return self.main_buffer is not None

    def enter(self, screen: pyte.Screen, *, save_cursor: bool) -> None:
        """Show the alternate screen (blank), keeping the main one; 1049 saves the cursor."""
        if save_cursor:
            self.saved = (copy.copy(screen.cursor), mo.DECAWM in screen.mode)
        if self.main_buffer is None:
            self.main_buffer = screen.buffer
            screen.buffer = self._new_buffer()
        elif save_cursor:
            screen.buffer.clear()
        screen.dirty.update(range(screen.lines))

    def leave(self, screen: pyte.Screen, *, clear: bool, restore_cursor: bool) -> None:
        """Show the main screen again; 1049 restores the cursor saved on entering."""
        if self.main_buffer is not None:
            if clear:
                screen.buffer.clear()
            screen.buffer = self.main_buffer
            self.main_buffer = None
        if restore_cursor and self.saved is not None:
            screen.cursor, wrap = self.saved
            self.saved = None
            if wrap:
                screen.mode.add(mo.DECAWM)
            screen.ensure_hbounds()
            screen.ensure_vbounds()
        screen.dirty.update(range(screen.lines))

    def reset(self, screen: pyte.Screen) -> None:
        """Back to the main screen as it is, forgetting any saved cursor (a terminal reset)."""
        if self.main_buffer is not None:
            screen.buffer = self.main_buffer
            self.main_buffer = None
        self.saved = None

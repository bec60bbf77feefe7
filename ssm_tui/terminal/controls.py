"""The xterm controls pyte lacks: private modes, the alternate screen, titles and replies."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pyte
from pyte import modes as mo
from pyte.screens import Cursor

from ssm_tui.terminal import modes

if TYPE_CHECKING:
    from ssm_tui.terminal.drawing import Row

    _Screen = pyte.Screen
else:
    _Screen = object


class XtermControls(_Screen):
    """Mode, title and report handlers mixed into TerminalScreen."""

    keypad_application: bool
    mouse_tracking: modes.MouseTracking
    cursor_shape: modes.CursorShape
    cursor_blink: bool
    reply_chunks: list[str]
    title_version: int
    _main_buffer: dict[int, Row] | None
    """The main screen's rows while the alternate screen shows."""
    _alt_cursor: tuple[Cursor, bool] | None
    """The cursor and autowrap saved on entering the alternate screen (mode 1049)."""

    if TYPE_CHECKING:

        def _new_buffer(self) -> defaultdict[int, Row]: ...

    def set_mode(self, *numbers: int, **kwargs: Any) -> None:
        """Set modes, including the xterm private ones pyte does not know."""
        super().set_mode(*numbers, **kwargs)
        if not kwargs.get("private"):
            return
        for number in numbers:
            if number in modes.TRACKING_MODES:
                self.mouse_tracking = modes.MouseTracking(number)
            elif number == modes.CURSOR_BLINK:
                self.cursor_blink = True
            elif number in modes.ALT_SCREEN_MODES:
                self._enter_alternate(save_cursor=number == modes.ALT_SCREEN_1049)

    def reset_mode(self, *numbers: int, **kwargs: Any) -> None:
        """Reset modes, including the xterm private ones pyte does not know."""
        super().reset_mode(*numbers, **kwargs)
        if not kwargs.get("private"):
            return
        for number in numbers:
            if number in modes.TRACKING_MODES and self.mouse_tracking == number:
                self.mouse_tracking = modes.MouseTracking.OFF
            elif number == modes.CURSOR_BLINK:
                self.cursor_blink = False
            elif number in modes.ALT_SCREEN_MODES:
                self._leave_alternate(
                    clear=number != modes.ALT_SCREEN_47,
                    restore_cursor=number == modes.ALT_SCREEN_1049,
                )

    def _enter_alternate(self, *, save_cursor: bool) -> None:
        if save_cursor:
            self._alt_cursor = (copy.copy(self.cursor), mo.DECAWM in self.mode)
        if self._main_buffer is None:
            self._main_buffer = self.buffer
            self.buffer = self._new_buffer()
        elif save_cursor:
            self.buffer.clear()
        self.dirty.update(range(self.lines))

    def _leave_alternate(self, *, clear: bool, restore_cursor: bool) -> None:
        if self._main_buffer is not None:
            if clear:
                self.buffer.clear()
            self.buffer = self._main_buffer
            self._main_buffer = None
        if restore_cursor and self._alt_cursor is not None:
            self.cursor, wrap = self._alt_cursor
            self._alt_cursor = None
            if wrap:
                self.mode.add(mo.DECAWM)
            self.ensure_hbounds()
            self.ensure_vbounds()
        self.dirty.update(range(self.lines))

    def keypad_application_mode(self) -> None:
        """DECKPAM (``ESC =``): the keypad sends application sequences."""
        self.keypad_application = True

    def keypad_numeric_mode(self) -> None:
        """DECKPNM (``ESC >``): the keypad sends digits."""
        self.keypad_application = False

    def set_cursor_style(self, param: int = 0, *_: int, **__: Any) -> None:
        """DECSCUSR (``CSI Ps SP q``): choose the cursor shape and blinking."""
        self.cursor_shape, self.cursor_blink = modes.cursor_style(param)
        self.dirty.add(self.cursor.y)

    # -- titles and replies ----------------------------------------------------------------

    def set_title(self, param: str) -> None:
        """OSC 0/2: the window title (the tab title)."""
        if param != self.title:
            self.title = param
            self.title_version += 1

    def write_process_input(self, data: str) -> None:
        """Queue a reply (device status, attributes) for the remote side."""
        self.reply_chunks.append(data)

    def report_device_status(self, mode: int = 0, *_: int, **__: Any) -> None:
        """DSR: status and cursor position reports; ``CSI ? 6 n`` is answered too."""
        if mode == 5:
            self.write_process_input("\x1b[0n")
        elif mode == 6:
            y = self.cursor.y + 1
            if mo.DECOM in self.mode and self.margins is not None:
                y -= self.margins.top
            self.write_process_input(f"\x1b[{y};{min(self.cursor.x, self.columns - 1) + 1}R")

    def cursor_to_line(self, line: int | None = None, *_: int, **__: Any) -> None:
        """VPA: move to a line, relative to the top margin in origin mode."""
        self.cursor.y = (line or 1) - 1
        if mo.DECOM in self.mode and self.margins is not None:
            self.cursor.y += self.margins.top
        self.ensure_vbounds()

    def report_secondary_attributes(self) -> None:
        """DA2 (``CSI > c``): answer as an xterm-compatible VT220 would."""
        self.write_process_input("\x1b[>1;10;0c")

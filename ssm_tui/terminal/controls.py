"""The xterm controls pyte lacks: private modes, the alternate screen, titles and replies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyte
from pyte import modes as mo

from ssm_tui.terminal import modes
from ssm_tui.terminal.alternate import AlternateScreen

if TYPE_CHECKING:
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
    alt_screen: AlternateScreen

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
                self.alt_screen.enter(self, save_cursor=number == modes.ALT_SCREEN_1049)

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
                self.alt_screen.leave(
                    self,
                    clear=number != modes.ALT_SCREEN_47,
                    restore_cursor=number == modes.ALT_SCREEN_1049,
                )

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

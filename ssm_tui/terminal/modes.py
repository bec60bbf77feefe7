"""Terminal mode numbers and the small enums the rest of the model reports."""

from __future__ import annotations

import enum

# Private (DEC) mode numbers, as sent in ``CSI ? n h``; pyte stores them shifted left by 5.
DECCKM = 1
ALT_SCREEN_47 = 47
ALT_SCREEN_1047 = 1047
ALT_SCREEN_1049 = 1049
CURSOR_BLINK = 12
MOUSE_X10 = 9
MOUSE_PRESS_RELEASE = 1000
MOUSE_BUTTON_MOTION = 1002
MOUSE_ANY_MOTION = 1003
MOUSE_SGR = 1006
BRACKETED_PASTE = 2004

TRACKING_MODES = (MOUSE_X10, MOUSE_PRESS_RELEASE, MOUSE_BUTTON_MOTION, MOUSE_ANY_MOTION)
ALT_SCREEN_MODES = (ALT_SCREEN_47, ALT_SCREEN_1047, ALT_SCREEN_1049)


class MouseTracking(enum.IntEnum):
    """Which mouse events the remote program asked to receive."""

    OFF = 0
    X10 = MOUSE_X10
    PRESS_RELEASE = MOUSE_PRESS_RELEASE
    BUTTON_MOTION = MOUSE_BUTTON_MOTION
    ANY_MOTION = MOUSE_ANY_MOTION


class CursorShape(enum.Enum):
    """The cursor shape DECSCUSR selects."""

    BLOCK = "block"
    UNDERLINE = "underline"
    BAR = "bar"


def cursor_style(param: int) -> tuple[CursorShape, bool]:
    """Map a DECSCUSR parameter to a (shape, blinking) pair, as xterm does."""
    if param in (0, 1):
        return CursorShape.BLOCK, True
    if param == 2:
        return CursorShape.BLOCK, False
    if param == 3:
        return CursorShape.UNDERLINE, True
    if param == 4:
        return CursorShape.UNDERLINE, False
    if param == 5:
        return CursorShape.BAR, True
    return CursorShape.BAR, False

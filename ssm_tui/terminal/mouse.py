"""Mouse events to the reports xterm sends, in the X10 and SGR (1006) encodings."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ssm_tui.terminal.modes import MouseTracking


class MouseAction(enum.Enum):
    """What happened to the mouse."""

    PRESS = "press"
    RELEASE = "release"
    MOVE = "move"
    SCROLL_UP = "scroll_up"
    SCROLL_DOWN = "scroll_down"


@dataclass(frozen=True, slots=True, kw_only=True)
class MouseEvent:
    """A mouse event in 0-based cell coordinates; button 0 left, 1 middle, 2 right."""

    action: MouseAction
    x: int
    y: int
    button: int = 0
    shift: bool = False
    alt: bool = False
    ctrl: bool = False
    buttons_down: bool = False
    """For MOVE: whether a button is held (a drag)."""


def wants(tracking: MouseTracking, event: MouseEvent) -> bool:
    """Whether a program in this tracking mode receives this event."""
    if tracking is MouseTracking.OFF:
        return False
    if event.action is MouseAction.MOVE:
        if tracking is MouseTracking.ANY_MOTION:
            return True
        return tracking is MouseTracking.BUTTON_MOTION and event.buttons_down
    if tracking is MouseTracking.X10:
        return event.action is MouseAction.PRESS
    return True


def encode_mouse(event: MouseEvent, *, sgr: bool) -> bytes:
    """The report for ``event``; X10 reports cannot express columns/rows past 222."""
    if event.action is MouseAction.SCROLL_UP:
        code = 64
    elif event.action is MouseAction.SCROLL_DOWN:
        code = 65
    else:
        code = event.button & 3
        if event.action is MouseAction.MOVE:
            code = (code if event.buttons_down else 3) + 32
        elif event.action is MouseAction.RELEASE and not sgr:
            code = 3
    code += (4 if event.shift else 0) + (8 if event.alt else 0) + (16 if event.ctrl else 0)
    column, row = event.x + 1, event.y + 1
    if sgr:
        final = "m" if event.action is MouseAction.RELEASE else "M"
        return f"\x1b[<{code};{column};{row}{final}".encode()
    if column > 223 or row > 223:
        return b""
    return bytes([0x1B, 0x5B, 0x4D, 32 + code, 32 + column, 32 + row])

"""Mouse events become X10 or SGR reports, filtered by the tracking mode."""

from __future__ import annotations

from ssm_tui.terminal.modes import MouseTracking
from ssm_tui.terminal.mouse import MouseAction, MouseEvent, encode_mouse, wants

PRESS = MouseEvent(action=MouseAction.PRESS, x=4, y=2)
RELEASE = MouseEvent(action=MouseAction.RELEASE, x=4, y=2)


def test_sgr_reports_press_and_release() -> None:
    assert encode_mouse(PRESS, sgr=True) == b"\x1b[<0;5;3M"
    assert encode_mouse(RELEASE, sgr=True) == b"\x1b[<0;5;3m"


def test_x10_reports_use_offset_bytes() -> None:
    assert encode_mouse(PRESS, sgr=False) == b"\x1b[M\x20\x25\x23"
    assert encode_mouse(RELEASE, sgr=False) == b"\x1b[M\x23\x25\x23"


def test_wheel_and_modifiers() -> None:
    wheel = MouseEvent(action=MouseAction.SCROLL_UP, x=0, y=0, ctrl=True)
    assert encode_mouse(wheel, sgr=True) == b"\x1b[<80;1;1M"


def test_x10_cannot_report_far_cells() -> None:
    assert encode_mouse(MouseEvent(action=MouseAction.PRESS, x=300, y=0), sgr=False) == b""


def test_motion_is_reported_only_in_motion_modes() -> None:
    drag = MouseEvent(action=MouseAction.MOVE, x=1, y=1, buttons_down=True)
    hover = MouseEvent(action=MouseAction.MOVE, x=1, y=1)
    assert not wants(MouseTracking.PRESS_RELEASE, drag)
    assert wants(MouseTracking.BUTTON_MOTION, drag) and not wants(
        MouseTracking.BUTTON_MOTION, hover
    )
    assert wants(MouseTracking.ANY_MOTION, hover)
    assert not wants(MouseTracking.OFF, PRESS)

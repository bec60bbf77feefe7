"""Every use of pyte's private parts, in one place: what to check when pyte is upgraded."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pyte

ScreenType = TypeVar("ScreenType", bound=type[pyte.Screen])

TextMatcher = Callable[[str, int], "re.Match[str] | None"]


def text_run_matcher() -> TextMatcher:
    """``match(text, pos)`` for a run of plain text, as pyte's Stream draws in one call."""
    pattern: re.Pattern[str] = pyte.Stream._text_pattern
    return pattern.match


def parser_feeder(stream: pyte.Stream) -> Callable[[str], bool | None]:
    """Feed one character to pyte's parser generator; true once it is back in the ground
    state (the character finished a sequence or was plain text)."""
    return stream._send_to_parser


_ARITIES = {
    "insert_characters": 1,
    "delete_characters": 1,
    "erase_characters": 1,
    "cursor_up": 1,
    "cursor_up1": 1,
    "cursor_down": 1,
    "cursor_down1": 1,
    "cursor_back": 1,
    "cursor_forward": 1,
    "cursor_position": 2,
    "cursor_to_column": 1,
    "insert_lines": 1,
    "delete_lines": 1,
    "clear_tab_stop": 1,
    "set_margins": 2,
}
"""pyte Screen handlers and how many parameters each takes."""


def _tolerant(name: str, arity: int) -> Callable[..., None]:
    base = getattr(pyte.Screen, name)

    def handler(self: pyte.Screen, *params: int, **_: Any) -> None:
        base(self, *params[:arity])

    handler.__name__ = name
    handler.__doc__ = base.__doc__
    return handler


def tolerant_parameters(cls: ScreenType) -> ScreenType:
    """Class decorator: pyte's handlers on ``cls`` ignore extra parameters and a private
    marker.

    pyte raises TypeError on ``CSI 1;2;3 H`` or ``CSI ? 5 A``, and its parser then drops the
    rest of the chunk; real terminals ignore what they do not use.
    """
    for name, arity in _ARITIES.items():
        setattr(cls, name, _tolerant(name, arity))
    return cls

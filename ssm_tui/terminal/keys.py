"""Textual key names to the bytes an xterm sends, and bracketed paste."""

from __future__ import annotations

# CSI final letters (and SS3 in application mode) for cursor keys and Home/End.
_CURSOR = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
# ``CSI n ~`` keys.
_TILDE = {"insert": 2, "delete": 3, "pageup": 5, "pagedown": 6}
_TILDE.update({"page_up": 5, "page_down": 6})
# F1-F4 are SS3 P..S unmodified and CSI 1;m P..S modified; F5-F12 are CSI n ~.
_FUNCTION_SS3 = {1: "P", 2: "Q", 3: "R", 4: "S"}
_FUNCTION_TILDE = {5: 15, 6: 17, 7: 18, 8: 19, 9: 20, 10: 21, 11: 23, 12: 24}
_NAMED = {
    "enter": b"\r",
    "tab": b"\t",
    "escape": b"\x1b",
    "backspace": b"\x7f",
    "space": b" ",
}
# ctrl+ punctuation that maps onto C0 controls.
_CTRL_PUNCTUATION = {
    "space": 0,
    "@": 0,
    "at": 0,
    "left_square_bracket": 0x1B,
    "[": 0x1B,
    "backslash": 0x1C,
    "\\": 0x1C,
    "right_square_bracket": 0x1D,
    "]": 0x1D,
    "circumflex_accent": 0x1E,
    "^": 0x1E,
    "underscore": 0x1F,
    "_": 0x1F,
    "question_mark": 0x7F,
    "?": 0x7F,
}
_MODIFIER_BITS = {"shift": 1, "alt": 2, "ctrl": 4, "meta": 8}

PASTE_START = b"\x1b[200~"
PASTE_END = b"\x1b[201~"


def _split(key: str) -> tuple[frozenset[str], str]:
    """Split ``"ctrl+shift+f5"`` into its modifiers and the base key name."""
    parts = key.split("+")
    base = parts[-1]
    if base == "" and len(parts) > 1:  # "ctrl++" style names for the plus key
        base = "+"
        parts = parts[:-2]
    else:
        parts = parts[:-1]
    return frozenset(parts), base


def encode_key(
    key: str,
    character: str | None = None,
    *,
    application_cursor: bool = False,
    application_keypad: bool = False,
) -> bytes:
    """Return the bytes an xterm sends for a Textual key event (empty when it sends none).

    ``key`` is Textual's key name (``"up"``, ``"ctrl+a"``, ``"shift+f5"``, ``"alt+x"``);
    ``character`` is the printable character Textual reports, if any.
    """
    del application_keypad  # Textual does not report keypad keys separately from the rest.
    modifiers, base = _split(key)
    if base == "tab" and "shift" in modifiers:
        return b"\x1b[Z"
    code = 1 + sum(_MODIFIER_BITS[m] for m in modifiers if m in _MODIFIER_BITS)
    if base in _CURSOR:
        final = _CURSOR[base]
        if code > 1:
            return f"\x1b[1;{code}{final}".encode()
        return f"\x1bO{final}".encode() if application_cursor else f"\x1b[{final}".encode()
    if base in _TILDE:
        number = _TILDE[base]
        return f"\x1b[{number};{code}~".encode() if code > 1 else f"\x1b[{number}~".encode()
    if len(base) > 1 and base[0] == "f" and base[1:].isdigit():
        return _function_key(int(base[1:]), code)
    if "ctrl" in modifiers:
        control = _control(base)
        if control is not None:
            return (b"\x1b" if "alt" in modifiers else b"") + control
    if base in _NAMED:
        data = _NAMED[base]
        if base == "backspace" and "ctrl" in modifiers:
            data = b"\x08"
    elif character and character.isprintable():
        data = character.encode()
    elif len(base) == 1:
        data = (base.upper() if "shift" in modifiers else base).encode()
    else:
        return b""
    return b"\x1b" + data if "alt" in modifiers or "meta" in modifiers else data


def _function_key(number: int, code: int) -> bytes:
    if number in _FUNCTION_SS3:
        final = _FUNCTION_SS3[number]
        return f"\x1b[1;{code}{final}".encode() if code > 1 else f"\x1bO{final}".encode()
    if number in _FUNCTION_TILDE:
        value = _FUNCTION_TILDE[number]
        return f"\x1b[{value};{code}~".encode() if code > 1 else f"\x1b[{value}~".encode()
    return b""


def _control(base: str) -> bytes | None:
    """ctrl+<base> as a C0 control byte, if it has one."""
    if len(base) == 1 and base.isascii() and base.isalpha():
        return bytes([ord(base.lower()) - ord("a") + 1])
    if base in _CTRL_PUNCTUATION:
        return bytes([_CTRL_PUNCTUATION[base]])
    return None


def encode_paste(text: str, *, bracketed: bool) -> bytes:
    """The bytes to send for pasted text, wrapped when the remote side asked for it.

    Line breaks become CR, as a terminal's paste does; any end marker inside the text is
    removed so a paste cannot break out of the brackets.
    """
    data = text.replace("\r\n", "\r").replace("\n", "\r").encode()
    if not bracketed:
        return data
    return PASTE_START + data.replace(PASTE_END, b"") + PASTE_END

"""Textual key names become the bytes an xterm sends."""

from __future__ import annotations

import pytest

from ssm_tui.terminal.keys import encode_key, encode_paste


@pytest.mark.parametrize(
    ("key", "character", "expected"),
    [
        ("a", "a", b"a"),
        ("A", "A", b"A"),
        ("enter", "\r", b"\r"),
        ("tab", "\t", b"\t"),
        ("shift+tab", None, b"\x1b[Z"),
        ("escape", "\x1b", b"\x1b"),
        ("backspace", "\x7f", b"\x7f"),
        ("ctrl+a", "\x01", b"\x01"),
        ("ctrl+c", "\x03", b"\x03"),
        ("ctrl+z", None, b"\x1a"),
        ("ctrl+@", None, b"\x00"),
        ("ctrl+space", None, b"\x00"),
        ("ctrl+right_square_bracket", None, b"\x1d"),
        ("ctrl+backslash", None, b"\x1c"),
        ("alt+x", "x", b"\x1bx"),
        ("alt+ctrl+a", None, b"\x1b\x01"),
        ("up", None, b"\x1b[A"),
        ("down", None, b"\x1b[B"),
        ("right", None, b"\x1b[C"),
        ("left", None, b"\x1b[D"),
        ("home", None, b"\x1b[H"),
        ("end", None, b"\x1b[F"),
        ("shift+up", None, b"\x1b[1;2A"),
        ("ctrl+left", None, b"\x1b[1;5D"),
        ("alt+right", None, b"\x1b[1;3C"),
        ("insert", None, b"\x1b[2~"),
        ("delete", None, b"\x1b[3~"),
        ("pageup", None, b"\x1b[5~"),
        ("pagedown", None, b"\x1b[6~"),
        ("ctrl+pageup", None, b"\x1b[5;5~"),
        ("f1", None, b"\x1bOP"),
        ("f4", None, b"\x1bOS"),
        ("f5", None, b"\x1b[15~"),
        ("f12", None, b"\x1b[24~"),
        ("shift+f1", None, b"\x1b[1;2P"),
        ("shift+f5", None, b"\x1b[15;2~"),
        ("ctrl+f10", None, b"\x1b[21;5~"),
        ("alt+f12", None, b"\x1b[24;3~"),
        ("ctrl+shift+f3", None, b"\x1b[1;6R"),
        ("space", " ", b" "),
        ("eacute", "é", "é".encode()),
    ],
)
def test_key_table(key: str, character: str | None, expected: bytes) -> None:
    assert encode_key(key, character) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [("up", b"\x1bOA"), ("left", b"\x1bOD"), ("home", b"\x1bOH"), ("shift+up", b"\x1b[1;2A")],
)
def test_application_cursor_mode(key: str, expected: bytes) -> None:
    assert encode_key(key, application_cursor=True) == expected


def test_paste_is_bracketed_only_when_asked() -> None:
    assert encode_paste("a\nb", bracketed=False) == b"a\rb"
    assert encode_paste("a\nb", bracketed=True) == b"\x1b[200~a\rb\x1b[201~"


def test_paste_cannot_close_the_brackets_early() -> None:
    assert encode_paste("x\x1b[201~y", bracketed=True) == b"\x1b[200~xy\x1b[201~"

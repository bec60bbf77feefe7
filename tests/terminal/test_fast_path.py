"""Random mixes of text and control sequences give the same screen on both paths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.terminal.screens import cells, fed_fast, fed_slow

_number = st.integers(min_value=0, max_value=30).map(str)
_params = st.lists(_number, max_size=3).map(";".join)
_sgr = st.one_of(
    _params,
    st.integers(min_value=0, max_value=255).map(lambda n: f"38;5;{n}"),
    st.tuples(*[st.integers(0, 255)] * 3).map(lambda rgb: "48;2;{};{};{}".format(*rgb)),
).map(lambda p: f"\x1b[{p}m")
_cursor = st.tuples(_params, st.sampled_from("ABCDEFGHJKLPX@dfr")).map(
    lambda pair: f"\x1b[{pair[0]}{pair[1]}"
)
_text = st.one_of(
    st.text(alphabet="abcdefgh xyz-", min_size=1, max_size=30),
    st.sampled_from(["wide中文", "e\u0301", "\u200dzw", "\x01ctl", "é" * 3]),
)
_controls = st.sampled_from(["\r", "\n", "\r\n", "\b", "\t", "\x1bD", "\x1bM", "\x1b7", "\x1b8"])
_modes = st.sampled_from(
    [
        "\x1b[?7l",
        "\x1b[?7h",
        "\x1b[4h",
        "\x1b[4l",
        "\x1b[?1049h",
        "\x1b[?1049l",
        "\x1b[?6h",
        "\x1b[?6l",
        "\x1b[?25l",
        "\x1b[3J",
        "\x1b]0;title\x07",
        "\x1b[>4;2m",
        "\x1b[2 q",
    ]
)
_lines = st.lists(st.tuples(_sgr, _text), min_size=1, max_size=6).map(
    lambda pieces: "".join(sgr + text for sgr, text in pieces) + "\r\n"
)
_output = st.lists(st.one_of(_text, _sgr, _cursor, _controls, _modes, _lines), max_size=80).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(text=_output, columns=st.integers(1, 30), lines=st.integers(1, 8), chunk=st.integers(0, 9))
def test_fast_and_slow_paths_agree(text: str, columns: int, lines: int, chunk: int) -> None:
    data = text.encode()
    fast = fed_fast(data, columns=columns, lines=lines, chunk=chunk)
    slow = fed_slow(data, columns=columns, lines=lines)
    assert cells(fast) == cells(slow)


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(_lines, min_size=1, max_size=60), chunk=st.integers(0, 50))
def test_floods_of_whole_lines_agree(lines: list[str], chunk: int) -> None:
    data = ("\x1b[H\x1b[2J" + "".join(lines)).encode()
    assert cells(fed_fast(data, columns=12, lines=4, chunk=chunk)) == cells(
        fed_slow(data, columns=12, lines=4)
    )


_plain_line = st.text(alphabet="abc xyz-\t", max_size=20).map(lambda text: text + "\r\n")
_tabbed_line = st.lists(st.tuples(_sgr, _plain_line.map(lambda line: line[:-2])), max_size=4).map(
    lambda pieces: "".join(sgr + text for sgr, text in pieces) + "\r\n"
)


@settings(max_examples=200, deadline=None)
@given(
    sgr=_sgr,
    lines=st.lists(st.one_of(_plain_line, _tabbed_line), min_size=1, max_size=60),
    columns=st.integers(1, 20),
    chunk=st.integers(0, 50),
)
def test_floods_of_lines_with_tabs_or_without_sgr_agree_in_any_style(
    sgr: str, lines: list[str], columns: int, chunk: int
) -> None:
    data = ("\x1b[H\x1b[2J" + sgr + "".join(lines)).encode()
    assert cells(fed_fast(data, columns=columns, lines=4, chunk=chunk)) == cells(
        fed_slow(data, columns=columns, lines=4)
    )


def test_a_tab_after_a_full_row_moves_back_onto_its_last_cell_as_in_pyte() -> None:
    data = ("\x1b[H\x1b[2J" + "first\r\n" * 5 + "abcdefgh\tX\r\nxy\tz\r\n" * 3).encode()
    assert cells(fed_fast(data, columns=8, lines=4)) == cells(fed_slow(data, columns=8, lines=4))
    assert fed_fast(data, columns=8, lines=4).display[-3] == "abcdefgX"

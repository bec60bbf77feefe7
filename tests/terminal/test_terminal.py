"""The Terminal model: what pyte lacks, scrollback, resize, versions and replies."""

from __future__ import annotations

import sys

from ssm_tui.terminal.modes import CursorShape, MouseTracking
from ssm_tui.terminal.scrollback import cells_to_chars
from ssm_tui.terminal.terminal import Terminal


def fed(*chunks: bytes, columns: int = 20, lines: int = 4, scrollback: int = 100) -> Terminal:
    terminal = Terminal(columns, lines, scrollback=scrollback)
    for chunk in chunks:
        terminal.feed(chunk)
    return terminal


def rows(terminal: Terminal) -> list[str]:
    return [row.rstrip() for row in terminal.display]


class TestAlternateScreen:
    def test_1049_saves_the_main_screen_and_cursor_and_restores_them(self) -> None:
        terminal = fed(b"main\r\nsecond", b"\x1b[?1049h", b"\x1b[Halt")
        assert terminal.alternate_screen
        assert rows(terminal) == ["alt", "", "", ""]
        terminal.feed(b"\x1b[?1049l")
        assert rows(terminal) == ["main", "second", "", ""]
        assert terminal.cursor == (6, 1)

    def test_47_and_1047_switch_buffers(self) -> None:
        for mode in (b"47", b"1047"):
            terminal = fed(b"main", b"\x1b[?" + mode + b"h", b"\x1b[Hx")
            assert rows(terminal)[0] == "x"
            terminal.feed(b"\x1b[?" + mode + b"l")
            assert rows(terminal)[0] == "main"

    def test_alternate_screen_output_does_not_enter_the_scrollback(self) -> None:
        terminal = fed(b"\x1b[?1049h" + b"line\r\n" * 50)
        assert terminal.scrollback_count == 0


class TestModes:
    def test_application_cursor_keys_and_keypad(self) -> None:
        terminal = fed(b"\x1b[?1h\x1b=")
        assert terminal.application_cursor_keys and terminal.application_keypad
        terminal.feed(b"\x1b[?1l\x1b>")
        assert not terminal.application_cursor_keys and not terminal.application_keypad

    def test_bracketed_paste(self) -> None:
        assert fed(b"\x1b[?2004h").bracketed_paste
        assert not fed(b"\x1b[?2004h\x1b[?2004l").bracketed_paste

    def test_mouse_modes(self) -> None:
        terminal = fed(b"\x1b[?1000h\x1b[?1006h")
        assert terminal.mouse_tracking is MouseTracking.PRESS_RELEASE and terminal.mouse_sgr
        terminal.feed(b"\x1b[?1003h")
        assert terminal.mouse_tracking is MouseTracking.ANY_MOTION
        terminal.feed(b"\x1b[?1003l")
        assert terminal.mouse_tracking is MouseTracking.OFF

    def test_cursor_shape_follows_decscusr(self) -> None:
        terminal = fed(b"\x1b[6 q")
        assert terminal.cursor_shape is CursorShape.BAR and not terminal.cursor_blink
        assert fed(b"\x1b[?25l").cursor_visible is False

    def test_title_from_osc_0_and_2(self) -> None:
        assert fed(b"\x1b]0;first\x07").title == "first"
        assert fed(b"\x1b]2;sec", b"ond\x1b\\").title == "second"


class TestColoursAndText:
    def test_256_colour_and_truecolour(self) -> None:
        terminal = fed(b"\x1b[38;5;196ma\x1b[48;2;1;2;3mb")
        _, spans = terminal.line(0)
        assert [(style.fg, style.bg) for _, style in spans] == [
            ("ff0000", "default"),
            ("ff0000", "010203"),
        ]

    def test_wide_characters_take_two_cells(self) -> None:
        terminal = fed("中文x".encode())
        assert terminal.cursor == (5, 0)
        assert rows(terminal)[0] == "中文x"

    def test_utf8_split_across_chunks(self) -> None:
        data = "héllo €".encode()
        terminal = fed(*[data[i : i + 1] for i in range(len(data))])
        assert rows(terminal)[0] == "héllo €"


class TestReplies:
    def test_device_status_and_attributes_are_queued_for_the_remote_side(self) -> None:
        terminal = fed(b"ab\x1b[6n\x1b[5n\x1b[c\x1b[>c")
        assert terminal.replies_to_send() == b"\x1b[1;3R\x1b[0n\x1b[?6c\x1b[>1;10;0c"
        assert terminal.replies_to_send() == b""


class TestScrollback:
    def test_lines_scrolled_off_are_kept_oldest_first(self) -> None:
        terminal = fed(b"".join(b"line %d\r\n" % n for n in range(10)))
        assert terminal.scrollback_count == 7
        assert [terminal.line(i)[0] for i in range(3)] == ["line 0", "line 1", "line 2"]

    def test_the_limit_evicts_the_oldest(self) -> None:
        terminal = fed(b"".join(b"line %d\r\n" % n for n in range(500)), scrollback=50)
        assert terminal.scrollback_count == 50
        assert terminal.line(0)[0] == "line 447"

    def test_colours_survive_in_the_scrollback(self) -> None:
        terminal = fed(b"\x1b[31mred\x1b[0m plain\r\n" + b"\r\n" * 4)
        text, spans = terminal.line(0)
        assert text == "red plain"
        assert [(length, style.fg) for length, style in spans] == [(3, "red"), (6, "default")]

    def test_styled_trailing_blanks_are_kept_default_ones_dropped(self) -> None:
        terminal = fed(b"ab\x1b[41m  \x1b[0m   \r\n" + b"\r\n" * 4)
        text, spans = terminal.line(0)
        assert text == "ab  "
        assert [(length, style.bg) for length, style in spans] == [(2, "default"), (2, "red")]

    def test_spans_always_cover_the_text(self) -> None:
        data = "\x1b[1mé\x1b[32m中文\x1b[m x \x1b[44m \x1b[m\r\n".encode() * 6
        terminal = fed(data)
        for index in range(terminal.line_count):
            text, spans = terminal.line(index)
            assert sum(length for length, _ in spans) == len(text)

    def test_styled_lines_are_stored_as_one_bytes_object(self) -> None:
        terminal = fed(b"\x1b[31mred\x1b[32mgreen\x1b[m\r\n" + b"\r\n" * 4)
        stored = terminal.screen.scrollback[0]
        assert isinstance(stored, bytes)
        assert sys.getsizeof(stored) < 60

    def test_runs_beyond_16_bits_still_round_trip(self) -> None:
        terminal = Terminal(70_000, 2, scrollback=10)
        terminal.feed(b"\x1b[31m" + b"r" * 69_000 + b"\x1b[m!\r\n\r\n\r\n")
        text, spans = terminal.line(0)
        assert text == "r" * 69_000 + "!"
        assert [(length, style.fg) for length, style in spans] == [(69_000, "red"), (1, "default")]

    def test_erase_saved_lines_clears_it(self) -> None:
        terminal = fed(b"x\r\n" * 10, b"\x1b[3J")
        assert terminal.scrollback_count == 0


class TestResize:
    def test_shrinking_pushes_rows_above_the_cursor_into_the_scrollback(self) -> None:
        terminal = fed(b"a\r\nb\r\nc\r\nd")
        terminal.resize(20, 2)
        assert rows(terminal) == ["c", "d"]
        assert [terminal.line(i)[0] for i in range(2)] == ["a", "b"]

    def test_one_by_one_and_back(self) -> None:
        terminal = fed(b"hello\r\nworld")
        terminal.resize(1, 1)
        terminal.feed(b"xyz\r\n\x1b[2J\x1b[5;5H")
        terminal.resize(30, 10)
        terminal.feed(b"ok")
        assert terminal.columns == 30 and terminal.lines == 10
        # Growing brought the pushed-out lines back down onto the screen.
        assert terminal.line(0)[0] == "hello"
        assert terminal.scrollback_count == 0

    def test_growing_pulls_lines_back_from_the_scrollback(self) -> None:
        terminal = fed(b"\x1b[31mred\x1b[m one\r\n" + "中文 two\r\n".encode() + b"3\r\n4\r\n5\r\n6")
        assert terminal.scrollback_count == 2
        before = [terminal.line(i) for i in range(terminal.line_count)]
        terminal.resize(20, 7)
        assert terminal.scrollback_count == 0
        assert rows(terminal) == ["red one", "中文 two", "3", "4", "5", "6", ""]
        assert [terminal.line(i) for i in range(6)] == before
        assert terminal.cursor == (1, 5)
        terminal.feed(b"!\x1b[2;3H\x1b[Kx")
        assert rows(terminal)[:2] == ["red one", "中x"]
        assert rows(terminal)[5] == "6!"

    def test_growing_by_more_than_the_scrollback_leaves_blank_rows_below(self) -> None:
        terminal = fed(b"1\r\n2\r\n3\r\n4\r\n5")
        terminal.resize(20, 8)
        assert rows(terminal) == ["1", "2", "3", "4", "5", "", "", ""]
        assert terminal.cursor == (1, 4)

    def test_growing_on_the_alternate_screen_pulls_nothing(self) -> None:
        terminal = fed(b"1\r\n2\r\n3\r\n4\r\n5\x1b[?1049h")
        terminal.resize(20, 6)
        assert terminal.scrollback_count == 1
        terminal.feed(b"\x1b[?1049l")
        assert rows(terminal)[:4] == ["2", "3", "4", "5"]

    def test_zero_size_is_clamped(self) -> None:
        terminal = fed(b"x")
        terminal.resize(0, 0)
        assert (terminal.columns, terminal.lines) == (1, 1)


class TestLineKeys:
    def test_only_changed_lines_get_new_keys(self) -> None:
        terminal = fed(b"one\r\ntwo\r\nthree")
        before = [terminal.line_key(i) for i in range(terminal.line_count)]
        terminal.feed(b"\x1b[2;1Hchanged")
        after = [terminal.line_key(i) for i in range(terminal.line_count)]
        assert [b != a for b, a in zip(before, after, strict=True)] == [False, True, False, False]

    def test_scrolling_keeps_the_keys_of_moved_lines(self) -> None:
        terminal = fed(b"one\r\ntwo\r\nthree\r\nfour")
        keys = {terminal.line(i)[0]: terminal.line_key(i) for i in range(terminal.line_count)}
        terminal.feed(b"\r\nfive")
        moved = {terminal.line(i)[0]: terminal.line_key(i) for i in range(terminal.line_count)}
        assert all(moved[text] == keys[text] for text in ("two", "three"))


class TestCellsToChars:
    def test_ascii_is_one_character_per_cell(self) -> None:
        assert cells_to_chars("hello", 1, 3) == (1, 3)

    def test_wide_characters_take_two_cells(self) -> None:
        text = "a中文b"
        picked = {
            (start, end): text[slice(*cells_to_chars(text, start, end))]
            for start, end in [(0, 1), (1, 3), (2, 3), (3, 5), (4, 6), (0, 99), (6, 9)]
        }
        assert picked == {
            (0, 1): "a",
            (1, 3): "中",
            (2, 3): "中",  # the right half of a wide character selects it
            (3, 5): "文",
            (4, 6): "文b",
            (0, 99): "a中文b",
            (6, 9): "",
        }

    def test_combining_marks_stay_with_their_character(self) -> None:
        text = "e\u0301x"
        assert text[slice(*cells_to_chars(text, 0, 1))] == "e\u0301"
        assert text[slice(*cells_to_chars(text, 1, 2))] == "x"


def test_widening_puts_a_tab_stop_on_every_eighth_column_of_the_new_area() -> None:
    terminal = Terminal(80, 5)
    terminal.resize(100, 5)
    terminal.feed(b"\t" * 10 + b"x\t\t\ty")
    assert terminal.display[0].index("x") == 80  # 8, 16, ..., 72, then 80
    assert terminal.display[0].index("y") == 99  # 88, 96, then the last column

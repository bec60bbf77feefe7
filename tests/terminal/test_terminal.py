"""The Terminal model: what pyte lacks, scrollback, resize, versions and replies."""

from __future__ import annotations

from ssm_tui.terminal.modes import CursorShape, MouseTracking
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
        assert terminal.scrollback_count >= 1

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

"""Recordings: asciicast v2 that asciinema reads and that replays to the screen we had."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from asciinema import asciicast
from hypothesis import given
from hypothesis import strategies as st

from ssm_tui.sessions.recording import (
    FLUSH_CHARS,
    FLUSH_INTERVAL,
    AsciicastWriter,
    CastHeader,
    Recorder,
    RecordingError,
    plain_text,
    recording_path,
    safe_name,
    text_path_for,
)
from ssm_tui.sessions.shell import ShellSession
from ssm_tui.terminal.terminal import Terminal
from tests.loopback import eventually
from tests.sessions.lab import SHELL, Lab

HEADER = CastHeader(width=80, height=24, timestamp=1_700_000_000, title="box-1")

# A session's worth of output: colours, cursor moves, a wide character, a resize, scrolling.
SCRIPT: list[tuple[float, bytes | tuple[int, int]]] = [
    (0.1, b"\x1b[1;32muser@box-1\x1b[0m:~$ "),
    (0.5, b"ls --color\r\n\x1b[34mdir\x1b[0m  file.txt  caf\xc3"),
    (0.6, b"\xa9  \xe4\xb8\xad\xe6\x96\x87\r\n"),
    (1.2, (100, 30)),
    (1.3, b"".join(b"line %d of a long listing\r\n" % n for n in range(60))),
    (2.0, b"\x1b[5;10Hmoved\x1b[K\x1b[30;1Hend \xe2\x80\xa8\xc2\x85\x1b[?25l"),
]


def cast_lines(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    # Events end at \n only; splitlines() would also cut at a U+2028 inside a string.
    header, *events = path.read_bytes().decode().split("\n")[:-1]
    return json.loads(header), [json.loads(line) for line in events]


def replay(path: Path) -> Terminal:
    """Our terminal model fed from a recording's events, as ``asciinema play`` would."""
    header, events = cast_lines(path)
    terminal = Terminal(header["width"], header["height"])
    for _, code, data in events:
        if code == "o":
            terminal.feed_text(data)
        elif code == "r":
            columns, rows = data.split("x")
            terminal.resize(int(columns), int(rows))
    return terminal


def record_script(path: Path, **options: Any) -> Terminal:
    """Play SCRIPT into a live terminal with a recorder attached; return the live terminal."""
    live = Terminal(HEADER.width, HEADER.height)
    recorder = Recorder(
        path, HEADER, start=10.0, text_path=text_path_for(path), screen=live, **options
    )
    for at, item in SCRIPT:
        if isinstance(item, tuple):
            live.resize(*item)
            recorder.resize(*item, now=10.0 + at)
        else:
            live.feed(item)
            recorder.output(item, now=10.0 + at)
    recorder.close(now=12.5)
    return live


class TestAsciicastWriter:
    def test_the_header_line_has_version_size_timestamp_term_and_title(self) -> None:
        writer = AsciicastWriter(
            CastHeader(width=132, height=43, timestamp=5, shell="/bin/bash", title="web"), start=0
        )
        header = json.loads(writer.text_to_write())
        assert header == {
            "version": 2,
            "width": 132,
            "height": 43,
            "timestamp": 5,
            "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"},
            "title": "web",
        }

    def test_events_carry_seconds_since_the_start_as_output_resize_and_input(self) -> None:
        writer = AsciicastWriter(HEADER, start=100.0, record_input=True)
        writer.text_to_write()
        writer.output(b"hello", now=100.25)
        writer.resize(120, 40, now=101.0)
        writer.input(b"ls\r", now=101.5)
        events = [json.loads(line) for line in writer.text_to_write().split("\n")[:-1]]
        assert events == [[0.25, "o", "hello"], [1.0, "r", "120x40"], [1.5, "i", "ls\r"]]

    def test_input_is_left_out_unless_asked_for(self) -> None:
        writer = AsciicastWriter(HEADER, start=0)
        writer.text_to_write()
        writer.input(b"secret\r", now=1)
        assert writer.text_to_write() == ""

    def test_time_never_goes_backwards(self) -> None:
        writer = AsciicastWriter(HEADER, start=10)
        writer.text_to_write()
        writer.output(b"a", now=12)
        writer.output(b"b", now=11)
        times = [json.loads(line)[0] for line in writer.text_to_write().split("\n")[:-1]]
        assert times == [2, 2]

    @given(
        text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40),
        cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
    )
    def test_characters_split_across_chunks_are_written_whole(
        self, text: str, cuts: list[int]
    ) -> None:
        data = text.encode()
        writer = AsciicastWriter(HEADER, start=0)
        writer.text_to_write()
        bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
        for start, end in itertools.pairwise(bounds):
            writer.output(data[start:end], now=1)
        writer.finish(now=1)
        events = [json.loads(line) for line in writer.text_to_write().split("\n")[:-1]]
        assert "".join(event[2] for event in events) == text

    def test_invalid_utf8_becomes_a_replacement_character(self) -> None:
        writer = AsciicastWriter(HEADER, start=0)
        writer.text_to_write()
        writer.output(b"ok \xff\xfe!", now=1)
        writer.output(b"cut \xe4\xb8", now=2)
        writer.finish(now=3)
        events = [json.loads(line) for line in writer.text_to_write().split("\n")[:-1]]
        assert [e[2] for e in events] == ["ok \ufffd\ufffd!", "cut ", "\ufffd"]

    def test_control_characters_quotes_and_escapes_survive_the_json(self) -> None:
        nasty = '\x1b[31m"quoted" \\back\\ \t\x00\x07\r\n\u2028end'
        writer = AsciicastWriter(HEADER, start=0)
        writer.text_to_write()
        writer.output(nasty.encode(), now=1)
        (line,) = writer.text_to_write().split("\n")[:-1]
        assert json.loads(line)[2] == nasty


class TestRecorder:
    def test_writes_wait_for_the_cadence_or_a_full_buffer(self, tmp_path: Path) -> None:
        path = tmp_path / "a.cast"
        recorder = Recorder(path, HEADER, start=0)
        header_only = path.read_text()
        recorder.output(b"early", now=FLUSH_INTERVAL / 2)
        assert path.read_text() == header_only
        recorder.output(b"later", now=FLUSH_INTERVAL)
        assert path.read_text().count("\n") == 3
        recorder.output(b"x" * FLUSH_CHARS, now=FLUSH_INTERVAL + 0.1)
        assert path.read_text().count("\n") == 4
        recorder.close(now=FLUSH_INTERVAL + 0.2)

    def test_flush_writes_what_waits_without_closing(self, tmp_path: Path) -> None:
        path = tmp_path / "a.cast"
        recorder = Recorder(path, HEADER, start=0)
        recorder.output(b"quiet tab", now=0.1)
        recorder.flush()
        assert cast_lines(path)[1] == [[0.1, "o", "quiet tab"]]
        recorder.output(b" later", now=0.2)
        recorder.close(now=0.3)
        assert cast_lines(path)[1][-1] == [0.2, "o", " later"]

    def test_close_writes_the_rest_and_the_plain_text_log(self, tmp_path: Path) -> None:
        path = tmp_path / "s.cast"
        live = record_script(path)
        _, events = cast_lines(path)
        assert events[-1][:2] == [2.0, "o"]
        text = (tmp_path / "s.txt").read_text(encoding="utf-8")
        assert "\x1b" not in text
        assert "line 59 of a long listing" in text
        assert "café  中文" in text
        assert text == plain_text(live)
        assert {path.stat().st_mode & 0o777, text_path_for(path).stat().st_mode & 0o777} == {0o600}

    def test_a_full_disk_stops_the_recording_with_a_reason_not_an_exception(self) -> None:
        recorder = Recorder(Path("/dev/full"), HEADER, start=0)
        assert recorder.closed
        assert recorder.failure is not None and "/dev/full" in recorder.failure
        recorder.output(b"more", now=5)
        recorder.close(now=6)

    def test_an_unwritable_place_is_one_clear_error(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("")
        with pytest.raises(RecordingError, match="cannot record"):
            Recorder(tmp_path / "file" / "x.cast", HEADER, start=0)


class TestReplay:
    def test_asciinemas_parser_reads_the_recording(self, tmp_path: Path) -> None:
        path = tmp_path / "s.cast"
        record_script(path)
        _, ours = cast_lines(path)
        with asciicast.open_from_url(str(path)) as cast:
            assert cast.v2_header["width"] == 80
            assert [list(event) for event in cast.events()] == ours

    @pytest.mark.parametrize("command", [["cat"], ["play", "-s", "1000", "-i", "0.01"]])
    def test_asciinema_prints_the_recorded_output(self, tmp_path: Path, command: list[str]) -> None:
        path = tmp_path / "s.cast"
        record_script(path)
        _, events = cast_lines(path)
        done = subprocess.run(
            [sys.executable, "-m", "asciinema", *command, str(path)],
            capture_output=True,
            timeout=60,
            start_new_session=True,  # no controlling terminal: asciinema reads no keys
            check=False,
        )
        assert done.returncode == 0, done.stderr
        expected = "".join(data for _, code, data in events if code == "o")
        assert done.stdout.decode("utf-8") == expected

    def test_replaying_gives_the_screen_and_scrollback_we_had(self, tmp_path: Path) -> None:
        path = tmp_path / "s.cast"
        live = record_script(path)
        again = replay(path)
        assert (again.columns, again.lines) == (100, 30)
        assert again.display == live.display
        assert plain_text(again) == plain_text(live)
        assert again.cursor == live.cursor
        assert [again.line(i) for i in range(again.line_count)] == [
            live.line(i) for i in range(live.line_count)
        ]


class TestPaths:
    def test_the_default_path_names_node_time_and_session_under_xdg_state(self) -> None:
        started = datetime(2026, 12, 3, 11, 5, 9, tzinfo=timezone(timedelta(hours=2)))
        path = recording_path(
            node="web-1", session_id="alice-0abc123", started=started,
            environ={"XDG_STATE_HOME": "/s"},
        )  # fmt: skip
        assert path == Path("/s/ssm-tui/recordings/web-1-20261203T090509Z-alice-0abc123.cast")
        assert text_path_for(path) == path.with_suffix(".txt")

    @pytest.mark.parametrize(
        ("raw", "safe"),
        [("../../etc/passwd", "etc_passwd"), ("web server/1", "web_server_1"), ("", "session"),
         ("..", "session"), ("名前", "session"), ("a" * 100, "a" * 64)],
    )  # fmt: skip
    def test_file_names_are_sanitised(self, raw: str, safe: str) -> None:
        assert safe_name(raw) == safe

    def test_a_chosen_file_name_gets_its_text_log_beside_it(self) -> None:
        assert text_path_for(Path("/t/out.log")) == Path("/t/out.log.txt")


async def test_a_recorded_session_contains_no_token(lab: Lab, tmp_path: Path) -> None:
    ticket = await lab.api.start_session(SHELL)
    live = Terminal(80, 24)
    path = recording_path(
        node="box-1", session_id=ticket.session_id, started=datetime.now(UTC),
        environ={"XDG_STATE_HOME": str(tmp_path)},
    )  # fmt: skip
    recorder = Recorder(
        path, HEADER, start=0, record_input=True, text_path=text_path_for(path), screen=live
    )
    clock = iter(range(1, 1_000_000))

    def output(data: bytes) -> None:
        live.feed(data)
        recorder.output(data, now=next(clock))

    shell = ShellSession(lab.api, SHELL, on_output=output, size=(80, 24))
    shell.attach(ticket)
    for keys in (b"echo recorded-$((3*3))\r", b"env | sort\r"):
        recorder.input(keys, now=next(clock))
        shell.send_input(keys)
    await eventually(lambda: "recorded-9" in plain_text(live))
    await shell.terminate()
    recorder.close(now=next(clock))
    cast, text = path.read_text(), text_path_for(path).read_text()
    assert "recorded-9" in cast and "recorded-9" in text
    assert '"i", "env | sort\\r"' in cast  # input was asked for, so it is there
    assert ticket.session_id in path.name
    for secret in (ticket.token_value, ticket.stream_url):
        assert secret and secret not in cast and secret not in text

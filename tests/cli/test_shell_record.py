"""``ssm-tui shell --record FILE`` in a real pseudo-terminal: the file replays what we saw."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Any

from asciinema import asciicast

from ssm_tui.sessions.recording import plain_text
from ssm_tui.terminal.terminal import Terminal
from tests.sessions.cli_process import run_cli, spawn_in_pty
from tests.sessions.lab import Lab


def replay(events: list[list[Any]], width: int, height: int) -> Terminal:
    terminal = Terminal(width, height)
    for _, code, data in events:
        if code == "o":
            terminal.feed_text(data)
        elif code == "r":
            terminal.resize(*map(int, data.split("x")))
    return terminal


async def test_a_recorded_shell_replays_to_the_screen_we_saw(lab: Lab, tmp_path: Path) -> None:
    cast = tmp_path / "box.cast"
    child = await spawn_in_pty(lab.env, "shell", "box-1", "--record", str(cast), cols=90, rows=20)
    try:
        await child.expect_text(b"box-1")
        child.type(b"printf 'caf\\303\\251 %s\\n' $((6*7)); seq 1 40\r")
        await child.expect(lambda out: b"\n40\r\n" in out and out.endswith((b"$ ", b"# ")))
        before_resize = len(child.output)
        child.resize(100, 25)
        child.process.send_signal(signal.SIGWINCH)
        for _ in range(40):  # the signal and the keystrokes race inside the child
            child.type(b"stty size\r")
            with contextlib.suppress(TimeoutError):
                await child.expect(lambda out: b"25 100" in out, timeout=0.5)
                break
        child.type(b"exit\r")
        assert await child.wait() == 0
    finally:
        child.close()

    with asciicast.open_from_url(str(cast)) as recording:
        header = recording.v2_header
        events = [list(event) for event in recording.events()]
    assert (header["version"], header["width"], header["height"]) == (2, 90, 20)
    assert header["title"] == "box-1"
    assert [data for _, code, data in events if code == "r"] == ["100x25"]
    again = replay(events, 90, 20)
    # What the pseudo-terminal showed, through the same terminal model.
    seen = Terminal(90, 20)
    seen.feed(bytes(child.output[:before_resize]))
    seen.resize(100, 25)
    seen.feed(bytes(child.output[before_resize:]))
    assert again.display == seen.display
    text = cast.with_suffix(".txt").read_text(encoding="utf-8")
    assert text == plain_text(again)
    assert "café 42" in text and "\x1b" not in text


async def test_an_unwritable_record_file_is_one_clear_line(lab: Lab, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    done = await run_cli(lab.env, "shell", "box-1", "--record", str(tmp_path / "file" / "x"))
    assert done.returncode == 1
    assert done.stderr.decode().strip().startswith("ssm-tui: ")
    assert "cannot record" in done.stderr.decode()
    assert b"Traceback" not in done.stderr

"""A NodeShell with a TabRecording against the emulator: what it records, when, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssm_tui.app_core.node_shell import NodeShell
from ssm_tui.app_core.tab_recording import RecordingError, TabRecording, screen_seed
from ssm_tui.sessions.recording import plain_text
from ssm_tui.terminal.terminal import Terminal
from tests.app_core.services import lab_node, lab_services
from tests.loopback import eventually
from tests.sessions.lab import SHELL, Lab
from tests.sessions.test_recording import cast_lines, replay

SIZE = (80, 24)


class Recorded:
    """A NodeShell on the lab's shell node whose output feeds a terminal, with a recording."""

    def __init__(self, lab: Lab, state: Path) -> None:
        self.terminal = Terminal(*SIZE)
        self.recording = TabRecording(
            "box", self.terminal, record_input=True, environ={"XDG_STATE_HOME": str(state)}
        )
        self.changes = 0
        self.shell = NodeShell(
            lab_node(SHELL, "box"),
            lab_services(lab),
            on_output=self.terminal.feed,
            on_end=lambda end: None,
            on_change=self._changed,
            recording=self.recording,
        )

    def _changed(self) -> None:
        self.changes += 1

    async def start(self) -> None:
        session = self.shell.connect(SIZE)
        assert session is not None
        await self.shell.start(session)


async def test_switched_on_before_the_session_it_records_from_the_first_output(
    lab: Lab, tmp_path: Path
) -> None:
    recorded = Recorded(lab, tmp_path)
    assert recorded.shell.start_recording() is None  # no session id to name the file yet
    assert recorded.shell.recording_on and not recorded.recording.active
    await recorded.start()
    path = recorded.recording.path
    assert path is not None and recorded.shell.session is not None
    assert path.parent == tmp_path / "ssm-tui" / "recordings"
    assert recorded.shell.session.session_id in path.name and path.name.startswith("box-")
    recorded.shell.send(b"echo first-$((2+2))\r")
    await eventually(lambda: "first-4" in plain_text(recorded.terminal))
    recorded.shell.resize(100, 30)
    recorded.terminal.resize(100, 30)
    stopped = recorded.shell.stop_recording()
    assert stopped is not None and stopped.failure is None
    assert not recorded.shell.recording_on
    _, events = cast_lines(path)
    assert ["r", "100x30"] in [[code, data] for _, code, data in events]
    assert "echo first-$((2+2))\r" in "".join(d for _, c, d in events if c == "i")
    assert "first-4" in stopped.text_path.read_text()
    recorded.shell.close()


async def test_switched_on_mid_session_the_file_opens_with_the_screen_as_it_was(
    lab: Lab, tmp_path: Path
) -> None:
    recorded = Recorded(lab, tmp_path)
    await recorded.start()
    recorded.shell.send(b"echo before-$((1+1))\r")
    await eventually(lambda: "before-2" in plain_text(recorded.terminal))
    path = recorded.shell.start_recording()
    assert path is not None and recorded.recording.active
    recorded.shell.send(b"echo during-$((1+2))\r")
    await eventually(lambda: settled_after(recorded.terminal, "during-3"))
    recorded.shell.stop_recording()
    again = replay(path)
    assert again.display == recorded.terminal.display
    assert again.cursor == recorded.terminal.cursor
    recorded.shell.close()


def settled_after(terminal: Terminal, line: str) -> bool:
    """Whether ``line`` is on screen with the next prompt below it."""
    rows = [row.rstrip() for row in terminal.display if row.strip()]
    return line in rows and rows[-1].startswith("[ssm-user") and rows[-2] == line


def test_the_screen_seed_redraws_text_rows_and_the_cursor() -> None:
    live = Terminal(20, 4)
    live.feed(b"\x1b[31mred\x1b[0m line\r\n\r\n  indented\x1b[2;5H")
    again = Terminal(20, 4)
    again.feed(b"old junk everywhere\r\n" * 3)
    again.feed(screen_seed(live))
    assert again.display == live.display
    assert again.cursor == live.cursor == (4, 1)


def test_a_recording_that_cannot_be_created_says_why_and_stays_off(tmp_path: Path) -> None:
    (tmp_path / "ssm-tui").write_text("a file where a directory must go")
    recording = TabRecording("box", Terminal(), environ={"XDG_STATE_HOME": str(tmp_path)})
    with pytest.raises(RecordingError, match="cannot record"):
        recording.start("s-1")
    assert not recording.active and recording.failure and "cannot record" in recording.failure
    assert recording.stop() is None


def test_a_switched_off_recording_ignores_what_it_is_fed(tmp_path: Path) -> None:
    recording = TabRecording("box", Terminal(), environ={"XDG_STATE_HOME": str(tmp_path)})
    recording.output(b"x")
    recording.resize(1, 1)
    recording.input(b"y")
    recording.flush()
    assert recording.path is None and not (tmp_path / "ssm-tui").exists()

"""TabRecording: a shell tab's recording switch, fed what the tab's shell sends and sizes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ssm_tui.sessions.recording import (
    CastHeader,
    Recorder,
    RecordingError,
    recording_path,
    text_path_for,
)
from ssm_tui.terminal.terminal import Terminal

__all__ = ["RecordingError", "StoppedRecording", "TabRecording", "screen_seed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoppedRecording:
    """A finished recording: its two files, and why it stopped early (if it did)."""

    path: Path
    text_path: Path
    failure: str | None = None


class TabRecording:
    """Records one tab while switched on: asciicast of output and resizes, text from its screen.

    ``screen`` is the tab's terminal model: a recording started mid-session opens with the
    screen as it is (plain text at its rows, cursor placed), so replaying the file draws
    what the tab drew; the plain-text log is rendered from the model when recording stops.
    Feeding a switched-off recording costs one attribute test. The clock is any monotonic
    one in seconds; files are named by node, wall time and session id.
    """

    def __init__(
        self,
        label: str,
        screen: Terminal,
        *,
        record_input: bool = False,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.label = label
        self.screen = screen
        self.record_input = record_input
        self._clock = clock
        self._environ = environ
        self._recorder: Recorder | None = None
        self._failure: str | None = None

    @property
    def active(self) -> bool:
        """True while recording (a failed write switches it off)."""
        return self._recorder is not None and not self._recorder.closed

    @property
    def path(self) -> Path | None:
        """The asciicast file being (or last) written."""
        return self._recorder.path if self._recorder is not None else None

    @property
    def failure(self) -> str | None:
        """Why the current or last recording stopped early, if it did."""
        if self._recorder is not None and self._recorder.failure:
            return self._recorder.failure
        return self._failure

    def start(self, session_id: str, *, title: str = "") -> Path:
        """Start recording to a new file; its path. RecordingError when it cannot be created."""
        if self._recorder is not None and not self._recorder.closed:
            return self._recorder.path
        started = datetime.now(UTC)
        path = recording_path(
            node=self.label, session_id=session_id, started=started, environ=self._environ
        )
        screen = self.screen
        header = CastHeader(
            width=screen.columns,
            height=screen.lines,
            timestamp=int(started.timestamp()),
            title=title or self.label,
        )
        now = self._clock()
        self._failure = None
        try:
            self._recorder = Recorder(
                path,
                header,
                start=now,
                record_input=self.record_input,
                text_path=text_path_for(path),
                screen=screen,
            )
        except RecordingError as error:
            self._failure = str(error)
            raise
        self._recorder.output(screen_seed(screen), now=now)
        return path

    def stop(self) -> StoppedRecording | None:
        """Finish the files (the text log from the screen as it is now); None when off."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        recorder.close(now=self._clock())
        self._failure = recorder.failure
        assert recorder.text_path is not None
        return StoppedRecording(
            path=recorder.path, text_path=recorder.text_path, failure=recorder.failure
        )

    def output(self, data: bytes) -> None:
        """Record output as the tab received it."""
        if self._recorder is not None:
            self._recorder.output(data, now=self._clock())

    def input(self, data: bytes) -> None:
        """Record typed bytes (kept only with ``record_input``)."""
        if self._recorder is not None and self.record_input:
            self._recorder.input(data, now=self._clock())

    def resize(self, columns: int, rows: int) -> None:
        """Record the tab's new size."""
        if self._recorder is not None:
            self._recorder.resize(columns, rows, now=self._clock())

    def flush(self) -> None:
        """Write what is buffered (an idle timer calls this, so a quiet tab is on disk)."""
        if self._recorder is not None:
            self._recorder.flush()


def screen_seed(screen: Terminal) -> bytes:
    """Output that draws ``screen``'s rows as plain text and places its cursor.

    A recording that starts mid-session opens with it, so a player shows what was on the
    screen when recording began rather than an empty one.
    """
    parts = ["\x1b[0m\x1b[H\x1b[2J"]
    first = screen.scrollback_count
    for row in range(screen.lines):
        text = screen.line(first + row)[0].rstrip()
        if text:
            parts.append(f"\x1b[{row + 1};1H{text}")
    x, y = screen.cursor
    parts.append(f"\x1b[{y + 1};{x + 1}H")
    return "".join(parts).encode("utf-8")

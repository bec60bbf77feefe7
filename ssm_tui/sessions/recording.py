"""Client-side recordings of a shell: asciicast v2 to replay, plain text to read.

A :class:`Recorder` is fed what a shell tab sees (output bytes, resizes, and input only
when asked), each with the time passed in as ``now=`` (any monotonic clock, in seconds).
It writes an asciicast v2 file: a JSON header line, then one ``[elapsed, code, data]``
line per event. Lines are buffered and written on a cadence (and on :meth:`close`), so a
busy tab makes one small write per second, not one per chunk.

The plain-text log is rendered from the terminal model (scrollback then screen, no escape
sequences), not from the byte stream: it is what the user saw. ``sessions`` may not import
``terminal``, so the model comes in through the :class:`LineSource` protocol.

Nothing here knows a session's TokenValue or StreamUrl: the header carries only the
fields of :class:`CastHeader`.

A tab records like this (``now`` is ``loop.time()``)::

    path = recording_path(node=node.label, session_id=session.session_id, started=wall_now)
    recorder = Recorder(
        path,
        CastHeader(width=cols, height=rows, timestamp=int(wall_now.timestamp()), title=label),
        start=now,
        record_input=config.record_input,
        text_path=text_path_for(path),
        screen=terminal,
    )
    recorder.output(data, now=now)  # and .resize(cols, rows, now=) / .input(keys, now=)
    recorder.flush()  # optional, from an idle timer, so a quiet tab's last output is on disk
    recorder.close(now=now)  # toggled off or tab closed: also writes the .txt log
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from ssm_tui.config import state_dir

# Written at most this often (seconds) and whenever this many characters are waiting.
FLUSH_INTERVAL = 1.0
FLUSH_CHARS = 1 << 16

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class RecordingError(Exception):
    """The recording file cannot be created or written; the message says which and why."""


class LineSource(Protocol):
    """What the plain-text log reads: a terminal model's lines, oldest first."""

    @property
    def line_count(self) -> int:
        """Scrollback lines plus screen rows."""

    def line(self, index: int) -> tuple[str, tuple[object, ...]]:
        """The text of line ``index`` and its style runs (ignored here)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CastHeader:
    """The asciicast v2 header: the terminal's size when recording began, and where from."""

    width: int
    height: int
    timestamp: int  # Unix time (seconds) when recording began
    term: str = "xterm-256color"
    shell: str = ""
    title: str = ""

    def to_json(self) -> str:
        """The header as one JSON line (without the newline)."""
        env = {"TERM": self.term}
        if self.shell:
            env["SHELL"] = self.shell
        header: dict[str, object] = {
            "version": 2,
            "width": self.width,
            "height": self.height,
            "timestamp": self.timestamp,
            "env": env,
        }
        if self.title:
            header["title"] = self.title
        return json.dumps(header, ensure_ascii=False)


class AsciicastWriter:
    """Turns a session's events into asciicast v2 lines; no I/O, time passed in.

    Output and input bytes are decoded as UTF-8 incrementally, so a character split
    across two chunks is written whole with the second one.
    """

    def __init__(self, header: CastHeader, *, start: float, record_input: bool = False) -> None:
        self.header = header
        self.record_input = record_input
        self._start = start
        self._last = 0.0
        self._output = codecs.getincrementaldecoder("utf-8")("replace")
        self._input = codecs.getincrementaldecoder("utf-8")("replace")
        self._lines: list[str] = [header.to_json() + "\n"]
        self._pending = len(self._lines[0])

    @property
    def pending(self) -> int:
        """How many characters wait in :meth:`text_to_write`."""
        return self._pending

    def output(self, data: bytes, *, now: float) -> None:
        """Record bytes the remote side sent (an ``"o"`` event)."""
        self._event("o", self._output.decode(data), now)

    def input(self, data: bytes, *, now: float) -> None:
        """Record bytes the user typed (an ``"i"`` event), only if ``record_input``."""
        if self.record_input:
            self._event("i", self._input.decode(data), now)

    def resize(self, columns: int, rows: int, *, now: float) -> None:
        """Record a new terminal size (an ``"r"`` event, ``"COLSxROWS"``)."""
        self._event("r", f"{columns}x{rows}", now)

    def finish(self, *, now: float) -> None:
        """Write out what the decoders still hold (a character cut off at the end)."""
        self._event("o", self._output.decode(b"", final=True), now)
        if self.record_input:
            self._event("i", self._input.decode(b"", final=True), now)

    def text_to_write(self) -> str:
        """Drain the lines recorded since the last call."""
        text = "".join(self._lines)
        self._lines.clear()
        self._pending = 0
        return text

    def _event(self, code: str, text: str, now: float) -> None:
        if not text:
            return
        # Events must not go back in time, even if a caller's clock does.
        self._last = elapsed = max(self._last, round(now - self._start, 6))
        # Lines end at \n only (raw U+2028 or U+0085 may sit inside a string), as in
        # the asciicast spec and asciinema's own files. ASCII text takes json's faster
        # ASCII encoder (same output); other text stays readable UTF-8.
        data = json.dumps(text, ensure_ascii=text.isascii())
        line = f'[{elapsed}, "{code}", {data}]\n'
        self._lines.append(line)
        self._pending += len(line)


def plain_text(source: LineSource) -> str:
    """The terminal's scrollback and screen as plain lines, trailing blanks dropped."""
    lines = [source.line(index)[0].rstrip() for index in range(source.line_count)]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


class Recorder:
    """Records one shell into an asciicast file and, on close, a plain-text log.

    Writing never raises into the session: after a failed write (disk full, say) the
    recorder stops and :attr:`failure` says why; the shell carries on.
    """

    def __init__(
        self,
        path: Path,
        header: CastHeader,
        *,
        start: float,
        record_input: bool = False,
        text_path: Path | None = None,
        screen: LineSource | None = None,
    ) -> None:
        self.path = path
        self.text_path = text_path
        self.screen = screen
        self.failure: str | None = None
        self._writer = AsciicastWriter(header, start=start, record_input=record_input)
        self._flushed_at = start
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: BinaryIO | None = _private_file(path)
        except OSError as exc:
            raise RecordingError(f"{path}: cannot record: {exc.strerror}") from None
        self._write()

    @property
    def closed(self) -> bool:
        """True once closed or failed: events are then ignored."""
        return self._file is None

    def output(self, data: bytes, *, now: float) -> None:
        """Record output bytes as the terminal received them."""
        if self._file is not None:
            self._writer.output(data, now=now)
            self._maybe_flush(now)

    def input(self, data: bytes, *, now: float) -> None:
        """Record typed bytes (kept only when the recorder was asked to)."""
        if self._file is not None:
            self._writer.input(data, now=now)
            self._maybe_flush(now)

    def resize(self, columns: int, rows: int, *, now: float) -> None:
        """Record a terminal size change."""
        if self._file is not None:
            self._writer.resize(columns, rows, now=now)
            self._maybe_flush(now)

    def flush(self) -> None:
        """Write what is buffered now, whatever the cadence says."""
        if self._file is not None and self._writer.pending:
            self._write()

    def write_text(self) -> None:
        """Write the plain-text log now (also done on close); no-op without a screen."""
        if self.text_path is None or self.screen is None:
            return
        try:
            self.text_path.parent.mkdir(parents=True, exist_ok=True)
            with _private_file(self.text_path) as file:
                file.write(plain_text(self.screen).encode("utf-8"))
        except OSError as exc:
            self.failure = self.failure or f"{self.text_path}: cannot write: {exc.strerror}"

    def close(self, *, now: float) -> None:
        """Write everything still buffered, close the file, write the plain-text log."""
        if self._file is None:
            return
        self._writer.finish(now=now)
        self._write()
        if self._file is not None:
            self._file.close()
            self._file = None
        self.write_text()

    def _maybe_flush(self, now: float) -> None:
        if now - self._flushed_at >= FLUSH_INTERVAL or self._writer.pending >= FLUSH_CHARS:
            self._flushed_at = now
            self._write()

    def _write(self) -> None:
        assert self._file is not None
        try:
            self._file.write(self._writer.text_to_write().encode("utf-8"))
            self._file.flush()
        except OSError as exc:
            self.failure = f"{self.path}: recording stopped: {exc.strerror}"
            with contextlib.suppress(OSError):  # closing retries the failed write
                self._file.close()
            self._file = None


def _private_file(path: Path) -> BinaryIO:
    # A shell's output can hold anything the user saw: readable by the user only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


def safe_name(text: str, *, fallback: str = "session") -> str:
    """``text`` made safe as part of a file name: letters, digits, ``._-`` only."""
    cleaned = _UNSAFE.sub("_", text).strip("._")[:64]
    return cleaned or fallback


def recording_path(
    *,
    node: str,
    session_id: str,
    started: datetime,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Where a tab's recording goes by default (the ``.txt`` log sits beside it).

    ``$XDG_STATE_HOME/ssm-tui/recordings/<node>-<YYYYmmddTHHMMSSZ>-<session id>.cast``
    where ``node`` is the node's name or instance id.
    """
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{safe_name(node, fallback='node')}-{stamp}-{safe_name(session_id)}.cast"
    return state_dir(environ) / "recordings" / name


def text_path_for(cast_path: Path) -> Path:
    """The plain-text log beside a recording: ``x.cast`` -> ``x.txt``, else ``x.txt`` added."""
    if cast_path.suffix == ".cast":
        return cast_path.with_suffix(".txt")
    return cast_path.with_name(cast_path.name + ".txt")

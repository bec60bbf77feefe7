"""``ssm-tui shell --record FILE``: the shell's output recorded as asciicast v2 plus a text log."""

from __future__ import annotations

import time
from pathlib import Path

from ssm_tui.config import load_config
from ssm_tui.sessions.recording import CastHeader, Recorder, text_path_for
from ssm_tui.terminal.terminal import Terminal


class TerminalRecording:
    """Records what this terminal shows of a shell, on the monotonic clock.

    The local terminal draws the output itself; a terminal model is fed alongside only to
    render the plain-text log (``FILE.txt`` beside ``FILE``, or ``x.txt`` for ``x.cast``).
    Keystrokes are not recorded here.
    """

    def __init__(self, path: Path, *, size: tuple[int, int], title: str) -> None:
        config = load_config()
        columns, rows = size
        self._size = size
        self._model = Terminal(columns, rows, scrollback=config.scrollback)
        header = CastHeader(width=columns, height=rows, timestamp=int(time.time()), title=title)
        self.recorder = Recorder(
            path,
            header,
            start=time.monotonic(),
            text_path=text_path_for(path),
            screen=self._model,
        )

    def output(self, data: bytes, *, size: tuple[int, int]) -> None:
        """Record output shown at ``size``: a changed size is recorded first, as a resize."""
        now = time.monotonic()
        if size != self._size:
            self._size = size
            self._model.resize(*size)
            self.recorder.resize(*size, now=now)
        self._model.feed(data)
        self._model.replies_to_send()  # the real terminal answers queries, not the model
        self.recorder.output(data, now=now)

    def close(self) -> str | None:
        """Finish both files; the reason if recording stopped early, else None."""
        self.recorder.close(now=time.monotonic())
        return self.recorder.failure

"""A detached tmux pane running the real app, driven by send-keys and read by capture-pane."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
"""Skips a test where tmux is not installed (`scripts/test-deps` installs it for `make test`)."""


class Pane:
    """A detached 160x45 tmux session running one command, on a tmux server of its own.

    One server per pane: with a shared one, a test that starts a pane just as the last
    pane of the one before is killed can reach a server that is shutting down.
    """

    def __init__(self, command: str) -> None:
        self.name = f"ssm-tui-test-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "tmux",
                "-L",
                self.name,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "160",
                "-y",
                "45",
                command,
            ],
            check=True,
        )

    @classmethod
    def demo(cls, home: Path, *arguments: str) -> Pane:
        """``ssm-tui --demo`` with its config and state under ``home``; prints EXITED=code."""
        # COLUMNS and LINES (set under pytest) would override the pane size.
        env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={home} XDG_STATE_HOME={home}"
        app = " ".join([sys.executable, "-m", "ssm_tui", "--demo", *arguments])
        return cls(f"env {env} {app} 2>&1; echo EXITED=$?; sleep 30")

    def text(self) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.name, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return result.stdout

    def wait_for(self, *needles: str, timeout: float = 30.0) -> str:
        """The first screen that shows every one of ``needles`` at once."""
        return self.wait_until(lambda screen: all(n in screen for n in needles), needles, timeout)

    def wait_for_line(self, pattern: str, timeout: float = 30.0) -> str:
        """The first screen with a whole line matching the regular expression ``pattern``."""
        line = re.compile(pattern, re.MULTILINE)
        return self.wait_until(lambda screen: line.search(screen) is not None, pattern, timeout)

    def wait_until(
        self, shown: Callable[[str], bool], what: object, timeout: float = 30.0, poll: float = 0.1
    ) -> str:
        """The first screen for which ``shown`` is true; fails naming ``what`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if shown(screen := self.text()):
                return screen
            time.sleep(poll)
        raise AssertionError(f"{what!r} never appeared:\n{self.text()}")

    def wait_until_gone(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never went away:\n{self.text()}")
            time.sleep(0.1)

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, *keys], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)
        # The server leaves its socket behind.
        sockets = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (sockets / self.name).unlink(missing_ok=True)

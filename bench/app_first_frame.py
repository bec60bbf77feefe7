"""Time from starting ``ssm-tui --demo`` to its first frame on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from fcntl import ioctl
from termios import TIOCSWINSZ

RUNS = 5
FIRST_FRAME_MARK = b"Fleet"  # the first tab's label: the workspace is on screen
GOAL = 0.5


def first_frame_seconds(home: str) -> float:
    """Spawn the app on a 160x45 PTY; seconds until its first frame has been written."""
    master, slave = pty.openpty()
    ioctl(slave, TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=home, XDG_STATE_HOME=home)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ssm_tui", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - started < 20:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                seen += os.read(master, 65536)
                if FIRST_FRAME_MARK in seen:
                    elapsed = time.perf_counter() - started
                    break
        os.write(master, b"q")
        deadline = time.perf_counter() + 20
        while process.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        times = [first_frame_seconds(home) for _ in range(RUNS)]
    print(f"ssm-tui --demo, time to first frame over {RUNS} runs (goal <= {GOAL:.1f} s):")
    median, low, high = statistics.median(times), min(times), max(times)
    print(f"  median {median:.3f} s   min {low:.3f} s   max {high:.3f} s")


if __name__ == "__main__":
    main()

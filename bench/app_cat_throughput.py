"""End-to-end `cat` throughput in a shell tab of the real app, next to plain-terminal anchors.

Run: ``.venv/bin/python bench/app_cat_throughput.py [--megabytes N] [--rounds N]``.

Starts ``ssm-tui emulator`` in its own process, then three tmux panes of 160x45:

- the app (``ssm-tui``) with one shell tab on a node of that fleet,
- ``ssm-tui shell`` on the same node (the plain-terminal client, like AWS's plugin),
- a local bash.

In each, ``cat`` of a log-like file is timed from the keystroke until the marker echoed
after it is on screen.  The paths take turns round after round, so load from other work on
the machine weighs on all three alike; the median of each is printed with the ratios, and
the CPU time the Python client (the app, ``ssm-tui shell``) used per ``cat`` (with the
``clear`` before it).
Needs tmux; prints figures, never fails on them.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssm_tui.emulator.client_config import CLEARED_VARIABLES
from tests.ui.tmux_pane import Pane as TmuxPane

GOAL_MB_S = 5.0
LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")


def log_file(path: Path, megabytes: float) -> int:
    """Write a log-like file of about ``megabytes`` MB; return its size in bytes."""
    rng = random.Random(1)
    lines: list[str] = []
    size = 0
    n = 0
    while size < megabytes * 1_000_000:
        line = (
            f"2026-12-03T09:{n // 6000 % 60:02d}:{n // 100 % 60:02d}.{n % 1000:03d}Z "
            f"{rng.choice(LEVELS):5} [worker-{rng.randint(1, 8)}] GET /api/v1/items/"
            f"{rng.randint(1, 99999)} status={rng.choice((200, 200, 404, 500))} "
            f"latency={rng.randint(1, 900)}ms user=u{rng.randint(1, 5000)} "
            f"trace={rng.getrandbits(64):016x}\n"
        )
        lines.append(line)
        size += len(line)
        n += 1
    path.write_text("".join(lines))
    return size


class Pane(TmuxPane):
    """A tmux pane of the test suite's kind, named for the figures, that can time a wait."""

    def __init__(self, label: str, command: str) -> None:
        super().__init__(command)
        self.label = label

    def wait_for_text(self, needle: str, timeout: float = 60.0, poll: float = 0.1) -> None:
        """Wait until ``needle`` is on screen, looking every ``poll`` seconds."""
        try:
            self.wait_until(lambda screen: needle in screen, needle, timeout, poll)
        except AssertionError as error:
            raise RuntimeError(f"{self.label}: {error}") from None

    def client_cpu(self) -> float | None:
        """CPU seconds the pane's Python client (app or shell) used so far; None if none."""
        result = subprocess.run(
            ["tmux", "-L", self.name, "display", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
        )
        pending = [result.stdout.strip()]
        while pending:
            pid = pending.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if "python" in stat.partition("(")[2].partition(")")[0]:
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            pending += children
        return None


def timed_cat(pane: Pane, path: Path, round_number: int) -> float:
    """Seconds from sending `cat FILE; echo MARKER` until the marker is on screen."""
    pane.send("clear", "Enter")
    time.sleep(0.5)
    # The command line shows the arithmetic, only the echo shows its result.
    marker = f"DONE{round_number * 7 + 1000}X"
    command = f"cat {path}; echo DONE$(({round_number} * 7 + 1000))X"
    started = time.monotonic()
    pane.send(command, "Enter")
    pane.wait_for_text(marker, timeout=300, poll=0.01)
    return time.monotonic() - started


def start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``ssm-tui emulator`` in its own process; return it and the client's environment."""
    fleet = subprocess.Popen(
        [sys.executable, "-m", "ssm_tui", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert fleet.stdout is not None
    env: dict[str, str] = {}
    for line in fleet.stdout:  # the export lines, then it serves
        name, _, value = line.removeprefix("export ").strip().partition("=")
        env[name] = shlex.split(value)[0]
        if name == "AWS_EC2_METADATA_DISABLED":
            break
    return fleet, env


def command_line(env: dict[str, str], *args: str) -> str:
    """A shell command running ``args`` with ``env`` set and the terminal size unforced."""
    unset = " ".join(f"-u {name}" for name in (*CLEARED_VARIABLES, "COLUMNS", "LINES"))
    assigned = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    return f"env {unset} {assigned} {shlex.join(args)}; sleep 600"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    fleet, env = start_emulator()
    panes: list[Pane] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "app.log"
            size = log_file(path, options.megabytes)
            state = {"XDG_CONFIG_HOME": folder, "XDG_STATE_HOME": folder}
            cli = (sys.executable, "-m", "ssm_tui")
            scope = ("--profile", "prod", "--region", "us-east-1")
            app = Pane("ssm-tui app tab", command_line({**env, **state}, *cli, *scope))
            shell = Pane("ssm-tui shell", command_line(env, *cli, "shell", "web-1", *scope))
            local = Pane("local cat", "env -u COLUMNS -u LINES bash --norc --noprofile")
            panes += [app, shell, local]
            app.wait_for_text("web-1 ")
            app.send("/")
            app.send("-l", "web-1")
            time.sleep(0.5)
            app.send("Enter")  # the filter leaves the table focused on web-1
            time.sleep(0.3)
            app.send("Enter")
            for pane in (app, shell):
                pane.wait_for_text("ssm-user@")
            times: dict[str, list[float]] = {pane.label: [] for pane in panes}
            cpu: dict[str, list[float]] = {pane.label: [] for pane in panes}
            for n in range(options.rounds):
                for pane in panes:
                    before = pane.client_cpu()
                    times[pane.label].append(timed_cat(pane, path, n))
                    after = pane.client_cpu()
                    if before is not None and after is not None:
                        cpu[pane.label].append(after - before)
    finally:
        for pane in panes:
            pane.close()
        fleet.send_signal(signal.SIGINT)
        fleet.wait(10)
    rates = {label: size / 1e6 / statistics.median(values) for label, values in times.items()}
    load = os.getloadavg()[0]
    print(
        f"cat of {size / 1e6:.1f} MB, 160x45 tmux panes, median of {options.rounds} rounds"
        f" (load average {load:.1f}):"
    )
    for label, rate in rates.items():
        runs = " ".join(f"{size / 1e6 / t:.1f}" for t in times[label])
        used = f"{statistics.median(cpu[label]):.2f} s" if cpu[label] else "-"
        print(f"  {label:16} {rate:6.1f} MB/s   client CPU {used:>6}   (rounds: {runs})")
    app_rate = rates["ssm-tui app tab"]
    print(
        f"  app / ssm-tui shell {app_rate / rates['ssm-tui shell']:.2f}x,"
        f" app / local cat {app_rate / rates['local cat']:.2f}x"
    )
    print(f"  (goal: app >= {GOAL_MB_S:.0f} MB/s and >= the ssm-tui shell anchor)")


if __name__ == "__main__":
    main()

"""What recording costs a tab: CPU per MB recorded, and terminal throughput with and without.

Run: ``.venv/bin/python bench/recording.py [--megabytes N] [--repeat N]``.

Rates are bytes over process CPU time, best of ``--repeat`` runs (see bench/terminal.py
for why); the longest single ``Recorder.output`` call is wall time, the worst pause a
recording adds to the event loop (it includes the buffered writes to disk).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.terminal import corpora, rate
from ssm_tui.sessions.recording import CastHeader, Recorder
from ssm_tui.terminal.terminal import Terminal

HEADER = CastHeader(width=80, height=24, timestamp=0, title="bench")
# Time passed to the recorder advances this much per chunk: ~1 s of a busy tab per 100 chunks.
TICK = 0.01


def unicode_corpus(size: int) -> bytes:
    """Box drawing, accents and CJK: every chunk boundary risks splitting a character."""
    line = "│ café naïve 中文字符 ╭─╮ ünïcödé ░▒▓ " * 2 + "\r\n"
    return (line * (size // len(line.encode()) + 1)).encode()[:size]


def recording(directory: Path) -> Callable[[], Callable[[bytes], object]]:
    """A fresh recorder (to a real file) per run, on a clock that ticks per chunk."""

    def make() -> Callable[[bytes], object]:
        recorder = Recorder(directory / "bench.cast", HEADER, start=0.0)
        clock = iter(range(1, 1 << 40))
        return lambda data: recorder.output(data, now=next(clock) * TICK)

    return make


def terminal_alone() -> Callable[[bytes], object]:
    return Terminal(80, 24).feed


def terminal_recorded(directory: Path) -> Callable[[], Callable[[bytes], object]]:
    def make() -> Callable[[bytes], object]:
        terminal = Terminal(80, 24)
        record = recording(directory)()

        def feed(data: bytes) -> None:
            terminal.feed(data)
            record(data)

        return feed

    return make


def longest_call(data: bytes, directory: Path, chunk: int) -> float:
    """The longest single ``Recorder.output`` call in milliseconds of wall time."""
    record = recording(directory)()
    worst = 0.0
    for offset in range(0, len(data), chunk):
        piece = data[offset : offset + chunk]
        start = time.perf_counter()
        record(piece)
        worst = max(worst, time.perf_counter() - start)
    return worst * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = int(args.megabytes * 1e6)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{size} B per corpus, best of {args.repeat}, CPU time; load average {load}")
    samples = dict(corpora(size), unicode=unicode_corpus(size))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(
            f"{'corpus':8} {'rec ms/MB':>10} {'rec ms/MB':>10} {'term MB/s':>10}"
            f" {'+rec MB/s':>10} {'slower':>7} {'worst ms':>9}"
        )
        print(f"{'':8} {'4 KiB':>10} {'256 B':>10} {'4 KiB':>10} {'4 KiB':>10}")
        for name, data in samples.items():
            big = rate(data, recording(directory), chunk=4096, repeat=args.repeat)
            small = rate(data, recording(directory), chunk=256, repeat=args.repeat)
            alone = rate(data, terminal_alone, repeat=args.repeat)
            both = rate(data, terminal_recorded(directory), repeat=args.repeat)
            worst = longest_call(data, directory, 4096)
            print(
                f"{name:8} {1e3 / big:>10.2f} {1e3 / small:>10.2f} {alone:>10.2f}"
                f" {both:>10.2f} {100 * (alone / both - 1):>6.1f}% {worst:>9.2f}"
            )


if __name__ == "__main__":
    main()

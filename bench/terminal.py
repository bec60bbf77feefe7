"""Terminal model throughput and memory, next to stock pyte; prints figures, never fails.

Run: ``.venv/bin/python bench/terminal.py [--megabytes N] [--repeat N]``.

Rates are bytes over process CPU time, best of ``--repeat`` runs, so that other work on
a shared machine does not stretch them; the load average is printed alongside.  Frames,
keystroke latency and idle CPU of the widget: ``bench/terminal_latency.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pyte

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ssm_tui.terminal.terminal import Terminal

CHECK_EVERY = 64 * 1024
WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def corpora(size: int) -> dict[str, bytes]:
    """Synthetic outputs of the shapes that matter, each about ``size`` bytes."""
    rng = random.Random(7)
    plain, sgr, redraw, mixed = [], [], [], []
    total = 0
    while total < size:
        line = _words(rng, rng.randint(3, 14)) + "\r\n"
        plain.append(line)
        total += len(line)
    total = 0
    while total < size:
        parts = [
            f"\x1b[{rng.choice((0, 1, 4))};{rng.randint(30, 37)}m{rng.choice(WORDS)}\x1b[0m"
            for _ in range(8)
        ]
        line = " ".join(parts) + "\r\n"
        sgr.append(line)
        total += len(line)
    total = 0
    while total < size:
        frame = ["\x1b[H"]
        for y in range(24):
            colour = 31 + y % 7
            frame.append(f"\x1b[{y + 1};1H\x1b[K\x1b[{colour}m{_words(rng, 10)[:78]}\x1b[m")
        text = "".join(frame)
        redraw.append(text)
        total += len(text)
    total = 0
    while total < size:
        pick = rng.random()
        if pick < 0.5:
            text = _words(rng, 8) + "\r\n"
        elif pick < 0.8:
            text = f"\x1b[1;3{rng.randint(1, 7)}m{_words(rng, 3)}\x1b[m {_words(rng, 4)}\r\n"
        elif pick < 0.9:
            text = f"\x1b[{rng.randint(1, 24)};{rng.randint(1, 70)}H\x1b[K{_words(rng, 2)}"
        else:
            text = "progress [" + "#" * rng.randint(0, 40) + "]\r"
        mixed.append(text)
        total += len(text)
    return {
        "plain": "".join(plain).encode(),
        "sgr": "".join(sgr).encode(),
        "redraw": "".join(redraw).encode(),
        "mixed": "".join(mixed).encode(),
    }


def rate(
    data: bytes, make: Callable[[], Callable[[bytes], object]], chunk: int = 4096, repeat: int = 1
) -> float:
    """MB/s (of CPU time) feeding ``data`` in chunks to a fresh consumer, best of ``repeat``."""
    best = 0.0
    for _ in range(repeat):
        feed = make()
        start = time.process_time()
        for offset in range(0, len(data), chunk):
            feed(data[offset : offset + chunk])
        best = max(best, len(data) / max(1e-9, time.process_time() - start) / 1e6)
    return best


def ours(scrollback: int) -> Callable[[], Callable[[bytes], object]]:
    return lambda: Terminal(80, 24, scrollback=scrollback).feed


def stock(history: bool) -> Callable[[], Callable[[bytes], object]]:
    def make() -> Callable[[bytes], object]:
        screen = pyte.HistoryScreen(80, 24, history=10_000) if history else pyte.Screen(80, 24)
        return pyte.ByteStream(screen).feed  # type: ignore[no-any-return]

    return make


def check_against_stock(name: str, data: bytes) -> bool:
    """Compare our screen with stock pyte's after every 64 KiB; print MISMATCH if they differ."""
    terminal = Terminal(80, 24)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    for offset in range(0, len(data), CHECK_EVERY):
        chunk = data[offset : offset + CHECK_EVERY]
        terminal.feed(chunk)
        stream.feed(chunk)
        mine = terminal.screen
        same = all(
            mine.buffer[y][x] == screen.buffer[y][x] for y in range(24) for x in range(80)
        ) and (mine.cursor.x, mine.cursor.y) == (screen.cursor.x, screen.cursor.y)
        if not same:
            print(f"  !!! MISMATCH on {name} at byte {offset + len(chunk)} !!!")
            return False
    return True


def scrollback_memory(styled: bool) -> float:
    """Bytes per 100-character line held in a full 10 000-line scrollback."""
    rng = random.Random(3)
    lines = []
    for _ in range(10_000):
        if styled:
            line = "".join(
                f"\x1b[3{n % 8}m" + "".join(rng.choice("abcdefghij ") for _ in range(10))
                for n in range(10)
            )
            lines.append(line + "\x1b[m\r\n")
        else:
            lines.append("".join(rng.choice("abcdefghij ") for _ in range(100)) + "\r\n")
    data = "".join(lines).encode()
    tracemalloc.start()
    terminal = Terminal(100, 24)
    before = tracemalloc.get_traced_memory()[0]
    terminal.feed(data)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / max(1, terminal.scrollback_count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = int(args.megabytes * 1e6)
    stock_size = min(size, 400_000)  # stock pyte is slow; a smaller sample gives its rate
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"feed rate, MB/s of CPU time, best of {args.repeat} (80x24, 4 KiB chunks;"
        f" ours on {size} B, stock on {stock_size} B; load average {load})"
    )
    header = ("ours+10k sb", "ours no sb", "pyte Screen", "pyte History")
    print(f"{'corpus':8} " + " ".join(f"{name:>12}" for name in header))
    all_same = True
    for name, data in corpora(size).items():
        figures = (
            rate(data, ours(10_000), repeat=args.repeat),
            rate(data, ours(0), repeat=args.repeat),
            rate(data[:stock_size], stock(history=False)),
            rate(data[:stock_size], stock(history=True)),
        )
        print(f"{name:8} " + " ".join(f"{f:>12.2f}" for f in figures))
        all_same &= check_against_stock(name, data)
    print("screen equals stock pyte after every 64 KiB:", "yes" if all_same else "NO — MISMATCH")
    print(f"scrollback memory, plain 100-char lines: {scrollback_memory(False):.0f} B/line")
    print(f"scrollback memory, 10-colour 100-char lines: {scrollback_memory(True):.0f} B/line")


if __name__ == "__main__":
    main()

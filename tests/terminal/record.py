"""Record real programs' output in a PTY at 80x24, for the golden screen tests.

Run from the repository root: ``.venv/bin/python tests/terminal/record.py [name...]``.
Each recipe types keys into a program running under TERM=xterm-256color and saves every
byte the program wrote to ``captures/<name>.bin``; ``expect.py`` then writes the expected
screens.  Recording needs the programs installed; replaying the captures does not.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

CAPTURES = Path(__file__).parent / "captures"
COLUMNS, ROWS = 80, 24

# name -> (command, [(seconds to wait, keys to type)...])
RECIPES: dict[str, tuple[list[str], list[tuple[float, bytes]]]] = {
    "vim": (
        ["vim", "-u", "NONE", "-N", "-c", "syntax on", "notes.py"],
        [
            (0.8, b"ihello = 'world'\x1b"),
            (0.3, b"o# a comment\x1b"),
            (0.3, b":set nu\r"),
            (0.5, b""),
        ],
    ),
    "less": (["less", "story.txt"], [(0.6, b" "), (0.4, b"/line 4\r"), (0.5, b"")]),
    "top": (["top", "-d", "5"], [(1.5, b"")]),
    "htop": (["htop", "-d", "50"], [(2.0, b"")]),
    "man": (["man", "ls"], [(1.5, b" "), (0.5, b"")]),
    "ls": (["ls", "-la", "--color=always", "/etc/"], [(0.8, b"")]),
    "progress": (
        [
            "sh",
            "-c",
            "i=0; while [ $i -le 40 ]; do printf '\\r[%-40s] %3d%%' "
            "$(printf '%*s' $i '' | tr ' ' '#') $((i*100/40)); i=$((i+1)); done; echo",
        ],
        [(0.8, b"")],
    ),
}


def _prepare(directory: Path) -> None:
    (directory / "notes.py").write_text("def main():\n    return 42\n")
    story = "".join(f"line {n}: the quick brown fox jumps over the lazy dog\n" for n in range(200))
    (directory / "story.txt").write_text(story)


def _child_setup() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def record(name: str) -> bytes:
    """Run one recipe in a PTY and return everything the program wrote."""
    command, steps = RECIPES[name]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    with tempfile.TemporaryDirectory() as temp:
        _prepare(Path(temp))
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "TERM": "xterm-256color",
            "HOME": temp,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "COLUMNS": str(COLUMNS),
            "LINES": str(ROWS),
            "MANPAGER": "less",
            "PAGER": "less",
        }
        process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=temp,
            env=env,
            preexec_fn=_child_setup,
        )
        os.close(slave)
        output = bytearray()

        def drain(seconds: float) -> None:
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                ready, _, _ = select.select([master], [], [], left)
                if ready:
                    try:
                        output.extend(os.read(master, 65536))
                    except OSError:
                        return

        for wait, keys in steps:
            drain(wait)
            if keys:
                os.write(master, keys)
        drain(0.3)
        process.kill()
        process.wait()
        os.close(master)
    return bytes(output)


def main(names: list[str]) -> None:
    CAPTURES.mkdir(exist_ok=True)
    for name in names or list(RECIPES):
        data = record(name)
        (CAPTURES / f"{name}.bin").write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Write the expected screen of every capture (``captures/<name>.json``) from the slow path.

Run from the repository root after recording: ``.venv/bin/python tests/terminal/expect.py``.
Review the diff: these files are the specification the golden tests hold the model to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.terminal.screens import fed_slow, summary

CAPTURES = Path(__file__).parent / "captures"


def main() -> None:
    for capture in sorted(CAPTURES.glob("*.bin")):
        expected = summary(fed_slow(capture.read_bytes()))
        target = capture.with_suffix(".json")
        target.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
        print(f"{target.name}: {len(expected['styles'])} styled rows")


if __name__ == "__main__":
    main()

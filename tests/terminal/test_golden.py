"""Recorded output of real programs replays to the committed screens, on both paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.terminal.screens import cells, fed_fast, fed_slow, summary

CAPTURES = Path(__file__).parent / "captures"
NAMES = sorted(path.stem for path in CAPTURES.glob("*.bin"))


def capture(name: str) -> bytes:
    return (CAPTURES / f"{name}.bin").read_bytes()


def expected(name: str) -> dict[str, object]:
    result: dict[str, object] = json.loads((CAPTURES / f"{name}.json").read_text())
    return result


def test_every_program_was_recorded() -> None:
    assert {"vim", "less", "top", "htop", "man", "ls", "progress"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_replay_matches_the_golden_screen(name: str) -> None:
    assert summary(fed_fast(capture(name))) == expected(name)


@pytest.mark.parametrize("chunk", [1, 3, 64, 4096])
@pytest.mark.parametrize("name", NAMES)
def test_any_chunking_gives_the_same_screen(name: str, chunk: int) -> None:
    assert summary(fed_fast(capture(name), chunk=chunk)) == expected(name)


@pytest.mark.parametrize("name", NAMES)
def test_fast_path_equals_stock_pyte_path_cell_for_cell(name: str) -> None:
    assert cells(fed_fast(capture(name))) == cells(fed_slow(capture(name)))

"""The atheris harness in fuzz/ runs without atheris on a seed corpus and random inputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

HARNESS = Path(__file__).parents[2] / "fuzz" / "fuzz_smux.py"
CAPTURE = bytes.fromhex(
    "0100000003000000"
    "0102120003000000"
    "474554202f20485454502f312e300d0a0d0a"
    "0101000003000000"
    "0100000005000000"
)


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_smux", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = load_harness()


def test_the_seed_corpus_runs_clean() -> None:
    for flags in range(8):
        for step in (0, 3, 255):
            harness.test_one_input(bytes([flags, step]) + CAPTURE)
            harness.test_one_input(bytes([flags, step]) + CAPTURE + b"\x02garbage")
    harness.test_one_input(b"")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_inputs_raise_nothing(data: bytes) -> None:
    harness.test_one_input(data)

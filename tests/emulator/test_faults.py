"""The --faults spec parser."""

from __future__ import annotations

import pytest

from ssm_tui.emulator.faults import NO_FAULTS, Faults, FaultSpecError


def test_full_spec_parses_probabilities_and_durations() -> None:
    faults = Faults.parse(
        "drop=0.05,dup=0.05,reorder=0.05,delay=20ms,close-every=3s,corrupt=0.01,"
        "withhold-acks=0.1,pause=1m"
    )
    assert faults == Faults(
        drop=0.05,
        dup=0.05,
        reorder=0.05,
        delay=0.02,
        close_every=3.0,
        corrupt=0.01,
        withhold_acks=0.1,
        pause=60.0,
    )
    assert faults.active


def test_empty_spec_means_no_faults() -> None:
    assert Faults.parse("") == NO_FAULTS
    assert Faults.parse(" , ") == NO_FAULTS
    assert not NO_FAULTS.active
    assert str(NO_FAULTS) == "none"


def test_spec_round_trips_through_str() -> None:
    faults = Faults.parse("drop=0.5,close-every=2s")
    assert Faults.parse(str(faults)) == faults


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("drop=2", "between 0 and 1"),
        ("drop=lots", "probability"),
        ("delay=20", "unit"),
        ("close-every=0s", "longer than zero"),
        ("jitter=0.1", "unknown fault 'jitter'"),
        ("drop", "needs a value"),
        ("drop=0.1,drop=0.2", "twice"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        Faults.parse(spec)

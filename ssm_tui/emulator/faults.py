"""Network faults for the data channel: the ``--faults`` spec parsed into a frozen value."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

_DURATION = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s|m)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0}


class FaultSpecError(ValueError):
    """A ``--faults`` spec that cannot be parsed; the message says what to write instead."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Faults:
    """What the agent side of a data channel does wrong on purpose (probabilities per message).

    ``drop``, ``dup``, ``reorder``, ``corrupt`` (bad payload digest) and ``withhold_acks`` are
    probabilities in [0, 1] applied to each message; ``delay`` is added latency in seconds;
    ``close_every`` closes the websocket ("1000 Bye") every so many seconds; ``pause`` sends
    ``pause_publication`` every so many seconds (``start_publication`` follows shortly after).
    """

    drop: float = 0.0
    dup: float = 0.0
    reorder: float = 0.0
    corrupt: float = 0.0
    withhold_acks: float = 0.0
    delay: float = 0.0
    close_every: float | None = None
    pause: float | None = None

    @property
    def active(self) -> bool:
        """True when any fault is switched on."""
        return self != NO_FAULTS

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse ``drop=0.05,dup=0.05,reorder=0.05,delay=20ms,close-every=3s`` (empty = none)."""
        values: dict[str, float] = {}
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            key, sep, raw = item.partition("=")
            key = key.strip()
            name = key.replace("-", "_")
            if not sep or not raw.strip():
                raise FaultSpecError(f"fault {key!r} needs a value, e.g. {key}=0.05")
            if name not in _KINDS:
                known = ", ".join(f.name.replace("_", "-") for f in fields(cls))
                raise FaultSpecError(f"unknown fault {key!r} (known: {known})")
            if name in values:
                raise FaultSpecError(f"fault {key!r} is given twice")
            values[name] = _KINDS[name](key, raw.strip())
        return cls(**values)

    def __str__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, 0.0):
                continue
            key = f.name.replace("_", "-")
            parts.append(f"{key}={value}" if _KINDS[f.name] is _probability else f"{key}={value}s")
        return ",".join(parts) or "none"


def _probability(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise FaultSpecError(f"{key}={raw}: expected a probability such as 0.05") from None
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"{key}={raw}: a probability must be between 0 and 1")
    return value


def _duration(key: str, raw: str) -> float:
    match = _DURATION.match(raw)
    if match is None:
        raise FaultSpecError(f"{key}={raw}: expected a duration with a unit, e.g. 20ms, 3s or 1m")
    return float(match["number"]) * _UNIT_SECONDS[match["unit"]]


def _positive_duration(key: str, raw: str) -> float:
    value = _duration(key, raw)
    if value <= 0:
        raise FaultSpecError(f"{key}={raw}: must be longer than zero")
    return value


_KINDS = {
    "drop": _probability,
    "dup": _probability,
    "reorder": _probability,
    "corrupt": _probability,
    "withhold_acks": _probability,
    "delay": _duration,
    "close_every": _positive_duration,
    "pause": _positive_duration,
}

NO_FAULTS = Faults()

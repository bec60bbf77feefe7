"""Fixtures for the transport tests: the sessions lab (a real emulator on a small fleet)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sessions.lab import Lab, running_lab


@pytest.fixture
async def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Lab]:
    """A running emulator on the lab fleet; boto3 in this process points at it."""
    async with running_lab(tmp_path, monkeypatch) as running:
        yield running

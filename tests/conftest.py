"""Shared fixtures: the local fleet (async and threaded), the AWS env for it, the sessions lab."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from ssm_tui.emulator import EmulatorServer, EmulatorThread
from tests.local_fleet import client_env
from tests.sessions.lab import Lab, running_lab

# Given a started server: write its config/credentials files under tmp_path and return the
# environment variables for boto3 or a subprocess. ``apply=True`` (the default) also sets
# them in os.environ for the test (clearing AWS_PROFILE, static keys and the like).
AwsEnv = Callable[..., dict[str, str]]


@pytest.fixture
async def emulator() -> AsyncIterator[EmulatorServer]:
    """A started EmulatorServer on the demo fleet, on the test's own event loop."""
    async with EmulatorServer() as server:
        yield server


@pytest.fixture
def emulator_thread() -> Iterator[EmulatorServer]:
    """A started EmulatorServer on the demo fleet whose loop runs in a thread (for sync tests)."""
    with EmulatorThread() as server:
        yield server


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AwsEnv:
    """``aws_env(server, apply=True) -> env``: client files for ``server`` and their variables."""

    def make(server: EmulatorServer, *, apply: bool = True) -> dict[str, str]:
        directory = tmp_path / f"aws-{server.port}"
        return client_env(server, directory, monkeypatch if apply else None)

    return make


@pytest.fixture
async def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Lab]:
    """The sessions lab: a running emulator on a small fleet; boto3 in this process points at it."""
    async with running_lab(tmp_path, monkeypatch) as running:
        yield running

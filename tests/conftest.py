"""Shared fixtures: the local fleet (async and threaded) and the AWS environment pointing at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from ssm_tui.emulator import EmulatorServer, EmulatorThread
from ssm_tui.emulator.client_config import CLEARED_VARIABLES, ClientFiles, write_client_files

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
        files: ClientFiles = write_client_files(
            server.fleet, server.endpoint_url, tmp_path / f"aws-{server.port}"
        )
        if apply:
            for name in CLEARED_VARIABLES:
                monkeypatch.delenv(name, raising=False)
            for name, value in files.env.items():
                monkeypatch.setenv(name, value)
        return files.apply_to(dict(os.environ))

    return make

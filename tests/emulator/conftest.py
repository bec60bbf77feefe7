"""Fixtures for the emulator's API tests: boto3 sessions per profile against a threaded server."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest

from ssm_tui.emulator import EmulatorServer
from tests.conftest import AwsEnv

Profile = Callable[..., boto3.Session]


@pytest.fixture
def profile(emulator_thread: EmulatorServer, aws_env: AwsEnv) -> Profile:
    """``profile(name=None, region=None)``: a boto3 session on the demo fleet's config files."""
    aws_env(emulator_thread)

    def make(name: str | None = None, region: str | None = None) -> boto3.Session:
        return boto3.Session(profile_name=name, region_name=region)

    return make


def instance_id(server: EmulatorServer, name: str) -> str:
    """The id of the demo instance with this Name tag."""
    return next(i.instance_id for i in server.fleet.instances if i.name == name)

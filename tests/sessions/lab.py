"""The sessions lab: a small fleet on a real emulator, its SessionApi and environment."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.emulator import Account, EmulatorServer, Fleet, Instance
from ssm_tui.emulator.faults import Faults
from tests.local_fleet import SmallFleet, client_env

REGION = "us-east-1"
ACCOUNT = Account(
    name="sess-test",
    account_id="210987654321",
    access_key_id="AKIASESSIONSTESTKEY1",
    secret_access_key="sessions/test+secret/0000000000000000000",
    user="tester",
    regions=(REGION,),
)
KMS_KEY_ID = "abcd1234-12ab-34cd-56ef-1234567890ab"
SHELL = "i-0bbbbbbbbbbbbbbb1"
PORTS = "i-0bbbbbbbbbbbbbbb2"
OLD_AGENT = "i-0bbbbbbbbbbbbbbb3"
VAULT = "i-0bbbbbbbbbbbbbbb4"
OFFLINE = "i-0bbbbbbbbbbbbbbb5"
FAULTY = "i-0bbbbbbbbbbbbbbb6"
_FLEET = SmallFleet(ACCOUNT, KMS_KEY_ID)


def make_fleet() -> Fleet:
    """Shell box, port box, an old (basic-forwarding) agent, a KMS box, an offline one."""
    instance = _FLEET.instance
    return _FLEET.build(
        [
            instance(SHELL, "box-1"),
            instance(PORTS, "web-1"),
            instance(OLD_AGENT, "old-1", agent_version="3.0.161.0"),
            instance(VAULT, "vault-1", kms_key_id=KMS_KEY_ID),
            instance(OFFLINE, "dark-1", ping_status="ConnectionLost"),
            instance(FAULTY, "flaky-1"),
        ]
    )


@dataclass
class Lab:
    """A running emulator, a SessionApi on it, and the environment for subprocesses."""

    server: EmulatorServer
    api: SessionApi
    env: dict[str, str]

    def instance(self, instance_id: str) -> Instance:
        return next(i for i in self.server.fleet.instances if i.instance_id == instance_id)

    def set_faults(self, instance_id: str, faults: Faults) -> None:
        self.instance(instance_id).faults = faults

    def map_port(self, instance_id: str, port: int, local_port: int) -> None:
        self.instance(instance_id).ports[port] = f"127.0.0.1:{local_port}"


@contextlib.asynccontextmanager
async def running_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Lab]:
    """The fleet above, served with its data channel; env vars point boto3 at it."""
    async with EmulatorServer(fleet=make_fleet()) as server:
        env = client_env(server, tmp_path / "aws", monkeypatch)
        monkeypatch.setenv("AWS_PROFILE", ACCOUNT.name)
        env["AWS_PROFILE"] = ACCOUNT.name
        api = SessionApi(Pair(profile=ACCOUNT.name, region=REGION))
        yield Lab(server=server, api=api, env=env)

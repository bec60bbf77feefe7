"""Small one-account test fleets, and the environment that points AWS clients at a server."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ssm_tui.emulator import Account, EmulatorServer, Fleet, Instance, KmsKeySpec
from ssm_tui.emulator.client_config import CLEARED_VARIABLES, write_client_files


@dataclass(frozen=True)
class SmallFleet:
    """One account in one region with one KMS key: the fleets the emulator and lab tests use."""

    account: Account
    kms_key_id: str

    def instance(self, instance_id: str, name: str, **fields: Any) -> Instance:
        """An instance of the account in its first region, tagged ``Name=name``."""
        return Instance(
            instance_id=instance_id,
            account_id=self.account.account_id,
            region=self.account.regions[0],
            tags={"Name": name},
            **fields,
        )

    def build(self, instances: Sequence[Instance], **options: Any) -> Fleet:
        """The account with ``instances`` and the KMS key; ``options`` go to :class:`Fleet`."""
        key = KmsKeySpec(
            account_id=self.account.account_id,
            region=self.account.regions[0],
            key_id=self.kms_key_id,
        )
        return Fleet(accounts=[self.account], instances=list(instances), kms_keys=[key], **options)


def client_env(
    server: EmulatorServer, directory: Path, monkeypatch: pytest.MonkeyPatch | None = None
) -> dict[str, str]:
    """Write ``server``'s client files into ``directory``; the environment for a subprocess.

    With ``monkeypatch``, this process's environment points at the server too (for the
    test), with AWS_PROFILE, static keys and the like cleared.
    """
    files = write_client_files(server.fleet, server.endpoint_url, directory)
    if monkeypatch is not None:
        for name in CLEARED_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in files.env.items():
            monkeypatch.setenv(name, value)
    return files.apply_to(dict(os.environ))

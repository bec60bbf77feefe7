"""What every API handler receives: the authenticated caller, the region and the fleet state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ssm_tui.emulator.fleet import Account, Fleet, Instance
from ssm_tui.emulator.keystore import KeyStore
from ssm_tui.emulator.run_command_runner import CommandRunner
from ssm_tui.emulator.sessions import SessionRegistry


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """One authenticated request's context (region from the SigV4 scope, account from the key)."""

    account: Account
    region: str
    fleet: Fleet
    sessions: SessionRegistry
    keystore: KeyStore
    commands: CommandRunner
    stream_url: Callable[[str], str]
    now: float

    def instances(self) -> list[Instance]:
        """The caller's instances in the call's region."""
        return list(self.fleet.instances_in(self.account.account_id, self.region))

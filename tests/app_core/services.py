"""SessionServices wired to the sessions lab: every pair's API is the lab's SessionApi."""

from __future__ import annotations

from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.config import Config
from tests.sessions.lab import ACCOUNT, REGION, Lab


def lab_services(lab: Lab) -> SessionServices:
    """Services whose every session goes to the lab's emulator."""
    return SessionServices(Config(), api_factory=lambda pair: lab.api)


def lab_node(instance_id: str, name: str) -> ManagedNode:
    """A node of the lab's fleet, as the fleet browser would list it."""
    return ManagedNode(instance_id=instance_id, profile=ACCOUNT.name, region=REGION, name=name)

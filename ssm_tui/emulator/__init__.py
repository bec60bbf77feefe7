"""The local fleet: AWS APIs, agents and instances emulated on loopback."""

from ssm_tui.emulator.demo_fleet import demo_fleet, generate_fleet
from ssm_tui.emulator.faults import Faults, FaultSpecError
from ssm_tui.emulator.fleet import Account, Fleet, Instance, KmsKeySpec
from ssm_tui.emulator.fleet_file import FleetFileError, load_fleet
from ssm_tui.emulator.server import EmulatorServer
from ssm_tui.emulator.thread import EmulatorThread

__all__ = [
    "Account",
    "EmulatorServer",
    "EmulatorThread",
    "FaultSpecError",
    "Faults",
    "Fleet",
    "FleetFileError",
    "Instance",
    "KmsKeySpec",
    "demo_fleet",
    "generate_fleet",
    "load_fleet",
]

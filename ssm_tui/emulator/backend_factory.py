"""Which backend a session runs, chosen from its session type, document and instance."""

from __future__ import annotations

from pathlib import Path

from ssm_tui.emulator.command_process import CommandProcess
from ssm_tui.emulator.fleet import Fleet
from ssm_tui.emulator.port_backend import PortBackend, port_mode
from ssm_tui.emulator.port_destination import DestinationResolver, WebPageAddress
from ssm_tui.emulator.pty_shell import PtyShell
from ssm_tui.emulator.session_backend import BackendRefused, SessionBackend
from ssm_tui.emulator.sessions import EmulatedSession


def _is_true(value: object) -> bool:
    return str(value).lower() not in ("false", "0", "no", "")


class BackendFactory:
    """Builds the backend of a session once the handshake told us the client's version."""

    def __init__(
        self, fleet: Fleet, *, workdir_root: Path, web_page: WebPageAddress | None = None
    ) -> None:
        self._fleet = fleet
        self._root = workdir_root
        self._web_page = web_page

    def workdir(self, session: EmulatedSession) -> Path:
        """The instance's home on this machine, shared by its sessions."""
        return self._root / session.instance.instance_id

    def create(self, session: EmulatedSession, client_version: str | None) -> SessionBackend:
        """The backend for ``session``; raise `BackendRefused` for what cannot run here."""
        instance = session.instance
        kind = session.session_type
        if instance.platform_type == "Windows" and kind != "Port":
            # StartSession already refuses these; a fleet edited since still gets a reason.
            raise BackendRefused(
                f"{instance.instance_id} is a Windows node: the local fleet runs no Windows shell."
            )
        cwd = self.workdir(session)
        command = session.parameters.get("command", "")
        if kind == "Standard_Stream":
            return PtyShell.login_shell(name=instance.name or instance.instance_id, cwd=cwd)
        if kind == "InteractiveCommands":
            return PtyShell.command(command, cwd=cwd)
        if kind == "NonInteractiveCommands":
            # §10.1: stdout and stderr travel apart, then the exit code, unless the
            # document turns separate output streams off.
            separate = _is_true(session.parameters.get("separateOutputStream", "true"))
            return CommandProcess(command, cwd=cwd, separate_output=separate)
        if kind == "Port":
            properties = session.properties or {}
            neighbours = self._fleet.instances_in(session.account_id, session.region)
            resolver = DestinationResolver(
                instance,
                neighbours=[n for n in neighbours if n is not instance],
                web_page=self._web_page,
            )
            return PortBackend(
                mode=port_mode(properties, client_version, instance.agent_version),
                resolver=resolver,
                host=properties.get("host") or None,
                port=int(properties.get("portNumber", "0") or 0),
                client_version=client_version,
            )
        raise BackendRefused(f"Session type {kind} is not supported by the local fleet.")

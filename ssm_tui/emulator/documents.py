"""The AWS-provided Session Manager documents: their parameters and resolved properties."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ssm_tui.emulator.errors import AwsError

SHELL_SESSION_TYPES = frozenset(
    {"Standard_Stream", "InteractiveCommands", "NonInteractiveCommands"}
)
DEFAULT_DOCUMENT = "SSM-SessionManagerRunShell"
_HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A session document: its session type and parameters (default None = required)."""

    name: str
    session_type: str
    parameters: Mapping[str, str | None]

    def properties(self, values: Mapping[str, str]) -> dict[str, str] | None:
        """The properties the agent hands the client in its handshake (protocol.md §10.2)."""
        if self.name == "AWS-StartSSHSession":
            return {"portNumber": values["portNumber"]}
        if self.session_type != "Port":
            return None
        props = {
            "portNumber": values["portNumber"],
            "type": "LocalPortForwarding",
            "localPortNumber": values["localPortNumber"],
        }
        if "host" in values:
            props["host"] = values["host"]
        return props


DOCUMENTS = {
    doc.name: doc
    for doc in (
        Document(name=DEFAULT_DOCUMENT, session_type="Standard_Stream", parameters={}),
        Document(
            name="AWS-StartInteractiveCommand",
            session_type="InteractiveCommands",
            parameters={"command": None},
        ),
        Document(
            name="AWS-StartNonInteractiveCommand",
            session_type="NonInteractiveCommands",
            parameters={"command": None},
        ),
        Document(
            name="AWS-StartPortForwardingSession",
            session_type="Port",
            parameters={"portNumber": "80", "localPortNumber": "0"},
        ),
        Document(
            name="AWS-StartPortForwardingSessionToRemoteHost",
            session_type="Port",
            parameters={"host": None, "portNumber": "80", "localPortNumber": "0"},
        ),
        Document(name="AWS-StartSSHSession", session_type="Port", parameters={"portNumber": "22"}),
    )
}


def resolve(
    name: str | None, parameters: Mapping[str, Sequence[str]] | None
) -> tuple[Document, dict[str, str]]:
    """The document ``name`` picks and its parameters with defaults, validated like AWS."""
    short = (name or DEFAULT_DOCUMENT).rpartition("document/")[2]
    document = DOCUMENTS.get(short)
    if document is None:
        raise AwsError("InvalidDocument", f"Document with name {short} does not exist.")
    values: dict[str, str] = {}
    for key, given in (parameters or {}).items():
        if key not in document.parameters:
            raise _invalid(f"Parameter {key!r} is not defined in document {short}.")
        if isinstance(given, str) or len(given) != 1 or not isinstance(given[0], str):
            raise _invalid(f"Parameter {key!r} takes exactly one string value.")
        values[key] = given[0]
    for key, default in document.parameters.items():
        if key not in values:
            if default is None:
                raise _invalid(f"Required parameter {key!r} is missing for document {short}.")
            values[key] = default
    _check(values)
    return document, values


def _check(values: Mapping[str, str]) -> None:
    for key, lowest in (("portNumber", 1), ("localPortNumber", 0)):
        if key in values and not _is_port(values[key], lowest):
            raise _invalid(f"Parameter {key!r} must be a port number, not {values[key]!r}.")
    if "host" in values and not _HOST.match(values["host"]):
        raise _invalid(f"Parameter 'host' is not a valid host name: {values['host']!r}.")
    if "command" in values and not values["command"].strip():
        raise _invalid("Parameter 'command' must not be empty.")


def _is_port(text: str, lowest: int) -> bool:
    return text.isdigit() and lowest <= int(text) <= 65535


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameters", message)

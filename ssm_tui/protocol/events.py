"""What a DataChannel tells its caller: frozen, keyword-only events named in the past tense."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ChannelClosed",
    "DataKeyDecryptionRequested",
    "DataKeyRequested",
    "DataReceived",
    "Event",
    "ExitCodeReceived",
    "FlagReceived",
    "MessageRejected",
    "PublicationPaused",
    "PublicationResumed",
    "SessionFailed",
    "SessionStarted",
    "SizeReceived",
    "StderrReceived",
    "WritableChanged",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base class of every event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionStarted(Event):
    """Data may flow now: the handshake finished, or the client saw Output without one (§7)."""

    session_type: str
    properties: Mapping[str, Any] | None = None
    agent_version: str | None = None
    client_version: str | None = None
    encrypted: bool = False
    customer_message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataReceived(Event):
    """Output bytes (PayloadType 1) arrived in order."""

    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class StderrReceived(Event):
    """StdErr bytes (PayloadType 11) arrived in order."""

    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ExitCodeReceived(Event):
    """The remote command's exit status (PayloadType 12)."""

    exit_code: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SizeReceived(Event):
    """The client's terminal size (PayloadType 3; agent role)."""

    cols: int
    rows: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagReceived(Event):
    """A Flag payload (§5.2); known codes come as :class:`~.payloads.Flag`."""

    flag: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DataKeyRequested(Event):
    """Client role: call kms:GenerateDataKey (64 bytes) and answer ``provide_data_key`` (§8)."""

    kms_key_id: str
    encryption_context: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class DataKeyDecryptionRequested(Event):
    """Agent role: call kms:Decrypt on the blob and answer ``provide_data_key`` (§8)."""

    ciphertext_blob: bytes
    encryption_context: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelClosed(Event):
    """The service ended the session (§6.3); ``output`` is its optional reason."""

    session_id: str
    output: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionFailed(Event):
    """Fatal: the handshake was refused or timed out, or an encrypted payload failed."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WritableChanged(Event):
    """Outgoing back-pressure crossed a water mark; stop writing while ``writable`` is False."""

    writable: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRejected(Event):
    """An inbound frame was dropped (malformed, bad digest, unexpected); for logging."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicationPaused(Event):
    """The service sent pause_publication; stream data is held (§3, §9.7)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicationResumed(Event):
    """start_publication or other inbound traffic ended a pause (§14.1 item 8)."""

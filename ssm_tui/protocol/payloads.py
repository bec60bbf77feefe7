"""Typed forms of the JSON and small binary payloads (§4-§6), with strict parsing of peer input."""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, TypeVar

from .errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "AGENT_SESSION_TYPES",
    "Acknowledgement",
    "ActionStatus",
    "ActionType",
    "ChannelClosedPayload",
    "EncryptionChallenge",
    "Flag",
    "HandshakeComplete",
    "HandshakeRequest",
    "HandshakeResponse",
    "OpenDataChannel",
    "ProcessedClientAction",
    "RequestedClientAction",
    "TerminalSize",
    "decode_exit_code",
    "decode_flag",
    "encode_exit_code",
    "encode_flag",
]

#: The session types a client knows how to run (§10.1).
AGENT_SESSION_TYPES = frozenset(
    {"Standard_Stream", "InteractiveCommands", "NonInteractiveCommands", "Port"}
)


class Flag(IntEnum):
    """Codes of the Flag payload (§5.2)."""

    DISCONNECT_TO_PORT = 1
    TERMINATE_SESSION = 2
    CONNECT_TO_PORT_ERROR = 3


class ActionStatus(IntEnum):
    """ActionStatus in a HandshakeResponse (§6.5)."""

    SUCCESS = 1
    FAILED = 2
    UNSUPPORTED = 3


class ActionType:
    """The RequestedClientAction types of §6.4."""

    SESSION_TYPE = "SessionType"
    KMS_ENCRYPTION = "KMSEncryption"


_T = TypeVar("_T")


def _load(data: bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise RemoteProtocolError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise RemoteProtocolError(f"{what} is not a JSON object")
    return obj


def _get(obj: Mapping[str, Any], key: str, kind: type[_T], what: str, default: Any = ...) -> _T:
    """Fetch ``obj[key]`` as ``kind``; a missing key yields ``default`` when one is given."""
    if key not in obj or (obj[key] is None and default is not ...):
        if default is ...:
            raise RemoteProtocolError(f"{what} lacks {key}")
        return default  # type: ignore[no-any-return]
    value = obj[key]
    # bool is an int in Python; a JSON true is never a valid count.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RemoteProtocolError(f"{what}.{key} is not a {kind.__name__}")
    return value


def _actions(obj: Mapping[str, Any], key: str, what: str) -> Iterator[dict[str, Any]]:
    """The JSON objects listed under ``obj[key]`` (the handshake's action lists), in order."""
    for item in _get(obj, key, list, what, []):
        if not isinstance(item, dict):
            raise RemoteProtocolError(f"{what} action is not an object")
        yield item


def _dump(obj: Mapping[str, Any]) -> bytes:
    # §6: compact, like Go's encoding/json.
    return json.dumps(obj, separators=(",", ":")).encode()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RemoteProtocolError(f"{what} is not valid base64") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenDataChannel:
    """The first text frame on every connection (§6.1); client form, or agent form when
    ``client_instance_id`` is set."""

    token_value: str
    client_id: str
    request_id: str
    client_version: str | None = None
    client_instance_id: str | None = None
    message_schema_version: str = "1.0"

    def to_json(self) -> bytes:
        obj: dict[str, Any] = {
            "MessageSchemaVersion": self.message_schema_version,
            "RequestId": self.request_id,
            "TokenValue": self.token_value,
        }
        if self.client_instance_id is not None:
            obj["ClientInstanceId"] = self.client_instance_id
        obj["ClientId"] = self.client_id
        if self.client_version is not None:
            obj["ClientVersion"] = self.client_version
        return _dump(obj)

    @classmethod
    def from_json(cls, data: bytes) -> OpenDataChannel:
        what = "OpenDataChannel"
        obj = _load(data, what)
        return cls(
            message_schema_version=_get(obj, "MessageSchemaVersion", str, what, "1.0"),
            request_id=_get(obj, "RequestId", str, what, ""),
            token_value=_get(obj, "TokenValue", str, what),
            client_id=_get(obj, "ClientId", str, what, ""),
            # ClientVersion is only sent by plugins >= 1.2.677.0 (§6.1).
            client_version=_get(obj, "ClientVersion", str, what, None),
            client_instance_id=_get(obj, "ClientInstanceId", str, what, None),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    """The payload of an ``acknowledge`` message (§6.2)."""

    message_type: str
    message_id: str
    sequence_number: int
    is_sequential: bool = True

    def to_json(self) -> bytes:
        return _dump(
            {
                "AcknowledgedMessageType": self.message_type,
                "AcknowledgedMessageId": self.message_id,
                "AcknowledgedMessageSequenceNumber": self.sequence_number,
                "IsSequentialMessage": self.is_sequential,
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> Acknowledgement:
        what = "Acknowledge"
        obj = _load(data, what)
        # §6.2: receivers match only on the sequence number; the rest is informative.
        return cls(
            message_type=_get(obj, "AcknowledgedMessageType", str, what, ""),
            message_id=_get(obj, "AcknowledgedMessageId", str, what, ""),
            sequence_number=_get(obj, "AcknowledgedMessageSequenceNumber", int, what),
            is_sequential=_get(obj, "IsSequentialMessage", bool, what, True),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelClosedPayload:
    """The payload of a ``channel_closed`` message (§6.3)."""

    message_id: str
    created_date: str
    destination_id: str
    session_id: str
    output: str = ""
    message_type: str = "channel_closed"
    schema_version: int = 1

    def to_json(self) -> bytes:
        return _dump(
            {
                "MessageId": self.message_id,
                "CreatedDate": self.created_date,
                "DestinationId": self.destination_id,
                "SessionId": self.session_id,
                "MessageType": self.message_type,
                "SchemaVersion": self.schema_version,
                "Output": self.output,
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> ChannelClosedPayload:
        what = "channel_closed"
        obj = _load(data, what)
        return cls(
            message_id=_get(obj, "MessageId", str, what, ""),
            created_date=_get(obj, "CreatedDate", str, what, ""),
            destination_id=_get(obj, "DestinationId", str, what, ""),
            session_id=_get(obj, "SessionId", str, what, ""),
            message_type=_get(obj, "MessageType", str, what, "channel_closed"),
            schema_version=_get(obj, "SchemaVersion", int, what, 1),
            output=_get(obj, "Output", str, what, ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestedClientAction:
    """One action the agent asks of the client (§6.4)."""

    action_type: str
    action_parameters: Mapping[str, Any] = field(default_factory=dict)

    def to_obj(self) -> dict[str, Any]:
        return {"ActionType": self.action_type, "ActionParameters": dict(self.action_parameters)}


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeRequest:
    """PayloadType 5, agent → client (§6.4)."""

    agent_version: str
    requested_client_actions: Sequence[RequestedClientAction] = ()

    def to_json(self) -> bytes:
        return _dump(
            {
                "AgentVersion": self.agent_version,
                "RequestedClientActions": [a.to_obj() for a in self.requested_client_actions],
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> HandshakeRequest:
        what = "HandshakeRequest"
        obj = _load(data, what)
        actions = [
            RequestedClientAction(
                action_type=_get(item, "ActionType", str, what),
                action_parameters=_get(item, "ActionParameters", dict, what, {}),
            )
            for item in _actions(obj, "RequestedClientActions", what)
        ]
        return cls(
            agent_version=_get(obj, "AgentVersion", str, what, ""),
            requested_client_actions=tuple(actions),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessedClientAction:
    """The client's answer to one requested action (§6.5)."""

    action_type: str
    action_status: int
    action_result: Any = None
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeResponse:
    """PayloadType 6, client → agent (§6.5)."""

    client_version: str
    processed_client_actions: Sequence[ProcessedClientAction] = ()
    errors: Sequence[str] = ()

    def to_json(self) -> bytes:
        return _dump(
            {
                "ClientVersion": self.client_version,
                "ProcessedClientActions": [
                    {
                        "ActionType": a.action_type,
                        "ActionStatus": a.action_status,
                        "ActionResult": a.action_result,
                        "Error": a.error,
                    }
                    for a in self.processed_client_actions
                ],
                # §6.5: Go writes a nil slice as null.
                "Errors": list(self.errors) or None,
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> HandshakeResponse:
        what = "HandshakeResponse"
        obj = _load(data, what)
        actions = [
            ProcessedClientAction(
                action_type=_get(item, "ActionType", str, what),
                action_status=_get(item, "ActionStatus", int, what),
                action_result=item.get("ActionResult"),
                error=_get(item, "Error", str, what, ""),
            )
            for item in _actions(obj, "ProcessedClientActions", what)
        ]
        errors = _get(obj, "Errors", list, what, [])
        if not all(isinstance(e, str) for e in errors):
            raise RemoteProtocolError(f"{what}.Errors holds a non-string")
        return cls(
            client_version=_get(obj, "ClientVersion", str, what, ""),
            processed_client_actions=tuple(actions),
            errors=tuple(errors),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeComplete:
    """PayloadType 7, agent → client (§6.6)."""

    handshake_time_to_complete: int
    customer_message: str = ""

    def to_json(self) -> bytes:
        return _dump(
            {
                "HandshakeTimeToComplete": self.handshake_time_to_complete,
                "CustomerMessage": self.customer_message,
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> HandshakeComplete:
        what = "HandshakeComplete"
        obj = _load(data, what)
        return cls(
            handshake_time_to_complete=_get(obj, "HandshakeTimeToComplete", int, what, 0),
            customer_message=_get(obj, "CustomerMessage", str, what, ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptionChallenge:
    """PayloadTypes 8 and 9: an AES-GCM sealed challenge, base64 in JSON (§6.7)."""

    challenge: bytes

    def to_json(self) -> bytes:
        return _dump({"Challenge": base64.b64encode(self.challenge).decode()})

    @classmethod
    def from_json(cls, data: bytes) -> EncryptionChallenge:
        what = "EncryptionChallenge"
        obj = _load(data, what)
        return cls(challenge=_b64decode(_get(obj, "Challenge", str, what), f"{what}.Challenge"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminalSize:
    """PayloadType 3, client → agent (§6.8)."""

    cols: int
    rows: int

    def to_json(self) -> bytes:
        return _dump({"cols": self.cols, "rows": self.rows})

    @classmethod
    def from_json(cls, data: bytes) -> TerminalSize:
        what = "Size"
        obj = _load(data, what)
        cols = _get(obj, "cols", int, what)
        rows = _get(obj, "rows", int, what)
        if not (0 <= cols < 2**32 and 0 <= rows < 2**32):
            raise RemoteProtocolError(f"{what} is outside uint32")
        return cls(cols=cols, rows=rows)


_FLAG = struct.Struct(">I")


def encode_flag(flag: int) -> bytes:
    """A Flag payload: 4 bytes, uint32 big-endian (§5.2)."""
    if not 0 <= flag < 2**32:
        raise LocalProtocolError(f"flag {flag} is outside uint32")
    return _FLAG.pack(flag)


def decode_flag(payload: bytes) -> int:
    """The flag code of a Flag payload; a known code comes back as :class:`Flag`."""
    if len(payload) != 4:
        raise RemoteProtocolError(f"Flag payload is {len(payload)} bytes, not 4")
    (code,) = _FLAG.unpack(payload)
    try:
        return Flag(code)
    except ValueError:
        return int(code)


_EXIT_CODE_PREFIX = b"EXIT_CODE: "


def encode_exit_code(exit_code: int) -> bytes:
    """The ExitCode payload text ``EXIT_CODE: <n>`` (§4)."""
    return _EXIT_CODE_PREFIX + str(exit_code).encode()


def decode_exit_code(payload: bytes) -> int:
    """Parse ``EXIT_CODE: <n>``; surrounding whitespace is tolerated."""
    text = payload.strip()
    if not text.startswith(_EXIT_CODE_PREFIX):
        raise RemoteProtocolError("ExitCode payload lacks the EXIT_CODE: prefix")
    digits = text[len(_EXIT_CODE_PREFIX) :].strip()
    # int() would accept "1_000" and Unicode digits; the agent only writes ASCII decimal.
    body = digits[1:] if digits[:1] == b"-" else digits
    if not body or not body.isdigit() or len(body) > 20:
        raise RemoteProtocolError("ExitCode payload is not a decimal integer")
    return int(digits)

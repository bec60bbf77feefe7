"""What an in-order data payload means to each role (§4), as the event to emit."""

from __future__ import annotations

from collections.abc import Callable

from .encryption import SessionCipher
from .errors import RemoteProtocolError
from .events import (
    DataReceived,
    Event,
    ExitCodeReceived,
    FlagReceived,
    MessageRejected,
    SessionFailed,
    SizeReceived,
    StderrReceived,
)
from .message import PayloadType
from .payloads import TerminalSize, decode_exit_code, decode_flag
from .role import Role

__all__ = ["EVENT_MAKERS", "payload_event"]

_P = PayloadType
EventMakers = dict[int, Callable[[bytes], Event]]


def _size_received(payload: bytes) -> SizeReceived:
    size = TerminalSize.from_json(payload)
    return SizeReceived(cols=size.cols, rows=size.rows)


#: Role -> PayloadType -> how its plain payload becomes an event; a maker raises
#: RemoteProtocolError for a malformed payload. Anything not listed is unexpected.
EVENT_MAKERS: dict[Role, EventMakers] = {
    Role.CLIENT: {
        _P.OUTPUT: lambda p: DataReceived(data=p),
        _P.STDERR: lambda p: StderrReceived(data=p),
        _P.EXIT_CODE: lambda p: ExitCodeReceived(exit_code=decode_exit_code(p)),
        _P.FLAG: lambda p: FlagReceived(flag=decode_flag(p)),
    },
    Role.AGENT: {
        _P.OUTPUT: lambda p: DataReceived(data=p),
        _P.SIZE: _size_received,
        _P.FLAG: lambda p: FlagReceived(flag=decode_flag(p)),
    },
}


def payload_event(
    makers: EventMakers, cipher: SessionCipher | None, payload_type: int, payload: bytes
) -> Event:
    """The event for one payload, opened first when §4 says the peer sealed it.

    A payload that cannot be opened is fatal (``SessionFailed``, §8); an unexpected or
    malformed one is only dropped (``MessageRejected``).
    """
    make_event = makers.get(payload_type)
    if make_event is None:
        return MessageRejected(reason=f"unexpected payload type {payload_type}")
    if cipher is not None:
        try:
            payload = cipher.open(payload_type, payload)
        except RemoteProtocolError as exc:
            return SessionFailed(reason=f"cannot decrypt payload type {payload_type}: {exc}")
    try:
        return make_event(payload)
    except RemoteProtocolError as exc:
        return MessageRejected(reason=str(exc))

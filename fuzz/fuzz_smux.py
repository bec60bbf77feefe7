"""Atheris harness: any bytes fed to a MuxSession raise nothing but RemoteProtocolError.

Run with ``pip install atheris`` then ``python fuzz/fuzz_smux.py -max_total_time=600``.
Without atheris the module still imports, so ``test_one_input`` can be smoke-tested.

Input layout (left to atheris to mutate): byte 0 picks the role and keepalive, byte 1 the
chunk size the rest is fed in (frames then straddle ``receive_data`` calls), the rest is
the peer's byte stream. The session also answers what it sees, so the sending paths run.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from typing import Any

atheris: Any
try:
    atheris = importlib.import_module("atheris")
except ImportError:  # pragma: no cover - the harness is only run where atheris exists
    atheris = None

_instrumented = atheris.instrument_imports() if atheris else contextlib.nullcontext()
with _instrumented:
    from ssm_tui.protocol.errors import RemoteProtocolError
    from ssm_tui.protocol.smux import MuxRole, MuxSession, StreamEnded, StreamOpened

T0 = 1_700_000_000.0


def test_one_input(data: bytes) -> None:
    """Feed one input; anything but RemoteProtocolError escapes and is a finding."""
    if len(data) < 2:
        return
    role = MuxRole.SERVER if data[0] & 1 else MuxRole.CLIENT
    session = MuxSession(role, keepalive=bool(data[0] & 2), max_frame_size=1 + data[0])
    step = data[1] + 1
    stream = data[2:]
    if role is MuxRole.CLIENT and data[0] & 4:
        session.open_stream(now=T0)
    try:
        for position in range(0, len(stream), step):
            now = T0 + position  # time advances so keepalive NOPs and timeouts fire too
            session.receive_data(stream[position : position + step], now=now)
            for event in session.events():
                if isinstance(event, StreamOpened):
                    session.send(event.stream_id, stream[:step], now=now)
                elif isinstance(event, StreamEnded):
                    session.close_stream(event.stream_id, now=now)
            session.handle_timer(now=now)
            session.data_to_send()
    except RemoteProtocolError:
        if not session.closed:
            raise AssertionError("a protocol error must close the session") from None


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - needs atheris
    if atheris is None:
        raise SystemExit("atheris is not installed: pip install atheris")
    atheris.Setup(sys.argv if argv is None else argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":  # pragma: no cover
    main()

"""Coverage-guided fuzzing of the decoder and both DataChannel roles with atheris.

Run with ``make fuzz`` (which installs atheris), or directly:
``.venv/bin/python fuzz/fuzz_decoder.py -max_total_time=60``. The only exception the
decoder may raise is RemoteProtocolError; a DataChannel may raise nothing at all.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found, unused-ignore]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from ssm_tui.protocol.channel import DataChannel, Role
    from ssm_tui.protocol.errors import RemoteProtocolError
    from ssm_tui.protocol.message import decode_message

NOW = 1_700_000_000.0


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    mode = provider.ConsumeIntInRange(0, 3)
    raw = provider.ConsumeBytes(provider.remaining_bytes())
    if mode < 2:
        with contextlib.suppress(RemoteProtocolError):
            decode_message(raw, verify_digest=mode == 0)
        return
    role = Role.CLIENT if mode == 2 else Role.AGENT
    channel = DataChannel(role, session_id="s", target="i", session_type="Port")
    if role is Role.AGENT:
        channel.start(now=NOW)
    # Split the input into several frames so sequences of messages are explored too.
    for index, piece in enumerate(raw.split(b"\xf0\x9f\x92\xa5")):
        channel.receive_message(piece, now=NOW + index)
        channel.handle_timer(now=NOW + index)
        channel.events()
        channel.messages_to_send()


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

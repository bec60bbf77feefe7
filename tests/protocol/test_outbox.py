"""The outbox owns the session cipher: set once by the handshake, never replaced."""

from __future__ import annotations

import pytest

from ssm_tui.protocol.encryption import SessionCipher
from ssm_tui.protocol.errors import LocalProtocolError
from ssm_tui.protocol.message import MessageType
from ssm_tui.protocol.outbox import Outbox
from ssm_tui.protocol.role import Role


def test_a_session_has_one_data_key() -> None:
    outbox = Outbox(
        MessageType.OUTPUT_STREAM_DATA,
        acked_type=MessageType.INPUT_STREAM_DATA,
        flag_first=True,
        high_water=1 << 20,
        low_water=1 << 18,
    )
    first = SessionCipher(bytes(64), Role.AGENT)
    outbox.encrypt_with(first)
    with pytest.raises(LocalProtocolError):
        outbox.encrypt_with(SessionCipher(bytes(range(64)), Role.AGENT))
    assert outbox.cipher is first

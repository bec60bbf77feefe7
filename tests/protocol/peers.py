"""Test helpers: hand-made frames, a fake KMS, and a client/agent pair on a perfect link."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import (
    DataKeyDecryptionRequested,
    DataKeyRequested,
    Event,
)
from ssm_tui.protocol.message import Message, build_frame, decode_message, new_message_id

from .link import START, Clock

SESSION = "s-0123456789abcdef0"
TARGET = "i-0123456789abcdef0"


def client(**options: Any) -> DataChannel:
    """A client-role channel for SESSION on TARGET."""
    return DataChannel(Role.CLIENT, session_id=SESSION, target=TARGET, **options)


def agent(**options: Any) -> DataChannel:
    """An agent-role channel for SESSION on TARGET (start it with ``start(now=...)``)."""
    return DataChannel(Role.AGENT, session_id=SESSION, target=TARGET, **options)


def running_agent(**options: Any) -> DataChannel:
    """An agent started at START on a plain shell (no handshake), its events drained."""
    channel = agent(**options)
    channel.start(now=START)
    channel.events()
    return channel


def frame(
    seq: int,
    payload: bytes = b"hi",
    *,
    payload_type: int = 1,
    message_type: str = "output_stream_data",
    now: float = START,
    flags: int = 0,
) -> bytes:
    return build_frame(
        message_type,
        sequence_number=seq,
        payload=payload,
        created_date=int(now * 1000),
        payload_type=payload_type,
        flags=flags,
        message_id=new_message_id(),
    )


def decoded(frames: list[bytes]) -> list[Message]:
    return [decode_message(f) for f in frames]


def acked(frames: list[bytes]) -> list[int]:
    """The sequence numbers acknowledged by these frames."""
    return [
        json.loads(m.payload)["AcknowledgedMessageSequenceNumber"]
        for m in decoded(frames)
        if m.message_type == "acknowledge"
    ]


def stream(frames: list[bytes]) -> list[Message]:
    return [m for m in decoded(frames) if m.message_type.endswith("_stream_data")]


def ack_of(message: Message, *, now: float = START) -> bytes:
    body = json.dumps(
        {
            "AcknowledgedMessageType": str(message.message_type),
            "AcknowledgedMessageId": str(message.message_id),
            "AcknowledgedMessageSequenceNumber": message.sequence_number,
            "IsSequentialMessage": True,
        }
    ).encode()
    return frame(0, body, payload_type=0, message_type="acknowledge", now=now, flags=3)


class FakeKms:
    """GenerateDataKey/Decrypt with the encryption context checked, like the real service."""

    def __init__(self) -> None:
        self._keys: dict[bytes, tuple[bytes, dict[str, str]]] = {}

    def generate(self, context: Mapping[str, str]) -> tuple[bytes, bytes]:
        plaintext, blob = os.urandom(64), b"blob-" + os.urandom(16)
        self._keys[blob] = (plaintext, dict(context))
        return plaintext, blob

    def decrypt(self, blob: bytes, context: Mapping[str, str]) -> bytes:
        plaintext, expected = self._keys[blob]
        assert dict(context) == expected
        return plaintext


class Pair:
    """A client and an agent joined by a perfect, instant link on a fake clock."""

    def __init__(self, **agent_options: Any) -> None:
        self.clock = Clock()
        self.kms = FakeKms()
        self.client = client()
        self.agent = agent(**agent_options)
        self.client_events: list[Event] = []
        self.agent_events: list[Event] = []

    def exchange(self) -> None:
        """Deliver everything both ways and answer KMS requests until the link is quiet."""
        now = self.clock.now
        while True:
            moved = False
            for src, dst in ((self.client, self.agent), (self.agent, self.client)):
                for raw in src.messages_to_send():
                    moved = True
                    dst.receive_message(raw, now=now)
            for channel, sink in (
                (self.client, self.client_events),
                (self.agent, self.agent_events),
            ):
                for event in channel.events():
                    sink.append(event)
                    if isinstance(event, DataKeyRequested):
                        plaintext, blob = self.kms.generate(event.encryption_context)
                        channel.provide_data_key(plaintext=plaintext, ciphertext_blob=blob, now=now)
                    elif isinstance(event, DataKeyDecryptionRequested):
                        plaintext = self.kms.decrypt(
                            event.ciphertext_blob, event.encryption_context
                        )
                        channel.provide_data_key(plaintext, now=now)
            if not moved:
                return

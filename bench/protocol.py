"""Throughput of the protocol core on one core: codec rates and in-memory transfer.

Times are CPU seconds of this process (``time.process_time``), so a busy machine skews
them less than wall time would.

Plain script; prints figures, never passes or fails. Run: .venv/bin/python bench/protocol.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import DataReceived
from ssm_tui.protocol.message import (
    Message,
    MessageType,
    PayloadType,
    build_frame,
    decode_message,
    encode_message,
    new_message_id,
)

NOW = 1_700_000_000.0
PAYLOAD = os.urandom(1024)


def rate(label: str, count: int, body: Callable[[], None]) -> None:
    start = time.process_time()
    body()
    elapsed = time.process_time() - start
    print(f"{label:<44} {count / elapsed:>12,.0f} msg/s")


def output_frames(count: int) -> list[bytes]:
    return [
        build_frame(
            MessageType.OUTPUT_STREAM_DATA,
            sequence_number=seq,
            payload=PAYLOAD,
            created_date=int(NOW * 1000),
            payload_type=PayloadType.OUTPUT,
            message_id=new_message_id(),
        )
        for seq in range(count)
    ]


def bench_encode(count: int) -> None:
    message = Message(
        message_type=MessageType.INPUT_STREAM_DATA,
        sequence_number=1,
        payload=PAYLOAD,
        created_date=int(NOW * 1000),
        payload_type=PayloadType.OUTPUT,
    )

    def body() -> None:
        for _ in range(count):
            encode_message(message)

    rate("encode_message (1 KiB Output)", count, body)


def bench_decode(count: int) -> None:
    frames = output_frames(count)

    def body() -> None:
        for raw in frames:
            decode_message(raw, verify_digest=True)

    rate("decode_message + verify (1 KiB Output)", count, body)


def bench_receive(count: int) -> None:
    frames = output_frames(count)
    channel = DataChannel(Role.CLIENT, session_id="s", target="i")

    def body() -> None:
        receive = channel.receive_message
        for raw in frames:
            receive(raw, now=NOW)
        channel.events()
        channel.messages_to_send()

    rate("client decode + verify + ack (in order)", count, body)


def bench_transfer(total: int, payload_size: int) -> None:
    client = DataChannel(
        Role.CLIENT,
        session_id="s",
        target="i",
        max_payload_size=payload_size,
        high_water=8 << 20,
        low_water=2 << 20,
    )
    agent = DataChannel(Role.AGENT, session_id="s", target="i", max_payload_size=payload_size)
    agent.start(now=NOW)
    agent.send_data(b"$ ", now=NOW)
    for raw in agent.messages_to_send():
        client.receive_message(raw, now=NOW)
    for raw in client.messages_to_send():
        agent.receive_message(raw, now=NOW)
    agent.messages_to_send()
    client.events()
    agent.events()
    chunk = os.urandom(256 * 1024)
    received = 0
    start = time.process_time()
    sent = 0
    while received < total:
        while sent < total and client.writable:
            client.send_data(chunk, now=NOW)
            sent += len(chunk)
        for raw in client.messages_to_send():
            agent.receive_message(raw, now=NOW)
        for raw in agent.messages_to_send():
            client.receive_message(raw, now=NOW)
        for event in agent.events():
            if isinstance(event, DataReceived):
                received += len(event.data)
        client.events()
    elapsed = time.process_time() - start
    print(
        f"client->agent transfer, {payload_size // 1024:>3} KiB payloads"
        f"{'':<13} {total / elapsed / 1e6:>12,.1f} MB/s"
    )


def main() -> None:
    print(f"python {sys.version.split()[0]}, one core, {len(PAYLOAD)}-byte payloads")
    bench_encode(100_000)
    bench_decode(100_000)
    bench_receive(100_000)
    bench_transfer(64 << 20, 64 * 1024)
    bench_transfer(8 << 20, 1024)


if __name__ == "__main__":
    main()

"""Throughput of the protocol core on one core: codec rates and in-memory transfer.

Every figure is CPU time of this process (``time.process_time``), the best of several
runs, so a busy machine skews it less than wall time would; the load average is printed
so a reader can judge what remains. Each line gives messages and payload megabytes
(10**6 bytes) per CPU second.

Plain script; prints figures, never passes or fails.
Run: .venv/bin/python bench/protocol.py [--repeat N]
"""

from __future__ import annotations

import argparse
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


def best_cpu_seconds(repeat: int, run: Callable[[], Callable[[], object]]) -> float:
    """The fastest of ``repeat`` timed bodies; ``run`` sets one up untimed and returns it."""
    best = float("inf")
    for _ in range(repeat):
        body = run()
        start = time.process_time()
        body()
        best = min(best, time.process_time() - start)
    return best


def report(label: str, messages: int, payload_bytes: int, seconds: float) -> None:
    rate, throughput = messages / seconds, payload_bytes / seconds / 1e6
    print(f"{label:<48} {rate:>11,.0f} msg/s {throughput:>9,.1f} MB/s")


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


def bench_encode(count: int, repeat: int) -> None:
    message = Message(
        message_type=MessageType.INPUT_STREAM_DATA,
        sequence_number=1,
        payload=PAYLOAD,
        created_date=int(NOW * 1000),
        payload_type=PayloadType.OUTPUT,
    )

    def run() -> Callable[[], None]:
        def body() -> None:
            for _ in range(count):
                encode_message(message)

        return body

    seconds = best_cpu_seconds(repeat, run)
    report("encode_message, 1 KiB Output", count, count * len(PAYLOAD), seconds)


def bench_decode(count: int, repeat: int) -> None:
    frames = output_frames(count)

    def run() -> Callable[[], None]:
        def body() -> None:
            for raw in frames:
                decode_message(raw, verify_digest=True)

        return body

    seconds = best_cpu_seconds(repeat, run)
    report("decode_message + verify, 1 KiB Output", count, count * len(PAYLOAD), seconds)


def bench_receive(count: int, repeat: int) -> None:
    """The client's inbound hot path: decode, verify the digest, ack, emit DataReceived."""
    frames = output_frames(count)

    def run() -> Callable[[], None]:
        channel = DataChannel(Role.CLIENT, session_id="s", target="i")

        def body() -> None:
            receive = channel.receive_message
            for raw in frames:
                receive(raw, now=NOW)
            channel.events()
            channel.messages_to_send()

        return body

    seconds = best_cpu_seconds(repeat, run)
    report("client decode + verify + ack, in order, 1 KiB", count, count * len(PAYLOAD), seconds)


def bench_transfer(total: int, payload_size: int, repeat: int) -> None:
    """Client to agent through both channels in memory: send, decode, ack, read the ack."""

    def run() -> Callable[[], None]:
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

        def body() -> None:
            received = sent = 0
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

        return body

    seconds = best_cpu_seconds(repeat, run)
    label = f"client->agent transfer, {payload_size // 1024} KiB payloads"
    report(label, total // payload_size, total, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; best is kept")
    repeat = parser.parse_args().repeat
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load}; "
        f"CPU time of one core, best of {repeat}"
    )
    bench_encode(100_000, repeat)
    bench_decode(100_000, repeat)
    bench_receive(100_000, repeat)
    bench_transfer(64 << 20, 64 * 1024, repeat)
    bench_transfer(8 << 20, 1024, repeat)


if __name__ == "__main__":
    main()

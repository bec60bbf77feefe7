"""smux riding on a client/agent DataChannel pair over a lossy, reordering link (§11.3)."""

from __future__ import annotations

import random

import pytest

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import DataReceived, SessionStarted
from ssm_tui.protocol.smux import (
    MuxRole,
    MuxSession,
    StreamDataReceived,
    StreamEnded,
    StreamOpened,
)
from ssm_tui.protocol.versions import (
    CLIENT_VERSION,
    agent_sends_keepalive,
    agent_uses_mux,
    client_sends_keepalive,
    client_uses_mux,
)
from tests.protocol.link import Clock, Link, run

AGENT_VERSION = "3.3.1142.0"
PROPERTIES = {"type": "LocalPortForwarding", "portNumber": "80", "localPortNumber": "0"}


class Side:
    """One end: a DataChannel with a MuxSession created once the session starts."""

    def __init__(self, channel: DataChannel, role: MuxRole) -> None:
        self.channel = channel
        self.role = role
        self.mux: MuxSession | None = None

    def pump(self, now: float) -> list[object]:
        """Feed channel data into the mux, return mux events, push mux bytes out."""
        mux_events: list[object] = []
        for event in self.channel.events():
            if isinstance(event, SessionStarted):
                assert event.session_type == "Port"
                if self.role is MuxRole.CLIENT:
                    assert client_uses_mux(event.agent_version or "", PROPERTIES["type"])
                    keepalive = client_sends_keepalive(event.agent_version or "")
                else:
                    assert agent_uses_mux(event.client_version or "", PROPERTIES["type"])
                    keepalive = agent_sends_keepalive(event.client_version or "")
                assert not keepalive  # modern versions on both sides
                self.mux = MuxSession(self.role, keepalive=keepalive)
            elif isinstance(event, DataReceived):
                assert self.mux is not None
                self.mux.receive_data(event.data, now=now)
        if self.mux is not None:
            mux_events = list(self.mux.events())
            outgoing = self.mux.data_to_send()
            if outgoing:
                self.channel.send_data(outgoing, now=now)
        return mux_events


@pytest.mark.parametrize("seed", [1, 2])
def test_several_streams_cross_a_lossy_data_channel_byte_exact(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock()
    uploads = [rng.randbytes(size) for size in (1, 700, 5_000, 40_000, 90_000)]
    client = Side(
        DataChannel(Role.CLIENT, session_id="s-1", target="i-1", client_version=CLIENT_VERSION),
        MuxRole.CLIENT,
    )
    agent = Side(
        DataChannel(
            Role.AGENT,
            session_id="s-1",
            target="i-1",
            session_type="Port",
            properties=PROPERTIES,
            agent_version=AGENT_VERSION,
        ),
        MuxRole.SERVER,
    )
    agent.channel.start(now=clock.now)
    faults = {"drop": 0.1, "duplicate": 0.05, "reorder": 0.1, "delay": 0.05}
    up: Link[bytes] = Link(rng=random.Random(seed * 7), **faults)  # type: ignore[arg-type]
    down: Link[bytes] = Link(rng=random.Random(seed * 11), **faults)  # type: ignore[arg-type]

    stream_ids: list[int] = []
    at_agent: dict[int, bytearray] = {}
    echoed: dict[int, bytearray] = {}
    ended_at_client: set[int] = set()

    def react() -> None:
        now = clock.now
        for event in agent.pump(now):
            assert agent.mux is not None
            if isinstance(event, StreamOpened):
                at_agent[event.stream_id] = bytearray()
            elif isinstance(event, StreamDataReceived):
                at_agent[event.stream_id] += event.data
                agent.mux.send(event.stream_id, event.data[::-1], now=now)  # reply per frame
            elif isinstance(event, StreamEnded):
                agent.mux.close_stream(event.stream_id, now=now)
        for event in client.pump(now):
            assert client.mux is not None
            if isinstance(event, StreamDataReceived):
                echoed.setdefault(event.stream_id, bytearray()).extend(event.data)
            elif isinstance(event, StreamEnded):
                ended_at_client.add(event.stream_id)
        if client.mux is not None and not stream_ids:
            stream_ids.extend(client.mux.open_stream(now=now) for _ in uploads)
            # Round-robin slices, so the streams' frames interleave on the wire.
            for start in range(0, max(map(len, uploads)), 10_000):
                for stream_id, data in zip(stream_ids, uploads, strict=True):
                    client.mux.send(stream_id, data[start : start + 10_000], now=now)
            for stream_id in stream_ids:
                client.mux.close_stream(stream_id, now=now)
            client.pump(now)

    def done() -> bool:
        return (
            len(ended_at_client) == len(uploads)
            and client.channel.unacked_count == 0
            and agent.channel.unacked_count == 0
        )

    run(
        client.channel,
        agent.channel,
        a_to_b=up,
        b_to_a=down,
        clock=clock,
        until=done,
        react=react,
    )

    assert up.dropped and down.dropped  # the link really lost frames
    assert stream_ids == [3, 5, 7, 9, 11]
    for stream_id, data in zip(stream_ids, uploads, strict=True):
        assert at_agent[stream_id] == data
        # The agent reversed each PSH frame's data: the client's 10 000-byte slices.
        frames = [data[i : i + 10_000] for i in range(0, len(data), 10_000)]
        assert echoed[stream_id] == b"".join(frame[::-1] for frame in frames)
    assert client.mux is not None and agent.mux is not None
    assert client.mux.open_stream_count == 0
    assert agent.mux.open_stream_count == 0

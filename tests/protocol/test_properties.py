"""Two DataChannels on a faulty simulated network deliver both streams exactly once, in order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import (
    DataKeyDecryptionRequested,
    DataKeyRequested,
    DataReceived,
    Event,
    MessageRejected,
    SessionFailed,
    SessionStarted,
)

from .link import Clock, Link, run
from .peers import SESSION, TARGET, FakeKms

PROPERTY = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Faults:
    drop: float
    duplicate: float
    reorder: float
    delay: float


faults = st.builds(
    Faults,
    drop=st.sampled_from([0.0, 0.05, 0.2, 0.35]),
    duplicate=st.sampled_from([0.0, 0.1, 0.3]),
    reorder=st.sampled_from([0.0, 0.1, 0.5]),
    delay=st.sampled_from([0.0, 0.02, 0.3]),
)


@dataclass
class Session:
    """A client and an agent on a fake clock, with what each side received."""

    client: DataChannel
    agent: DataChannel
    clock: Clock = field(default_factory=Clock)
    kms: FakeKms = field(default_factory=FakeKms)
    received: dict[str, bytearray] = field(
        default_factory=lambda: {"client": bytearray(), "agent": bytearray()}
    )
    started: dict[str, SessionStarted] = field(default_factory=dict)
    outbox: dict[str, bytes] = field(default_factory=dict)

    def react(self) -> None:
        for name, channel in (("client", self.client), ("agent", self.agent)):
            for event in channel.events():
                self.handle(name, channel, event)
            # Write as the caller should: only while writable, in uneven pieces.
            while self.outbox[name] and channel.writable:
                piece, self.outbox[name] = self.outbox[name][:7000], self.outbox[name][7000:]
                channel.send_data(piece, now=self.clock.now)

    def handle(self, name: str, channel: DataChannel, event: Event) -> None:
        now = self.clock.now
        if isinstance(event, DataReceived):
            self.received[name] += event.data
        elif isinstance(event, SessionStarted):
            self.started[name] = event
        elif isinstance(event, DataKeyRequested):
            plaintext, blob = self.kms.generate(event.encryption_context)
            channel.provide_data_key(plaintext=plaintext, ciphertext_blob=blob, now=now)
        elif isinstance(event, DataKeyDecryptionRequested):
            channel.provide_data_key(
                self.kms.decrypt(event.ciphertext_blob, event.encryption_context), now=now
            )
        else:
            assert not isinstance(event, (SessionFailed, MessageRejected)), event


def exchange(
    upstream: bytes,
    downstream: bytes,
    *,
    seed: int,
    fault: Faults,
    session_type: str = "Standard_Stream",
    kms: bool = False,
    max_payload_size: int = 1024,
) -> Session:
    rng = random.Random(seed)
    session = Session(
        client=DataChannel(
            Role.CLIENT, session_id=SESSION, target=TARGET, max_payload_size=max_payload_size
        ),
        agent=DataChannel(
            Role.AGENT,
            session_id=SESSION,
            target=TARGET,
            session_type=session_type,
            kms_key_id="alias/ssm" if kms else None,
            max_payload_size=max_payload_size,
        ),
    )
    session.outbox = {"client": upstream, "agent": downstream}
    links = [
        Link[bytes](
            random.Random(rng.random()),
            drop=fault.drop,
            duplicate=fault.duplicate,
            reorder=fault.reorder,
            delay=fault.delay,
        )
        for _ in range(2)
    ]
    session.agent.start(now=session.clock.now)
    session.react()
    run(
        session.client,
        session.agent,
        a_to_b=links[0],
        b_to_a=links[1],
        clock=session.clock,
        react=session.react,
        until=lambda: (
            len(session.received["agent"]) >= len(upstream)
            and len(session.received["client"]) >= len(downstream)
            and not session.outbox["client"]
            and not session.outbox["agent"]
            and session.client.started
        ),
    )
    return session


def streams(max_size: int) -> st.SearchStrategy[bytes]:
    """Random bytes of a hypothesis-chosen size, cheap to make even at a megabyte."""
    return st.tuples(st.integers(0, max_size), st.integers(0, 2**32)).map(
        lambda t: random.Random(t[1]).randbytes(t[0])
    )


@PROPERTY
@given(
    upstream=streams(1 << 20),
    downstream=streams(1 << 20).filter(bool),  # a plain shell starts on the agent's first Output
    seed=st.integers(0, 2**32),
    fault=faults,
)
def test_plain_shell_streams_arrive_exactly_once_in_order(
    upstream: bytes, downstream: bytes, seed: int, fault: Faults
) -> None:
    session = exchange(upstream, downstream, seed=seed, fault=fault, max_payload_size=8192)
    assert bytes(session.received["agent"]) == upstream
    assert bytes(session.received["client"]) == downstream
    assert session.started["client"].session_type == "Standard_Stream"


@PROPERTY
@given(
    upstream=streams(200_000),
    downstream=streams(200_000),
    seed=st.integers(0, 2**32),
    fault=faults,
    session_type=st.sampled_from(["Port", "NonInteractiveCommands", "Standard_Stream"]),
    kms=st.booleans(),
)
def test_handshake_sessions_with_and_without_kms_deliver_both_streams(
    upstream: bytes, downstream: bytes, seed: int, fault: Faults, session_type: str, kms: bool
) -> None:
    if session_type == "Standard_Stream" and not kms and not downstream:
        downstream = b"$ "
    session = exchange(
        upstream, downstream, seed=seed, fault=fault, session_type=session_type, kms=kms
    )
    assert bytes(session.received["agent"]) == upstream
    assert bytes(session.received["client"]) == downstream
    encrypted = kms and session_type != "Port"
    assert session.started["client"].encrypted is encrypted
    assert session.started["agent"].encrypted is encrypted


def test_a_large_stream_over_a_lossy_link_with_default_payloads() -> None:
    data = random.Random(7).randbytes(4 << 20)
    fault = Faults(drop=0.1, duplicate=0.1, reorder=0.2, delay=0.05)
    session = exchange(data, data[:100_000], seed=11, fault=fault, kms=True)
    assert bytes(session.received["agent"]) == data
    assert session.client.unacked_count >= 0

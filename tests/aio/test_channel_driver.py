"""ChannelDriver on a real event loop: two drivers joined by an in-memory wire."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ssm_tui.aio.channel_driver import ChannelDriver
from ssm_tui.aio.frame_queue import FrameQueue
from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.events import DataReceived, Event, WritableChanged

SESSION = "s-0123456789abcdef0"
TARGET = "i-0123456789abcdef0"


class Wire:
    """One direction between two drivers: each frame reaches the peer on a later loop turn."""

    def __init__(
        self, peer: ChannelDriver[Wire], *, drop: Callable[[bytes], bool] | None = None
    ) -> None:
        self.peer = peer
        self.drop = drop
        self.sent: list[bytes] = []
        self.dropped = 0

    def send_frame(self, frame: bytes) -> None:
        self.sent.append(frame)
        if self.drop is not None and self.drop(frame):
            self.dropped += 1
            return
        asyncio.get_running_loop().call_soon(self._deliver, frame)

    def _deliver(self, frame: bytes) -> None:
        self.peer.channel.receive_message(frame, now=time.time())
        self.peer.transmit()


class Pair:
    """A client and a running plain-shell agent, each with a driver, not yet wired."""

    def __init__(self, **agent_options: Any) -> None:
        self.client_events: list[Event] = []
        self.agent_events: list[Event] = []
        client = DataChannel(Role.CLIENT, session_id=SESSION, target=TARGET)
        agent = DataChannel(Role.AGENT, session_id=SESSION, target=TARGET, **agent_options)
        self.client: ChannelDriver[Wire] = ChannelDriver(client, on_event=self.client_events.append)
        self.agent: ChannelDriver[Wire] = ChannelDriver(agent, on_event=self.agent_events.append)
        agent.start(now=time.time())
        self.agent.transmit()

    def wire(self, *, drop_output: Callable[[bytes], bool] | None = None) -> Wire:
        """Join both ways; returns the agent -> client wire."""
        to_client = Wire(self.client, drop=drop_output)
        self.agent.attach(to_client)
        self.client.attach(Wire(self.agent))
        return to_client

    def received(self) -> bytes:
        return b"".join(e.data for e in self.client_events if isinstance(e, DataReceived))

    def send(self, data: bytes) -> None:
        self.agent.channel.send_data(data, now=time.time())
        self.agent.transmit()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def is_output(frame: bytes) -> bool:
    return frame[4:36].strip() == b"output_stream_data"


async def test_output_reaches_the_peer_and_its_ack_comes_back() -> None:
    pair = Pair()
    pair.wire()
    pair.send(b"hello")
    async with asyncio.timeout(5):
        await pair.agent.wait_acked()
    assert pair.received() == b"hello"
    assert pair.agent.channel.unacked_count == 0


async def test_a_lost_frame_is_resent_when_the_one_timer_fires() -> None:
    lost: list[bytes] = []

    def drop_first_output(frame: bytes) -> bool:
        if is_output(frame) and not lost:
            lost.append(frame)
            return True
        return False

    pair = Pair()
    to_client = pair.wire(drop_output=drop_first_output)
    pair.send(b"again")
    await until(lambda: pair.received() == b"again")
    assert to_client.dropped == 1
    assert to_client.sent.count(lost[0]) == 2  # the same frame, resent as it was


async def test_frames_queued_without_a_link_are_resent_after_reconnected() -> None:
    pair = Pair()
    pair.send(b"while away")
    assert pair.agent.channel.unacked_count == 1
    to_client = pair.wire()
    pair.agent.channel.reconnected(now=time.time())
    pair.agent.transmit()
    assert [is_output(frame) for frame in to_client.sent] == [True]
    await until(lambda: pair.received() == b"while away")


async def test_writable_drops_above_the_high_water_mark_and_returns_with_the_acks() -> None:
    pair = Pair(high_water=8, low_water=0)
    pair.send(b"0123456789")
    assert not pair.agent.writable
    assert WritableChanged(writable=False) in pair.agent_events
    waiter = asyncio.ensure_future(pair.agent.wait_writable())
    await asyncio.sleep(0)
    assert not waiter.done()
    pair.wire()
    pair.agent.channel.reconnected(now=time.time())
    pair.agent.transmit()
    async with asyncio.timeout(5):
        await waiter
    assert pair.agent.writable


async def test_a_transmit_from_an_event_handler_is_folded_into_the_running_one() -> None:
    depth = 0
    deepest = 0
    echoed: list[bytes] = []

    def echo(event: Event) -> None:
        nonlocal depth, deepest
        depth += 1
        deepest = max(deepest, depth)
        if isinstance(event, DataReceived):
            echoed.append(event.data)
            driver.channel.send_data(event.data, now=time.time())
            driver.transmit()
        depth -= 1

    pair = Pair()
    client = pair.client.channel
    driver = pair.client = ChannelDriver(client, on_event=echo)
    pair.wire()
    pair.send(b"ping")
    await until(
        lambda: any(isinstance(e, DataReceived) and e.data == b"ping" for e in pair.agent_events)
    )
    assert echoed == [b"ping"]
    assert deepest == 1


async def test_stop_cancels_the_timer_and_wakes_every_waiter() -> None:
    pair = Pair(high_water=1, low_water=0)
    pair.send(b"never acked")
    acked = asyncio.ensure_future(pair.agent.wait_acked())
    writable = asyncio.ensure_future(pair.agent.wait_writable())
    await asyncio.sleep(0)
    assert not acked.done() and not writable.done()
    pair.agent.stop()
    async with asyncio.timeout(5):
        await asyncio.gather(acked, writable)
    to_client = pair.wire()
    await asyncio.sleep(0.5)  # past the 0.2 s initial RTO (§9.5): no resend comes
    assert to_client.sent == []
    assert pair.agent.stopped and pair.agent.channel.unacked_count == 1


async def test_frame_queue_hands_frames_to_the_writer_in_order() -> None:
    queue = FrameQueue()
    written: list[bytes] = []

    async def send(frame: bytes) -> None:
        await asyncio.sleep(0)
        written.append(frame)

    queue.send_frame(b"a")
    queue.send_frame(b"b")
    writer = asyncio.ensure_future(queue.write_to(send))
    await until(lambda: written == [b"a", b"b"])
    queue.send_frame(b"c")
    await until(lambda: len(written) == 3)
    writer.cancel()
    assert written == [b"a", b"b", b"c"]
    assert len(queue) == 0

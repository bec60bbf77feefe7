"""ChannelDriver: one DataChannel run on asyncio (events out, frames out, one timer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.events import Event, WritableChanged

__all__ = ["ChannelDriver", "EventHandler", "FrameLink"]

EventHandler = Callable[[Event], None]
"""Receives every event the channel produces, in order, synchronously."""


class FrameLink(Protocol):
    """The socket a channel's frames go out on right now."""

    def send_frame(self, frame: bytes) -> None:
        """Queue one binary frame, to be sent as one websocket message (§1.4)."""


LinkT = TypeVar("LinkT", bound=FrameLink)


class ChannelDriver(Generic[LinkT]):
    """Drives one ``DataChannel`` on the running loop, like aioquic's ``transmit()``.

    Call :meth:`transmit` after every call into the channel: it hands each event to
    ``on_event``, sends each frame to the attached link and re-arms ONE ``loop.call_at``
    timer on ``channel.get_timer()``. While no link is attached, frames are lost as on a
    dead network; the channel resends the sequenced ones after ``reconnected()`` (§9.8). The
    driver also tracks back-pressure (``WritableChanged``) and whether all is acknowledged.
    """

    def __init__(
        self,
        channel: DataChannel,
        *,
        on_event: EventHandler,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.channel = channel
        self._link: LinkT | None = None
        self._on_event = on_event
        self._clock = clock
        self._timer: asyncio.TimerHandle | None = None
        self._deadline: float | None = None
        self._transmitting = False
        self._again = False
        self._stopped = False
        self._writable = asyncio.Event()
        self._writable.set()
        self._acked = asyncio.Event()
        self._acked.set()

    @property
    def link(self) -> LinkT | None:
        """The socket frames go to now, or None."""
        return self._link

    def attach(self, link: LinkT) -> LinkT | None:
        """Send frames to ``link`` from now on; returns the link it replaces, if any."""
        previous, self._link = self._link, link
        return previous

    def detach(self) -> LinkT | None:
        """Drop frames until the next :meth:`attach`; returns the link that was attached."""
        previous, self._link = self._link, None
        return previous

    @property
    def writable(self) -> bool:
        """False between the channel's high and low water marks (or never, once stopped)."""
        return self._writable.is_set()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called: no timer is armed any more."""
        return self._stopped

    async def wait_writable(self) -> None:
        """Return once the channel takes more data, or the driver stopped."""
        await self._writable.wait()

    async def wait_acked(self) -> None:
        """Return once every sequenced frame sent is acknowledged, or the driver stopped."""
        while self.channel.unacked_count and not self._stopped:
            self._acked.clear()
            await self._acked.wait()

    def transmit(self) -> None:
        """Dispatch the channel's events, send its frames, and re-arm its timer.

        Re-entrant calls (from an event handler) are folded into the running one.
        """
        if self._transmitting:
            self._again = True
            return
        self._transmitting = True
        try:
            channel, on_event = self.channel, self._on_event
            self._again = True
            while self._again:
                self._again = False
                for event in channel.events():
                    if type(event) is WritableChanged:
                        self._track_writable(event.writable)
                    on_event(event)
                self.send_frames()
            if not channel.unacked_count:
                self._acked.set()
            self._arm_timer()
        finally:
            self._transmitting = False

    def send_frames(self) -> None:
        """Send the frames the channel queued, without dispatching events or re-arming."""
        frames = self.channel.messages_to_send()
        link = self._link
        if link is not None:
            for frame in frames:
                link.send_frame(frame)

    def stop(self) -> None:
        """Cancel the timer for good and wake every waiter: the channel is done with."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._writable.set()
        self._acked.set()

    def _track_writable(self, writable: bool) -> None:
        if writable:
            self._writable.set()
        elif not self._stopped:
            self._writable.clear()

    def _arm_timer(self) -> None:
        if self._stopped:
            return
        deadline = self.channel.get_timer()
        if deadline == self._deadline and (deadline is None or self._timer is not None):
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._deadline = deadline
        if deadline is not None:
            loop = asyncio.get_running_loop()
            when = loop.time() + max(0.0, deadline - self._clock())
            self._timer = loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._deadline = None
        self.channel.handle_timer(now=self._clock())
        self.transmit()

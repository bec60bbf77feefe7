"""FrameQueue: the frames one websocket has yet to send, emptied in order by a writer task."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["FrameQueue"]


class FrameQueue:
    """A ``FrameLink`` for one socket: ``send_frame`` queues, :meth:`write_to` sends.

    Make one per socket: frames queued for a socket that is gone are lost with it, and
    the channel resends the sequenced ones on the next (§9.8).
    """

    def __init__(self) -> None:
        self._frames: deque[bytes] = deque()
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._frames)

    def send_frame(self, frame: bytes) -> None:
        """Queue one frame; never blocks."""
        self._frames.append(frame)
        self._ready.set()

    async def write_to(self, send: Callable[[bytes], Awaitable[object]]) -> None:
        """Await ``send(frame)`` for every frame, in order, until cancelled or ``send`` raises."""
        frames = self._frames
        while True:
            while frames:
                await send(frames.popleft())
            self._ready.clear()
            await self._ready.wait()

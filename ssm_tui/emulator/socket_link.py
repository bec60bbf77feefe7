"""One websocket carrying a session's frames: ordered writes, planned faults, timed closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from aiohttp import web

from ssm_tui.emulator.fault_link import Delivery, FaultLink
from ssm_tui.protocol.message import MessageType, build_frame, new_message_id

_log = logging.getLogger(__name__)

_BYE_CODE = 1000
_BYE_MESSAGE = b"Bye"  # what the real service sends, aws/session-manager-plugin#135
# The payload of our publication messages; the real bytes are unknown (§16) and the
# official client skips validating them (§2.7 step 3). Encoders need a non-empty one.
_PUBLICATION_PAYLOAD = b"{}"


def publication_frame(message_type: MessageType) -> bytes:
    """A ``pause_publication`` or ``start_publication`` message (§3)."""
    return build_frame(
        message_type,
        sequence_number=0,
        payload=_PUBLICATION_PAYLOAD,
        created_date=int(time.time() * 1000),
        flags=3,
        message_id=new_message_id(),
    )


class SocketLink:
    """Writes a session's frames to one websocket in order, through a `FaultLink`.

    Inbound frames go to ``deliver`` (possibly late, twice or never, as the faults say).
    ``close_every`` closes the socket with 1000 "Bye"; ``pause`` sends pause_publication
    to both ends and start_publication shortly after (§3, §14 item 11).
    """

    def __init__(
        self,
        ws: web.WebSocketResponse,
        faults: FaultLink,
        *,
        deliver: Callable[[bytes], None],
    ) -> None:
        self._ws = ws
        self._faults = faults
        self._deliver = deliver
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._handles: set[asyncio.TimerHandle] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    def start(self) -> None:
        """Start the writer and the timed faults."""
        self._tasks.append(asyncio.create_task(self._write_loop()))
        if self._faults.close_interval is not None:
            self._later(self._faults.close_interval, self.close)
        if self._faults.pause_interval is not None:
            self._later(self._faults.pause_interval, self._pause)

    # -- FrameLink ----------------------------------------------------------------------

    def send_frame(self, frame: bytes) -> None:
        """Queue one frame for the client, after the outbound faults."""
        if self._closing:
            return
        self._schedule(self._faults.outbound(frame), self._queue.put_nowait)

    def close(self) -> None:
        """Close the socket with 1000 "Bye" once the frames queued so far are written."""
        if not self._closing:
            self._closing = True
            self._queue.put_nowait(None)

    # -- the read side ------------------------------------------------------------------

    def receive(self, frame: bytes) -> None:
        """One frame from the client, after the inbound faults."""
        self._schedule(self._faults.inbound(frame), self._deliver)

    async def shutdown(self) -> None:
        """Stop every timer and the writer (the socket is gone or going)."""
        self._closing = True
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # -- internals ----------------------------------------------------------------------

    def _schedule(self, deliveries: list[Delivery], target: Callable[[bytes], None]) -> None:
        for delivery in deliveries:
            if delivery.delay <= 0:
                target(delivery.frame)
            else:
                self._later(delivery.delay, target, delivery.frame)

    def _later(self, delay: float, callback: Callable[..., None], *args: bytes) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._handles.discard(handle)
            if not self._closing:
                callback(*args)

        handle = loop.call_later(delay, fire)
        self._handles.add(handle)

    def _pause(self) -> None:
        pause = publication_frame(MessageType.PAUSE_PUBLICATION)
        self._queue.put_nowait(pause)
        self._deliver(pause)  # the agent role stops publishing too (§3)
        self._later(self._faults.pause_length, self._resume)

    def _resume(self) -> None:
        start = publication_frame(MessageType.START_PUBLICATION)
        self._deliver(start)
        self._queue.put_nowait(start)
        if self._faults.pause_interval is not None:
            self._later(self._faults.pause_interval, self._pause)

    async def _write_loop(self) -> None:
        try:
            while (frame := await self._queue.get()) is not None:
                await self._ws.send_bytes(frame)
        except (ConnectionError, RuntimeError) as exc:
            _log.debug("data channel socket write failed: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                await self._ws.close(code=_BYE_CODE, message=_BYE_MESSAGE)

"""The incoming side of a channel: ordering, acks and delivery of stream messages (§9.2-9.3)."""

from __future__ import annotations

from collections.abc import Callable

from .events import DataReceived, SessionFailed
from .handshake_exchange import ChannelHooks, Exchange
from .message import Frame
from .outbox import Outbox
from .output_frame import read_output
from .payload_events import EventMakers, payload_event
from .sequencing import Arrival, ReceiveWindow

__all__ = ["Inbox"]


class Inbox:
    """Acks inbound stream messages, puts them in order and hands each payload on.

    Handshake payloads go to the role's exchange; data payloads become events. While
    paused (receive flow control), new messages stay unacked so the peer resends them.
    """

    def __init__(
        self,
        outbox: Outbox,
        exchange: Exchange,
        event_makers: EventMakers,
        hooks: ChannelHooks,
        *,
        is_closed: Callable[[], bool],
        capacity: int,
    ) -> None:
        self.window: ReceiveWindow[Frame] = ReceiveWindow(capacity=capacity)
        self._paused = False
        self._outbox = outbox
        self._exchange = exchange
        self._event_makers = event_makers
        self._emit, _, self._fail = hooks
        self._is_closed = is_closed

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused

    def pause(self) -> None:
        """Leave new stream messages unacked (and so with the peer) until :meth:`resume`."""
        self._paused = True

    def resume(self, now: float) -> None:
        """Take messages again, delivering those already stored whose turn has come."""
        self._paused = False
        self.drain(now)

    def receive_output(self, raw: bytes, now: float) -> bool:
        """The lean path: take ``raw`` if it is the next Output, else False (decode it fully).

        Only for a running, unpaused, unencrypted client, which delivers Output as is.
        """
        window = self.window
        output = read_output(raw, window.expected)
        if output is None:
            return False
        wire_id, payload = output
        self._outbox.send_ack(wire_id, window.expected, now=now)
        held = window.advance()
        self._emit(DataReceived(data=payload))
        if held:
            self.drain(now)
        return True

    def receive(self, frame: Frame, now: float) -> None:
        """One decoded stream message of the type this role receives."""
        window = self.window
        seq = frame.sequence_number
        if seq == window.expected and not self._paused and self._exchange.ready(frame.payload_type):
            self._ack(frame, now)
            held = window.advance()
            self._dispatch(frame, now)
            if held:
                self.drain(now)
            return
        arrival = window.classify(seq)
        if arrival is Arrival.DUPLICATE:
            self._ack(frame, now)  # §9.2: unlike the plugin, re-ack so a lost ack heals
        elif self._paused:
            return
        elif arrival is Arrival.EARLY and window.store(seq, frame):
            self._ack(frame, now)  # §9.2: ack early arrivals as they are stored
        # else: §9.2 not ready, or no room: no ack, no advance; the peer retransmits.

    def drain(self, now: float) -> None:
        """Deliver stored early arrivals whose turn has come, while delivery may go on."""
        window = self.window
        while not self._is_closed() and not self._paused:
            frame = window.peek()
            if frame is None or not self._exchange.ready(frame.payload_type):
                return
            window.advance()
            self._dispatch(frame, now)

    def _dispatch(self, frame: Frame, now: float) -> None:
        payload_type, payload = frame.payload_type, frame.payload
        exchange = self._exchange
        if payload_type in exchange.payload_types:
            exchange.receive(payload_type, payload, now)
        elif exchange.accepts_data():
            exchange.data_arrived(now)
            event = payload_event(self._event_makers, self._outbox.cipher, payload_type, payload)
            if isinstance(event, SessionFailed):
                self._fail(event.reason)  # §8: a payload that cannot be opened is fatal
            else:
                self._emit(event)

    def _ack(self, frame: Frame, now: float) -> None:
        canonical = frame.message_id
        # §2.3: back to the wire's half order, which is what the ack encoder reads.
        self._outbox.send_ack(canonical[8:] + canonical[:8], frame.sequence_number, now=now)

"""A DataChannel's life as a table: its states, the inputs that move it, and which are allowed."""

from __future__ import annotations

from enum import Enum

from .errors import LocalProtocolError
from .role import Role

__all__ = ["TRANSITIONS", "ChannelInput", "ChannelState", "Lifecycle"]


class ChannelState(Enum):
    """Where a channel is in its life; each state says what it lets through."""

    # value: (label, is_open, flowing, paused)
    OPENING = ("opening", True, False, False)  # before SessionStarted: stream data is held
    OPENING_PAUSED = ("opening, publication paused", True, False, True)
    RUNNING = ("running", True, True, False)  # SessionStarted: data flows both ways
    RUNNING_PAUSED = ("running, publication paused", True, False, True)  # §3
    CLOSED = ("closed", False, False, False)  # over: input ignored, send_* raise
    CLOSE_SENT = ("closed, channel_closed sent", False, False, False)  # agent only (§6.3)

    def __init__(self, label: str, is_open: bool, flowing: bool, paused: bool) -> None:
        self.label = label
        self.is_open = is_open  # the channel takes input and sends
        self.flowing = flowing  # held stream data is released (started, not paused)
        self.paused = paused  # §3: the service paused publication; no data, no resends


class ChannelInput(Enum):
    """What moves a channel from one state to the next."""

    START = "start"  # SessionStarted: the handshake finished, or none was needed
    PAUSE = "pause publication"  # pause_publication arrived (§3)
    RESUME = "resume publication"  # other traffic, or a new websocket (§14.1 item 8, §9.8)
    FAIL = "fail"  # SessionFailed: the handshake failed or timed out, a bad ciphertext
    REMOTE_CLOSE = "receive channel_closed"  # the service ended the session (§6.3)
    CLOSE = "close"  # close() was called; the agent role also queues channel_closed


_S, _I = ChannelState, ChannelInput
_OPEN = tuple(state for state in ChannelState if state.is_open)

# Publication pauses and resumes are idempotent: the service may repeat either (§3).
_SHARED: dict[tuple[ChannelState, ChannelInput], ChannelState] = {
    (_S.OPENING, _I.START): _S.RUNNING,
    (_S.OPENING_PAUSED, _I.START): _S.RUNNING_PAUSED,
    (_S.OPENING, _I.PAUSE): _S.OPENING_PAUSED,
    (_S.OPENING_PAUSED, _I.PAUSE): _S.OPENING_PAUSED,
    (_S.RUNNING, _I.PAUSE): _S.RUNNING_PAUSED,
    (_S.RUNNING_PAUSED, _I.PAUSE): _S.RUNNING_PAUSED,
    (_S.OPENING, _I.RESUME): _S.OPENING,
    (_S.OPENING_PAUSED, _I.RESUME): _S.OPENING,
    (_S.RUNNING, _I.RESUME): _S.RUNNING,
    (_S.RUNNING_PAUSED, _I.RESUME): _S.RUNNING,
    **{(state, _I.FAIL): _S.CLOSED for state in _OPEN},
    **{(state, _I.REMOTE_CLOSE): _S.CLOSED for state in _OPEN},
}

TRANSITIONS: dict[Role, dict[tuple[ChannelState, ChannelInput], ChannelState]] = {
    # A client's close() only stops it locally (ending the session is an API call's job).
    Role.CLIENT: {**_SHARED, **{(state, _I.CLOSE): _S.CLOSED for state in (*_OPEN, _S.CLOSED)}},
    # The agent's close() queues channel_closed once, even after a failure (§6.3).
    Role.AGENT: {
        **_SHARED,
        **{(state, _I.CLOSE): _S.CLOSE_SENT for state in (*_OPEN, _S.CLOSED, _S.CLOSE_SENT)},
    },
}
"""Every allowed move, per role: (state, input) -> next state. Anything else is misuse."""


class Lifecycle:
    """One channel's current state, moved only along its role's row of ``TRANSITIONS``."""

    __slots__ = ("_table", "state")

    def __init__(self, role: Role, state: ChannelState = ChannelState.OPENING) -> None:
        self._table = TRANSITIONS[role]
        self.state = state

    def process(self, event: ChannelInput) -> ChannelState:
        """Move on ``event`` and return the new state; LocalProtocolError if not allowed."""
        try:
            self.state = self._table[self.state, event]
        except KeyError:
            raise LocalProtocolError(
                f"cannot {event.value} a channel that is {self.state.label}"
            ) from None
        return self.state

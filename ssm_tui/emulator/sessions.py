"""The session registry: every StartSession, its single-use tokens and its state."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from ssm_tui.emulator.faults import Faults
from ssm_tui.emulator.fleet import Instance


class SessionStatus(StrEnum):
    """The DescribeSessions statuses the emulator uses."""

    CONNECTED = "Connected"
    TERMINATED = "Terminated"


@dataclass(slots=True, kw_only=True)
class EmulatedSession:
    """One session: who started it, on what, with which document, and its live token."""

    session_id: str
    account_id: str
    region: str
    owner: str
    instance: Instance
    target: str
    document_name: str
    session_type: str
    # Parameters after defaults were applied, one string each (e.g. "command", "portNumber").
    parameters: dict[str, str]
    # The resolved document properties the agent sends in its handshake (None for shells).
    properties: dict[str, str] | None
    reason: str
    stream_url: str
    faults: Faults
    kms_key_id: str | None
    start_date: float
    end_date: float | None = None
    status: SessionStatus = SessionStatus.CONNECTED
    # The only token that may open the data channel now; None once used or after terminate.
    token: str | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        """True until the session is terminated."""
        return self.status is not SessionStatus.TERMINATED


Listener = Callable[[EmulatedSession], None]


class SessionRegistry:
    """All sessions the emulator has issued; the data channel redeems their tokens here."""

    def __init__(self) -> None:
        self._sessions: dict[str, EmulatedSession] = {}
        self._start_listeners: list[Listener] = []
        self._terminate_listeners: list[Listener] = []

    def start(
        self,
        *,
        user: str,
        account_id: str,
        region: str,
        owner: str,
        instance: Instance,
        target: str,
        document_name: str,
        session_type: str,
        parameters: dict[str, str],
        properties: dict[str, str] | None,
        reason: str,
        faults: Faults,
        stream_url: Callable[[str], str],
        kms_key_id: str | None = None,
        now: float | None = None,
    ) -> EmulatedSession:
        """Create a Connected session with an id like ``alice-0123456789abcdef0`` and a token.

        ``kms_key_id`` is the key the session must be encrypted with (None: not encrypted).
        """
        session_id = f"{user}-{secrets.token_hex(9)[:17]}"
        session = EmulatedSession(
            session_id=session_id,
            account_id=account_id,
            region=region,
            owner=owner,
            instance=instance,
            target=target,
            document_name=document_name,
            session_type=session_type,
            parameters=parameters,
            properties=properties,
            reason=reason,
            stream_url=stream_url(session_id),
            faults=faults,
            kms_key_id=kms_key_id,
            start_date=time.time() if now is None else now,
            token=_new_token(),
        )
        self._sessions[session_id] = session
        for listener in list(self._start_listeners):
            listener(session)
        return session

    def get(self, session_id: str) -> EmulatedSession | None:
        """The session with this id, if it was ever issued."""
        return self._sessions.get(session_id)

    def resume(self, session_id: str) -> EmulatedSession | None:
        """Issue a new token for an active session (the previous one stops working)."""
        session = self._sessions.get(session_id)
        if session is not None and session.active:
            session.token = _new_token()
        return session

    def redeem(self, session_id: str, token: str) -> EmulatedSession | None:
        """Spend the session's current token; None if the token is wrong, used or stale."""
        session = self._sessions.get(session_id)
        if session is None or not session.active or session.token is None:
            return None
        if not secrets.compare_digest(session.token, token):
            return None
        session.token = None
        return session

    def terminate(self, session_id: str, *, now: float | None = None) -> EmulatedSession | None:
        """Mark a session Terminated and tell the listeners (idempotent)."""
        session = self._sessions.get(session_id)
        if session is None or not session.active:
            return session
        session.status = SessionStatus.TERMINATED
        session.end_date = time.time() if now is None else now
        session.token = None
        for listener in list(self._terminate_listeners):
            listener(session)
        return session

    def on_start(self, listener: Listener) -> None:
        """Call ``listener(session)`` whenever StartSession issues a session."""
        self._start_listeners.append(listener)

    def on_terminate(self, listener: Listener) -> None:
        """Call ``listener(session)`` whenever a session ends (e.g. to close its websocket)."""
        self._terminate_listeners.append(listener)

    def sessions(self, account_id: str, region: str) -> Iterator[EmulatedSession]:
        """The sessions of one account and region, oldest first."""
        return (
            s for s in self._sessions.values() if (s.account_id, s.region) == (account_id, region)
        )

    def __iter__(self) -> Iterator[EmulatedSession]:
        return iter(list(self._sessions.values()))

    def __len__(self) -> int:
        return len(self._sessions)


def _new_token() -> str:
    # Real tokens are opaque base64 starting "AAEAA"; never log them.
    return "AAEAA" + base64.b64encode(secrets.token_bytes(96)).decode()

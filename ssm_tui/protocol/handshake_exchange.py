"""The handshake as a channel runs it: in-order handshake payloads in, answers queued (§6.4-6.7).

One class per role wires that role's state machine from ``handshake.py`` to the
``Outbox``; the ``DataChannel`` only routes payloads here and asks when data may flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from .encryption import SessionCipher
from .errors import LocalProtocolError, RemoteProtocolError
from .events import Event, SessionStarted
from .handshake import AgentHandshake, ClientHandshake, Phase
from .message import PayloadType
from .outbox import Outbox
from .payloads import EncryptionChallenge, HandshakeComplete, HandshakeRequest, HandshakeResponse
from .role import Role

__all__ = ["AgentExchange", "ChannelHooks", "ClientExchange", "Exchange", "exchange_for"]

_P = PayloadType


class ChannelHooks(NamedTuple):
    """How an exchange reports back to its channel."""

    emit: Callable[[Event], None]
    started: Callable[[SessionStarted, float], None]  # SessionStarted: data may flow
    fail: Callable[[str], None]  # the session is over: SessionFailed(reason)


_H = TypeVar("_H", ClientHandshake, AgentHandshake)
_Handler = Callable[[Any, bytes, float], None]


class _Exchange(Generic[_H]):
    """What both roles share: where answers go and how the channel hears of outcomes."""

    # Filled by each role below: handshake PayloadType -> the method that handles it.
    _handlers: ClassVar[dict[int, _Handler]] = {}
    payload_types: ClassVar[frozenset[int]] = frozenset()

    def __init__(self, handshake: _H, outbox: Outbox, hooks: ChannelHooks) -> None:
        self.handshake: _H = handshake
        self._outbox = outbox
        self._emit, self._started, self._fail = hooks

    @property
    def deadline(self) -> float | None:
        """When the peer's answer is overdue (§6.5), or None."""
        return None

    def data_arrived(self, now: float) -> None:
        """A data payload is about to be delivered (only after ``accepts_data()``)."""

    def receive(self, payload_type: int, payload: bytes, now: float) -> None:
        """Act on one in-order handshake payload; a broken one fails the session."""
        try:
            self._handlers[payload_type](self, payload, now)
        except RemoteProtocolError as exc:
            self._fail(f"handshake failed: {exc}")

    def _cipher(self, what: str) -> SessionCipher:
        cipher = self._outbox.cipher
        if cipher is None:
            raise RemoteProtocolError(f"{what} without a KMS data key")
        return cipher


class ClientExchange(_Exchange[ClientHandshake]):
    """The client answers HandshakeRequest and EncChallengeRequest (§7 step 6, §14.1 item 4)."""

    def ready(self, payload_type: int) -> bool:
        # §9.2: the client drops non-handshake data until the handshake completes.
        return payload_type in self.payload_types or not self.handshake.in_progress

    def accepts_data(self) -> bool:
        """Whether a data payload is delivered now: always, once ``ready()`` let it in."""
        return True

    def data_arrived(self, now: float) -> None:
        """Output before any handshake means a plain shell: the session starts (§7)."""
        if self.handshake.phase is Phase.IDLE:
            self._started(self.handshake.start_without_handshake(), now)

    def provide_data_key(self, plaintext: bytes, ciphertext_blob: bytes, now: float) -> None:
        if self.handshake.phase is not Phase.AWAITING_KEY:
            raise LocalProtocolError("no data key was requested")
        self._outbox.encrypt_with(SessionCipher(plaintext, Role.CLIENT))
        response = self.handshake.key_provided(ciphertext_blob)
        self._outbox.send(_P.HANDSHAKE_RESPONSE, response.to_json(), now=now)

    def reject_data_key(self, reason: str, now: float) -> None:
        response = self.handshake.key_failed(reason)
        self._outbox.send(_P.HANDSHAKE_RESPONSE, response.to_json(), now=now)

    def _on_request(self, payload: bytes, now: float) -> None:
        outcome = self.handshake.receive_request(HandshakeRequest.from_json(payload))
        if isinstance(outcome, HandshakeResponse):
            self._outbox.send(_P.HANDSHAKE_RESPONSE, outcome.to_json(), now=now)
            if self.handshake.failure is not None:
                self._fail(self.handshake.failure)
        else:
            self._emit(outcome)  # DataKeyRequested: the caller calls KMS

    def _on_challenge(self, payload: bytes, now: float) -> None:
        cipher = self._cipher("EncChallengeRequest")
        answer = self.handshake.answer_challenge(EncryptionChallenge.from_json(payload), cipher)
        self._outbox.send(_P.ENC_CHALLENGE_RESPONSE, answer.to_json(), now=now)

    def _on_complete(self, payload: bytes, now: float) -> None:
        complete = HandshakeComplete.from_json(payload)
        encrypted = self._outbox.cipher is not None
        self._started(self.handshake.complete(complete, encrypted=encrypted), now)

    _handlers = {
        _P.HANDSHAKE_REQUEST: _on_request,
        _P.ENC_CHALLENGE_REQUEST: _on_challenge,
        _P.HANDSHAKE_COMPLETE: _on_complete,
    }
    payload_types = frozenset(_handlers)


class AgentExchange(_Exchange[AgentHandshake]):
    """The agent asks for the session type and, with KMS, a data key (§14 steps 3-4)."""

    @property
    def deadline(self) -> float | None:
        return self.handshake.deadline

    def ready(self, payload_type: int) -> bool:
        return self.handshake.phase is not Phase.IDLE  # before start(): handler not up

    def accepts_data(self) -> bool:
        return not self.handshake.in_progress  # §9.3: acked and discarded meanwhile

    def start(self, now: float) -> None:
        """Send the HandshakeRequest when one is needed, else start at once (§14 step 3)."""
        request = self.handshake.start(now=now)
        if request is None:
            self._started(self.handshake.started(), now)
        else:
            self._outbox.send(_P.HANDSHAKE_REQUEST, request.to_json(), now=now)

    def provide_data_key(self, plaintext: bytes, ciphertext_blob: bytes, now: float) -> None:
        cipher = SessionCipher(plaintext, Role.AGENT)
        challenge = self.handshake.challenge(cipher, now=now)
        self._outbox.encrypt_with(cipher)
        self._outbox.send(_P.ENC_CHALLENGE_REQUEST, challenge.to_json(), now=now)

    def reject_data_key(self, reason: str, now: float) -> None:
        """Nothing to send: the agent simply fails the session."""

    def _on_response(self, payload: bytes, now: float) -> None:
        request = self.handshake.receive_response(HandshakeResponse.from_json(payload))
        if request is None:
            self._finish(now)
        else:
            self._emit(request)  # DataKeyDecryptionRequested: the caller calls KMS

    def _on_challenge_response(self, payload: bytes, now: float) -> None:
        cipher = self._cipher("EncChallengeResponse")
        self.handshake.check_challenge(EncryptionChallenge.from_json(payload), cipher)
        self._finish(now)

    def _finish(self, now: float) -> None:
        complete = self.handshake.complete(now=now)
        self._outbox.send(_P.HANDSHAKE_COMPLETE, complete.to_json(), now=now)
        self._started(self.handshake.started(), now)

    _handlers = {
        _P.HANDSHAKE_RESPONSE: _on_response,
        _P.ENC_CHALLENGE_RESPONSE: _on_challenge_response,
    }
    payload_types = frozenset(_handlers)


Exchange = ClientExchange | AgentExchange


def exchange_for(
    role: Role,
    outbox: Outbox,
    hooks: ChannelHooks,
    *,
    session_id: str,
    target: str,
    client_version: str,
    session_type: str,
    properties: Mapping[str, Any] | None,
    agent_version: str,
    kms_key_id: str | None,
) -> Exchange:
    """The exchange for ``role``; the other role's options are ignored."""
    if role is Role.CLIENT:
        client = ClientHandshake(
            session_id=session_id, target=target, client_version=client_version
        )
        return ClientExchange(client, outbox, hooks)
    agent = AgentHandshake(
        session_id=session_id,
        target=target,
        session_type=session_type,
        properties=properties,
        agent_version=agent_version,
        kms_key_id=kms_key_id,
    )
    return AgentExchange(agent, outbox, hooks)

"""The session handshake (§6.4-6.7, §7) as two small state machines, one per role.

They only read and build payloads; the DataChannel sequences, encrypts and sends. A
refused or broken handshake raises :class:`RemoteProtocolError`, which the channel
turns into ``SessionFailed``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

from .encryption import SessionCipher
from .errors import LocalProtocolError, RemoteProtocolError
from .events import DataKeyDecryptionRequested, DataKeyRequested, SessionStarted
from .payloads import (
    AGENT_SESSION_TYPES,
    ActionStatus,
    ActionType,
    EncryptionChallenge,
    HandshakeComplete,
    HandshakeRequest,
    HandshakeResponse,
    ProcessedClientAction,
    RequestedClientAction,
)

__all__ = ["AgentHandshake", "ClientHandshake", "Phase"]

#: §6.5 / §9.6: how long the agent waits for each client answer.
RESPONSE_TIMEOUT = 15.0
TIMEOUT_REASON = (
    "Handshake timed out. Please ensure that you have the latest version of the "
    "session manager plugin."
)
ENCRYPTED_MESSAGE = "This session is encrypted using AWS KMS."
#: §8 step 6: the challenge is 64 random bytes; the KMS action's Challenge is 16.
CHALLENGE_SIZE = 64


class Phase(Enum):
    """Handshake progress; a row of the table each role's methods move along."""

    IDLE = "idle"  # nothing yet (client) / start() not called (agent)
    REQUESTED = "requested"  # agent sent HandshakeRequest, awaits the response
    AWAITING_KEY = "awaiting_key"  # a KMS call is out with the caller
    RESPONDED = "responded"  # client answered; awaits challenge or completion
    CHALLENGED = "challenged"  # agent sent EncChallengeRequest
    COMPLETE = "complete"


def _context(session_id: str, target: str) -> dict[str, str]:
    # §8 step 2: the KMS encryption context both sides must agree on.
    return {"aws:ssm:SessionId": session_id, "aws:ssm:TargetId": target}


class ClientHandshake:
    """Answers the agent's HandshakeRequest (§7 step 6, §14.1 item 4)."""

    def __init__(self, *, session_id: str, target: str, client_version: str) -> None:
        self.phase = Phase.IDLE
        self.session_id = session_id
        self.target = target
        self.client_version = client_version
        self.agent_version: str | None = None
        self.session_type: str | None = None
        self.properties: Mapping[str, Any] | None = None
        self.failure: str | None = None  # set when our own answer refuses the session
        self._actions: list[ProcessedClientAction] = []
        self._kms_action = False

    @property
    def in_progress(self) -> bool:
        return self.phase in (Phase.AWAITING_KEY, Phase.RESPONDED)

    def receive_request(self, request: HandshakeRequest) -> HandshakeResponse | DataKeyRequested:
        """Process every action; KMS needs a data key from the caller before answering."""
        if self.phase is not Phase.IDLE:
            raise RemoteProtocolError("a second HandshakeRequest arrived")
        self.agent_version = request.agent_version
        kms_key_id: str | None = None
        for action in request.requested_client_actions:
            params = action.action_parameters
            if action.action_type == ActionType.SESSION_TYPE:
                self._session_type(params)
            elif action.action_type == ActionType.KMS_ENCRYPTION:
                key_id = params.get("KMSKeyId")
                if not isinstance(key_id, str) or not key_id:
                    self._fail(action.action_type, "KMSKeyId is missing")
                else:
                    kms_key_id = key_id
            else:
                # §6.5: the plugin leaves status 0 here (a bug); 3 means Unsupported.
                error = f"Unsupported action {action.action_type}"
                self._actions.append(
                    ProcessedClientAction(
                        action_type=action.action_type,
                        action_status=ActionStatus.UNSUPPORTED,
                        error=error,
                    )
                )
        if kms_key_id is None:
            return self._respond()
        self.phase = Phase.AWAITING_KEY
        return DataKeyRequested(
            kms_key_id=kms_key_id, encryption_context=_context(self.session_id, self.target)
        )

    def _session_type(self, params: Mapping[str, Any]) -> None:
        session_type = params.get("SessionType")
        properties = params.get("Properties")
        if session_type not in AGENT_SESSION_TYPES:
            self._fail(ActionType.SESSION_TYPE, f"Unknown session type {session_type}")
            return
        if properties is not None and not isinstance(properties, dict):
            self._fail(ActionType.SESSION_TYPE, "Properties is not an object")
            return
        self.session_type = str(session_type)
        self.properties = properties
        self._actions.append(
            ProcessedClientAction(action_type=ActionType.SESSION_TYPE, action_status=1)
        )

    def _fail(self, action_type: str, reason: str) -> None:
        error = f"Failed to process action {action_type}: {reason}"
        self.failure = self.failure or error
        self._actions.append(
            ProcessedClientAction(
                action_type=action_type, action_status=ActionStatus.FAILED, error=error
            )
        )

    def _respond(self) -> HandshakeResponse:
        self.phase = Phase.RESPONDED
        errors = [a.error for a in self._actions if a.action_status != ActionStatus.SUCCESS]
        return HandshakeResponse(
            client_version=self.client_version,
            processed_client_actions=tuple(self._actions),
            errors=tuple(errors),
        )

    def key_provided(self, ciphertext_blob: bytes) -> HandshakeResponse:
        self._expect(Phase.AWAITING_KEY)
        # §6.5: the blob goes back base64'd; the agent decrypts it with kms:Decrypt.
        result = {
            "KMSCipherTextKey": base64.b64encode(ciphertext_blob).decode(),
            "KMSCipherTextHash": None,
        }
        self._actions.append(
            ProcessedClientAction(
                action_type=ActionType.KMS_ENCRYPTION, action_status=1, action_result=result
            )
        )
        return self._respond()

    def key_failed(self, reason: str) -> HandshakeResponse:
        self._expect(Phase.AWAITING_KEY)
        self._fail(ActionType.KMS_ENCRYPTION, reason)
        return self._respond()

    def answer_challenge(
        self, request: EncryptionChallenge, cipher: SessionCipher
    ) -> EncryptionChallenge:
        """§6.7: open with the agent's key, reseal the same bytes with ours."""
        if self.phase is not Phase.RESPONDED:
            raise RemoteProtocolError("EncChallengeRequest arrived outside the handshake")
        return EncryptionChallenge(challenge=cipher.encrypt(cipher.decrypt(request.challenge)))

    def complete(self, message: HandshakeComplete, *, encrypted: bool) -> SessionStarted:
        if self.phase is not Phase.RESPONDED:
            raise RemoteProtocolError("HandshakeComplete arrived before the handshake")
        self.phase = Phase.COMPLETE
        return SessionStarted(
            session_type=self.session_type or "Standard_Stream",
            properties=self.properties,
            agent_version=self.agent_version,
            client_version=self.client_version,
            encrypted=encrypted,
            customer_message=message.customer_message,
        )

    def start_without_handshake(self) -> SessionStarted:
        """§7 step 6: Output before any handshake means a plain shell."""
        self.phase = Phase.COMPLETE
        self.session_type = "Standard_Stream"
        return SessionStarted(session_type="Standard_Stream", client_version=self.client_version)

    def _expect(self, phase: Phase) -> None:
        if self.phase is not phase:
            raise LocalProtocolError(f"no data key was requested (handshake is {self.phase.value})")


class AgentHandshake:
    """Asks the client for its session type and, with KMS, a data key (§14 steps 3-4)."""

    def __init__(
        self,
        *,
        session_id: str,
        target: str,
        session_type: str,
        properties: Mapping[str, Any] | None,
        agent_version: str,
        kms_key_id: str | None,
    ) -> None:
        self.phase = Phase.IDLE
        self.session_id = session_id
        self.target = target
        self.session_type = session_type
        self.properties = properties
        self.agent_version = agent_version
        # §8: port sessions are never encrypted.
        self.kms_key_id = kms_key_id if session_type != "Port" else None
        self.client_version: str | None = None
        self.deadline: float | None = None
        self._started_at = 0.0
        self._challenge = b""

    @property
    def needed(self) -> bool:
        # §10.1: Port and NonInteractiveCommands always handshake; shells only with KMS.
        return self.kms_key_id is not None or self.session_type in (
            "Port",
            "NonInteractiveCommands",
        )

    @property
    def in_progress(self) -> bool:
        return self.phase not in (Phase.IDLE, Phase.COMPLETE)

    def start(self, *, now: float) -> HandshakeRequest | None:
        """The HandshakeRequest to send, or None when this session needs none."""
        if self.phase is not Phase.IDLE:
            raise LocalProtocolError("start() was already called")
        self._started_at = now
        if not self.needed:
            self.phase = Phase.COMPLETE
            return None
        actions = [
            RequestedClientAction(
                action_type=ActionType.SESSION_TYPE,
                action_parameters={"SessionType": self.session_type, "Properties": self.properties},
            )
        ]
        if self.kms_key_id is not None:
            # §6.4: SessionType first, KMSEncryption second.
            challenge = base64.b64encode(os.urandom(16)).decode()
            actions.append(
                RequestedClientAction(
                    action_type=ActionType.KMS_ENCRYPTION,
                    action_parameters={"KMSKeyId": self.kms_key_id, "Challenge": challenge},
                )
            )
        self.phase = Phase.REQUESTED
        self.deadline = now + RESPONSE_TIMEOUT
        return HandshakeRequest(agent_version=self.agent_version, requested_client_actions=actions)

    def receive_response(self, response: HandshakeResponse) -> DataKeyDecryptionRequested | None:
        """Check the answer; with KMS, ask the caller to decrypt the client's data key."""
        if self.phase is not Phase.REQUESTED:
            raise RemoteProtocolError("unexpected HandshakeResponse")
        self.deadline = None
        self.client_version = response.client_version
        blob: bytes | None = None
        for action in response.processed_client_actions:
            if action.action_status != ActionStatus.SUCCESS:
                # §6.5: any status other than Success fails the session.
                raise RemoteProtocolError(
                    f"client refused {action.action_type}: {action.error or action.action_status}"
                )
            if action.action_type == ActionType.KMS_ENCRYPTION:
                blob = self._ciphertext_blob(action.action_result)
        if self.kms_key_id is None:
            return None
        if blob is None:
            raise RemoteProtocolError("client did not answer the KMSEncryption action")
        self.phase = Phase.AWAITING_KEY
        return DataKeyDecryptionRequested(
            ciphertext_blob=blob, encryption_context=_context(self.session_id, self.target)
        )

    @staticmethod
    def _ciphertext_blob(result: object) -> bytes:
        text = result.get("KMSCipherTextKey") if isinstance(result, dict) else None
        if not isinstance(text, str):
            raise RemoteProtocolError("KMSEncryption result lacks KMSCipherTextKey")
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            raise RemoteProtocolError("KMSCipherTextKey is not valid base64") from None

    def challenge(self, cipher: SessionCipher, *, now: float) -> EncryptionChallenge:
        """§6.7: seal 64 random bytes for the client to prove it holds the key."""
        if self.phase is not Phase.AWAITING_KEY:
            raise LocalProtocolError(f"no data key was requested (handshake is {self.phase.value})")
        self._challenge = os.urandom(CHALLENGE_SIZE)
        self.phase = Phase.CHALLENGED
        self.deadline = now + RESPONSE_TIMEOUT
        return EncryptionChallenge(challenge=cipher.encrypt(self._challenge))

    def check_challenge(self, response: EncryptionChallenge, cipher: SessionCipher) -> None:
        if self.phase is not Phase.CHALLENGED:
            raise RemoteProtocolError("unexpected EncChallengeResponse")
        self.deadline = None
        if cipher.decrypt(response.challenge) != self._challenge:
            raise RemoteProtocolError("encryption challenge answer does not match")

    def complete(self, *, now: float) -> HandshakeComplete:
        self.phase = Phase.COMPLETE
        self.deadline = None
        return HandshakeComplete(
            handshake_time_to_complete=int((now - self._started_at) * 1e9),
            customer_message=ENCRYPTED_MESSAGE if self.kms_key_id is not None else "",
        )

    def started(self) -> SessionStarted:
        return SessionStarted(
            session_type=self.session_type,
            properties=self.properties,
            agent_version=self.agent_version,
            client_version=self.client_version,
            encrypted=self.kms_key_id is not None,
            customer_message=ENCRYPTED_MESSAGE if self.kms_key_id is not None else "",
        )

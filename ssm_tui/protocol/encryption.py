"""The KMS session cipher (§8): AES-256-GCM over payloads with a 64-byte split data key."""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import LocalProtocolError, RemoteProtocolError
from .message import PayloadType
from .role import Role

__all__ = ["DATA_KEY_SIZE", "SessionCipher"]

DATA_KEY_SIZE = 64
NONCE_SIZE = 12
TAG_SIZE = 16

# §4 encryption matrix: what each role seals on the way out and opens on the way in.
_SEALED_BY = {
    Role.CLIENT: frozenset({PayloadType.OUTPUT}),
    Role.AGENT: frozenset({PayloadType.OUTPUT, PayloadType.STDERR, PayloadType.EXIT_CODE}),
}


class SessionCipher:
    """Seals outgoing and opens incoming payloads for one role of one session.

    Key split (§8 step 5): bytes 0..31 protect agent→client, 32..63 client→agent.
    Nonces (§8 step 6): the client draws 12 random bytes per message; the agent uses a
    96-bit little-endian counter from a random start.
    """

    __slots__ = ("_counter", "_open", "_role", "_seal", "decrypts", "encrypts")

    def __init__(
        self, data_key: bytes, role: Role, *, random: Callable[[int], bytes] = os.urandom
    ) -> None:
        if len(data_key) != DATA_KEY_SIZE:
            raise LocalProtocolError(f"the data key must be {DATA_KEY_SIZE} bytes")
        agent_to_client, client_to_agent = AESGCM(data_key[:32]), AESGCM(data_key[32:])
        if role is Role.CLIENT:
            self._seal, self._open = client_to_agent, agent_to_client
        else:
            self._seal, self._open = agent_to_client, client_to_agent
        self._role = role
        self._counter = int.from_bytes(random(NONCE_SIZE), "little")
        self.encrypts = _SEALED_BY[role]
        self.decrypts = _SEALED_BY[Role.AGENT if role is Role.CLIENT else Role.CLIENT]

    def _nonce(self) -> bytes:
        if self._role is Role.CLIENT:
            return os.urandom(NONCE_SIZE)
        nonce = self._counter.to_bytes(NONCE_SIZE, "little")
        self._counter = (self._counter + 1) % (1 << 96)
        return nonce

    def encrypt(self, plaintext: bytes) -> bytes:
        """``nonce(12) ‖ ciphertext ‖ tag(16)``, no associated data (§8 step 6)."""
        nonce = self._nonce()
        return nonce + self._seal.encrypt(nonce, plaintext, None)

    def decrypt(self, sealed: bytes) -> bytes:
        """Open a peer's payload; a forged, truncated or wrongly keyed one raises."""
        if len(sealed) < NONCE_SIZE + TAG_SIZE:
            raise RemoteProtocolError("encrypted payload is shorter than nonce and tag")
        try:
            return self._open.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], None)
        except InvalidTag:
            raise RemoteProtocolError(
                "encrypted payload failed authentication (tampered or wrong key)"
            ) from None

    def seal(self, payload_type: int, payload: bytes) -> bytes:
        """``payload`` as it goes on the wire: encrypted when §4 says this role seals it."""
        return self.encrypt(payload) if payload_type in self.encrypts else payload

    def open(self, payload_type: int, payload: bytes) -> bytes:
        """``payload`` as the peer meant it: decrypted when §4 says the peer sealed it."""
        return self.decrypt(payload) if payload_type in self.decrypts else payload

"""A local KMS key store: keys by id, ARN or alias, and opaque data-key ciphertext blobs."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ssm_tui.emulator.errors import AwsError
from ssm_tui.emulator.fleet import KmsKeySpec

_BLOB_VERSION = b"\x01"
_NONCE_SIZE = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class KmsKey:
    """A symmetric key living in one account and region."""

    account_id: str
    region: str
    key_id: str
    aliases: tuple[str, ...] = ()
    material: bytes = field(repr=False)

    @property
    def arn(self) -> str:
        """The key ARN, as KMS returns in ``KeyId`` fields."""
        return f"arn:aws:kms:{self.region}:{self.account_id}:key/{self.key_id}"

    def matches(self, ref: str) -> bool:
        """True for this key's id, ARN, one of its aliases, or an alias ARN."""
        alias_arn_prefix = f"arn:aws:kms:{self.region}:{self.account_id}:"
        return (
            ref in (self.key_id, self.arn)
            or ref in self.aliases
            or ref.removeprefix(alias_arn_prefix) in self.aliases
        )


class KeyStore:
    """Every KMS key of the fleet, with fresh random material per emulator run."""

    def __init__(self, specs: Iterable[KmsKeySpec] = ()) -> None:
        self._keys: list[KmsKey] = []
        for spec in specs:
            self.add(spec)

    def add(self, spec: KmsKeySpec) -> KmsKey:
        """Create the key a spec describes."""
        key = KmsKey(
            account_id=spec.account_id,
            region=spec.region,
            key_id=spec.key_id,
            aliases=spec.aliases,
            material=AESGCM.generate_key(bit_length=256),
        )
        self._keys.append(key)
        return key

    def find(self, account_id: str, region: str, ref: str) -> KmsKey | None:
        """The key ``ref`` (id, ARN, alias name or alias ARN) names in this account and region."""
        return next(
            (
                k
                for k in self._keys
                if (k.account_id, k.region) == (account_id, region) and k.matches(ref)
            ),
            None,
        )

    def encrypt(self, key: KmsKey, plaintext: bytes, context: Mapping[str, str] | None) -> bytes:
        """Seal ``plaintext`` under ``key`` with the encryption context as associated data."""
        nonce = os.urandom(_NONCE_SIZE)
        key_id = key.key_id.encode()
        sealed = AESGCM(key.material).encrypt(nonce, plaintext, _aad(context))
        return _BLOB_VERSION + bytes([len(key_id)]) + key_id + nonce + sealed

    def decrypt(
        self, account_id: str, region: str, blob: bytes, context: Mapping[str, str] | None
    ) -> tuple[KmsKey, bytes]:
        """Open a blob; a different context or foreign blob fails like KMS does."""
        try:
            if blob[:1] != _BLOB_VERSION:
                raise ValueError("not one of our blobs")
            size = blob[1]
            key_id = blob[2 : 2 + size].decode()
            nonce = blob[2 + size : 2 + size + _NONCE_SIZE]
            sealed = blob[2 + size + _NONCE_SIZE :]
            key = self.find(account_id, region, key_id)
            if key is None:
                raise ValueError("key not in this account and region")
            return key, AESGCM(key.material).decrypt(nonce, sealed, _aad(context))
        except (IndexError, UnicodeDecodeError, ValueError, InvalidTag):
            # KMS gives no reason here: a wrong context and a corrupt blob look the same.
            raise AwsError("InvalidCiphertextException", "") from None


def _aad(context: Mapping[str, str] | None) -> bytes:
    return json.dumps(dict(context or {}), sort_keys=True, separators=(",", ":")).encode()

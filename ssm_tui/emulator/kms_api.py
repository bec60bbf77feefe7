"""KMS (AWS JSON 1.1, ``TrentService.*``): GenerateDataKey and Decrypt on the local key store."""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError, validation_error
from ssm_tui.emulator.keystore import KmsKey

Json = dict[str, Any]
_KEY_SPEC_BYTES = {"AES_256": 32, "AES_128": 16}


def handle(operation: str, body: Json, call: ApiCall) -> Json:
    """Run one KMS operation; raise AwsError for KMS's error responses."""
    if operation == "GenerateDataKey":
        return generate_data_key(body, call)
    if operation == "Decrypt":
        return decrypt(body, call)
    raise AwsError("UnknownOperationException", f"Unknown operation {operation}")


def generate_data_key(body: Json, call: ApiCall) -> Json:
    """A fresh data key, in plaintext and sealed under the key with the encryption context."""
    key = _key(body.get("KeyId"), call)
    size, spec = body.get("NumberOfBytes"), body.get("KeySpec")
    if (size is None) == (spec is None):
        raise validation_error("Please specify either number of bytes or key spec.")
    if spec is not None:
        if spec not in _KEY_SPEC_BYTES:
            raise validation_error(f"1 validation error detected: Value '{spec}' at 'keySpec'")
        size = _KEY_SPEC_BYTES[spec]
    if not isinstance(size, int) or not 1 <= size <= 1024:
        raise validation_error(
            f"1 validation error detected: Value '{size}' at 'numberOfBytes' failed to "
            "satisfy constraint: Member must have value between 1 and 1024"
        )
    plaintext = os.urandom(size)
    blob = call.keystore.encrypt(key, plaintext, _context(body))
    return {"CiphertextBlob": _b64(blob), "Plaintext": _b64(plaintext), "KeyId": key.arn}


def decrypt(body: Json, call: ApiCall) -> Json:
    """Open a blob this account's key sealed; the context must match exactly."""
    try:
        blob = base64.b64decode(str(body.get("CiphertextBlob", "")), validate=True)
    except binascii.Error:
        raise AwsError("InvalidCiphertextException", "") from None
    key, plaintext = call.keystore.decrypt(
        call.account.account_id, call.region, blob, _context(body)
    )
    wanted = body.get("KeyId")
    if wanted is not None and not key.matches(str(wanted)):
        raise AwsError(
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.",
        )
    return {
        "KeyId": key.arn,
        "Plaintext": _b64(plaintext),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }


def _key(ref: object, call: ApiCall) -> KmsKey:
    if not isinstance(ref, str) or not ref:
        raise validation_error("1 validation error detected: Value null at 'keyId'")
    key = call.keystore.find(call.account.account_id, call.region, ref)
    if key is None:
        what = "Alias" if ref.startswith("alias/") or ":alias/" in ref else "Key"
        arn = ref if ref.startswith("arn:") else None
        name = arn or f"arn:aws:kms:{call.region}:{call.account.account_id}:{_arn_tail(ref)}"
        raise AwsError("NotFoundException", f"{what} '{name}' does not exist")
    return key


def _arn_tail(ref: str) -> str:
    return ref if ref.startswith("alias/") else f"key/{ref}"


def _context(body: Json) -> dict[str, str] | None:
    context = body.get("EncryptionContext")
    if context is not None and not (
        isinstance(context, dict) and all(isinstance(v, str) for v in context.values())
    ):
        raise validation_error("EncryptionContext must map strings to strings.")
    return context


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

"""A compact AWS Signature Version 4 verifier (header and presigned query-string forms)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"


class SignatureProblem(Enum):
    """Why a request's signature was refused; each service words these its own way."""

    MISSING = "missing"  # no Authorization header and no X-Amz-Signature
    MALFORMED = "malformed"  # present but not parseable
    UNKNOWN_KEY = "unknown_key"  # the access key id is not configured
    MISMATCH = "mismatch"  # the signature does not match the configured secret


class SignatureError(Exception):
    """The request is not signed by a configured key; ``problem`` says how."""

    def __init__(self, problem: SignatureProblem, detail: str = "") -> None:
        super().__init__(detail or problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Credential:
    """Who signed a verified request, and the scope they signed it for."""

    access_key_id: str
    date: str
    region: str
    service: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedRequest:
    """What the verifier needs of an HTTP request: raw values as they came off the wire."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]  # any case; looked up case-insensitively
    body: bytes


def verify(request: SignedRequest, secret_for: Callable[[str], str | None]) -> Credential:
    """Check the signature; ``secret_for(access_key_id)`` returns the secret or None."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    query = dict(request.query)
    if "x-amz-signature" in {k.lower() for k in query}:
        fields = {k.lower(): v for k, v in query.items()}
        credential, signed_names, signature = (
            fields.get("x-amz-credential", ""),
            fields.get("x-amz-signedheaders", ""),
            fields.get("x-amz-signature", ""),
        )
        amz_date = fields.get("x-amz-date", "")
        # botocore hashes the (usually empty) body; S3-style presigners say UNSIGNED-PAYLOAD.
        payload_hashes = [headers.get("x-amz-content-sha256") or _sha256(request.body)]
        payload_hashes.append("UNSIGNED-PAYLOAD")
        canonical_query = [(k, v) for k, v in request.query if k.lower() != "x-amz-signature"]
    elif "authorization" in headers:
        credential, signed_names, signature = _parse_authorization(headers["authorization"])
        amz_date = headers.get("x-amz-date", "")
        payload_hashes = [headers.get("x-amz-content-sha256") or _sha256(request.body)]
        canonical_query = list(request.query)
    else:
        raise SignatureError(SignatureProblem.MISSING, "Missing Authentication Token")
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not amz_date or not signature:
        raise SignatureError(SignatureProblem.MALFORMED, "Authorization header is malformed")
    access_key_id, date, region, service, _ = scope
    secret = secret_for(access_key_id)
    if secret is None:
        raise SignatureError(SignatureProblem.UNKNOWN_KEY, access_key_id)
    key = signing_key(secret, date, region, service)
    canonical_headers = "".join(
        f"{name}:{_trim(headers.get(name, ''))}\n" for name in signed_names.split(";")
    )
    for payload_hash in payload_hashes:
        canonical = "\n".join(
            [
                request.method.upper(),
                _canonical_path(request.path),
                _canonical_query(canonical_query),
                canonical_headers,
                signed_names,
                payload_hash,
            ]
        )
        string_to_sign = "\n".join([ALGORITHM, amz_date, "/".join(scope[1:]), _sha256(canonical)])
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, signature):
            break
    else:
        raise SignatureError(SignatureProblem.MISMATCH, "signature does not match")
    return Credential(access_key_id, date, region, service)


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The HMAC chain AWS4<secret> -> date -> region -> service -> aws4_request."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _parse_authorization(value: str) -> tuple[str, str, str]:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError(SignatureProblem.MALFORMED, f"unsupported algorithm {algorithm!r}")
    parts = dict(p.strip().partition("=")[::2] for p in rest.split(","))
    return parts.get("Credential", ""), parts.get("SignedHeaders", ""), parts.get("Signature", "")


def _canonical_path(path: str) -> str:
    # Non-S3 services sign the raw (already encoded) path encoded once more, as botocore does.
    return quote(path or "/", safe="/~")


def _canonical_query(pairs: Sequence[tuple[str, str]]) -> str:
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _trim(value: str) -> str:
    return " ".join(value.split())

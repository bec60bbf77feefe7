"""The SigV4 verifier against requests signed by botocore's own signers."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ssm_tui.emulator.sigv4 import SignatureError, SignatureProblem, SignedRequest, verify

SECRETS = {"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}


def _signed(secret: str = SECRETS["AKIDEXAMPLE"], *, presign: bool = False) -> SignedRequest:
    credentials = Credentials("AKIDEXAMPLE", secret)
    body = b'{"Target":"i-0123456789abcdef0"}'
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:4566/?x=a%20b&y=1",
        data=body,
        headers={"X-Amz-Target": "AmazonSSM.StartSession", "Host": "127.0.0.1:4566"},
    )
    if presign:
        SigV4QueryAuth(credentials, "ssm", "eu-west-1", expires=60).add_auth(request)
    else:
        SigV4Auth(credentials, "ssm", "eu-west-1").add_auth(request)
    url = urlsplit(str(request.url))
    return SignedRequest(
        method="POST",
        path=str(url.path),
        query=parse_qsl(str(url.query), keep_blank_values=True),
        headers=dict(request.headers.items()),
        body=request.body.encode() if isinstance(request.body, str) else request.body or b"",
    )


def test_header_signature_yields_the_credential_scope() -> None:
    credential = verify(_signed(), SECRETS.get)
    assert (credential.access_key_id, credential.region, credential.service) == (
        "AKIDEXAMPLE",
        "eu-west-1",
        "ssm",
    )


def test_presigned_query_signature_is_accepted() -> None:
    assert verify(_signed(presign=True), SECRETS.get).region == "eu-west-1"


def test_wrong_secret_is_a_mismatch() -> None:
    with pytest.raises(SignatureError) as caught:
        verify(_signed("not-the-secret"), SECRETS.get)
    assert caught.value.problem is SignatureProblem.MISMATCH


def test_tampered_body_is_a_mismatch() -> None:
    request = _signed()
    tampered = SignedRequest(
        method=request.method,
        path=request.path,
        query=request.query,
        headers=request.headers,
        body=b'{"Target":"i-0fffffffffffffff0"}',
    )
    with pytest.raises(SignatureError) as caught:
        verify(tampered, SECRETS.get)
    assert caught.value.problem is SignatureProblem.MISMATCH


def test_unknown_access_key_is_reported_as_such() -> None:
    with pytest.raises(SignatureError) as caught:
        verify(_signed(), lambda _key: None)
    assert caught.value.problem is SignatureProblem.UNKNOWN_KEY


def test_unsigned_request_is_missing_authentication() -> None:
    unsigned = SignedRequest(method="POST", path="/", query=[], headers={}, body=b"")
    with pytest.raises(SignatureError) as caught:
        verify(unsigned, SECRETS.get)
    assert caught.value.problem is SignatureProblem.MISSING

"""The AWS API front door: authenticate a POST, route it to its service, shape the reply."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ssm_tui.emulator import ec2_api, kms_api, ssm_api, sts_api
from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError
from ssm_tui.emulator.fleet import Fleet
from ssm_tui.emulator.keystore import KeyStore
from ssm_tui.emulator.run_command_runner import CommandRunner
from ssm_tui.emulator.sessions import SessionRegistry
from ssm_tui.emulator.sigv4 import SignatureError, SignatureProblem, SignedRequest, verify
from ssm_tui.emulator.xml_shapes import STS_NAMESPACE, ec2_error, query_error

log = logging.getLogger(__name__)

_JSON_TARGETS = {"AmazonSSM": "ssm", "TrentService": "kms"}
_QUERY_VERSIONS = {"2016-11-15": "ec2", "2011-06-15": "sts"}
_JSON_TYPE = "application/x-amz-json-1.1"
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)
_BAD_TOKEN = "The security token included in the request is invalid."
# (code, HTTP status) per protocol family for each signature problem, as AWS answers them.
_AUTH_ERRORS: dict[str, dict[SignatureProblem, tuple[str, int]]] = {
    "json": {
        SignatureProblem.MISSING: ("MissingAuthenticationTokenException", 400),
        SignatureProblem.MALFORMED: ("IncompleteSignatureException", 400),
        SignatureProblem.UNKNOWN_KEY: ("UnrecognizedClientException", 400),
        SignatureProblem.MISMATCH: ("InvalidSignatureException", 400),
    },
    "sts": {
        SignatureProblem.MISSING: ("MissingAuthenticationToken", 403),
        SignatureProblem.MALFORMED: ("IncompleteSignature", 403),
        SignatureProblem.UNKNOWN_KEY: ("InvalidClientTokenId", 403),
        SignatureProblem.MISMATCH: ("SignatureDoesNotMatch", 403),
    },
    "ec2": {
        SignatureProblem.MISSING: ("MissingAuthenticationToken", 401),
        SignatureProblem.MALFORMED: ("IncompleteSignature", 400),
        SignatureProblem.UNKNOWN_KEY: ("AuthFailure", 401),
        SignatureProblem.MISMATCH: ("SignatureDoesNotMatch", 403),
    },
}
_DENIED = {"json": ("AccessDeniedException", 400), "sts": ("AccessDenied", 403)}


@dataclass(frozen=True, slots=True)
class _Parsed:
    service: str  # ssm, kms, ec2, sts (or "" when unknown)
    family: str  # json, sts or ec2: the error shape to answer in
    operation: str
    json_body: dict[str, Any]
    params: dict[str, str]


class Gateway:
    """Answers ``POST /`` for SSM, EC2, STS and KMS against one fleet."""

    def __init__(
        self,
        fleet: Fleet,
        sessions: SessionRegistry,
        keystore: KeyStore,
        stream_url: Callable[[str], str],
    ) -> None:
        self.fleet = fleet
        self.sessions = sessions
        self.keystore = keystore
        self.stream_url = stream_url
        self.commands = CommandRunner()

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler for every AWS API call."""
        request_id = str(uuid.uuid4())
        body = await request.read()
        parsed = _parse(request, body)
        try:
            response = self._answer(request, body, parsed, request_id)
        except AwsError as error:
            log.info("%s %s -> %s", parsed.service, parsed.operation, error.code)
            return _error_response(parsed.family, error, request_id)
        log.debug("%s %s -> 200", parsed.service, parsed.operation)
        return response

    def _answer(
        self, request: web.Request, body: bytes, parsed: _Parsed, request_id: str
    ) -> web.Response:
        if parsed.operation == "" or parsed.service == "":
            raise AwsError(
                "UnknownOperationException" if parsed.family == "json" else "InvalidAction",
                "The requested operation is not supported.",
            )
        signed = SignedRequest(
            method=request.method,
            path=request.raw_path.partition("?")[0],
            query=parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True),
            headers=dict(request.headers),
            body=body,
        )
        try:
            credential = verify(signed, self._secret_for)
        except SignatureError as error:
            code, status = _AUTH_ERRORS[parsed.family][error.problem]
            message = {
                SignatureProblem.UNKNOWN_KEY: _BAD_TOKEN,
                SignatureProblem.MISMATCH: _BAD_SIGNATURE,
            }.get(error.problem, error.detail)
            raise AwsError(code, message, status=status) from None
        if credential.service != parsed.service:
            code, status = _AUTH_ERRORS[parsed.family][SignatureProblem.MISMATCH]
            raise AwsError(
                code,
                f"Credential should be scoped to correct service: '{parsed.service}'.",
                status=status,
            )
        account = self.fleet.account_for_key(credential.access_key_id)
        assert account is not None  # verify() found its secret
        action = f"{parsed.service}:{parsed.operation}"
        if action in account.denied_actions:
            code, status = _DENIED.get(parsed.family, ("UnauthorizedOperation", 403))
            raise AwsError(
                code,
                f"User: {account.arn} is not authorized to perform: {action} "
                "because no identity-based policy allows the "
                f"{action} action",
                status=status,
            )
        call = ApiCall(
            account=account,
            region=credential.region,
            fleet=self.fleet,
            sessions=self.sessions,
            keystore=self.keystore,
            commands=self.commands,
            stream_url=self.stream_url,
            now=time.time(),
        )
        headers = {"x-amzn-RequestId": request_id}
        if parsed.service == "ssm":
            result = ssm_api.handle(parsed.operation, parsed.json_body, call)
        elif parsed.service == "kms":
            result = kms_api.handle(parsed.operation, parsed.json_body, call)
        else:
            api = ec2_api if parsed.service == "ec2" else sts_api
            xml = api.handle(parsed.operation, parsed.params, call, request_id)
            return web.Response(body=xml, content_type="text/xml", headers=headers)
        return web.Response(
            body=json.dumps(result).encode(), content_type=_JSON_TYPE, headers=headers
        )

    def _secret_for(self, access_key_id: str) -> str | None:
        account = self.fleet.account_for_key(access_key_id)
        return None if account is None else account.secret_access_key


def _parse(request: web.Request, body: bytes) -> _Parsed:
    target = request.headers.get("X-Amz-Target")
    if target is not None:
        prefix, _, operation = target.partition(".")
        try:
            loaded = json.loads(body or b"{}")
        except ValueError:
            loaded = None
        json_body = loaded if isinstance(loaded, dict) else {}
        return _Parsed(_JSON_TARGETS.get(prefix, ""), "json", operation, json_body, {})
    params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    params.update(parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True))
    service = _QUERY_VERSIONS.get(params.get("Version", ""), "")
    family = "ec2" if service == "ec2" else "sts"
    return _Parsed(service, family, params.get("Action", ""), {}, params)


def _error_response(family: str, error: AwsError, request_id: str) -> web.Response:
    headers = {"x-amzn-RequestId": request_id}
    if family == "json":
        headers["x-amzn-ErrorType"] = error.code
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        return web.Response(
            status=error.status, body=body, content_type=_JSON_TYPE, headers=headers
        )
    if family == "ec2":
        xml = ec2_error(error.code, error.message, request_id)
    else:
        xml = query_error(
            error.code, error.message, request_id, sender=error.sender, namespace=STS_NAMESPACE
        )
    return web.Response(status=error.status, body=xml, content_type="text/xml", headers=headers)

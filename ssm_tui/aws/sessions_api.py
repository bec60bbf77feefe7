"""The control-plane calls a session needs: Start/Resume/TerminateSession and KMS GenerateDataKey.

Every call is a coroutine that runs boto3 in a worker thread; every failure is an
:class:`~ssm_tui.aws.errors.AwsError` whose message is one line for the user.
Token values and data keys never appear in a ``repr`` (protocol.md section 12).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ssm_tui.aws.errors import AwsError, CallContext, to_aws_error
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.profiles import ClientPool, SessionFactory, default_session_factory

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_ssm import SSMClient

_T = TypeVar("_T")

#: The data key size the handshake asks KMS for (protocol.md section 8, step 2).
DATA_KEY_BYTES = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionTicket:
    """What StartSession and ResumeSession return: where and how to open the data channel."""

    session_id: str
    token_value: str = field(repr=False)
    stream_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DataKey:
    """A KMS data key: the plaintext splits into the two AES keys (protocol.md section 8)."""

    plaintext: bytes = field(repr=False)
    ciphertext_blob: bytes


class SessionTimedOutError(AwsError):
    """ResumeSession answered without a token: the session is gone (protocol.md section 7)."""


def kms_encryption_context(session_id: str, target: str) -> dict[str, str]:
    """The encryption context the client sends with GenerateDataKey (protocol.md section 8)."""
    return {"aws:ssm:SessionId": session_id, "aws:ssm:TargetId": target}


class SessionApi:
    """Session control-plane calls for one (profile, region) pair."""

    def __init__(
        self,
        pair: Pair,
        *,
        session_factory: SessionFactory = default_session_factory,
        clients: ClientPool | None = None,
    ) -> None:
        self.pair = pair
        self._clients = clients or ClientPool(session_factory)

    async def start_session(
        self,
        target: str,
        *,
        document_name: str | None = None,
        parameters: Mapping[str, Sequence[str]] | None = None,
        reason: str | None = None,
    ) -> SessionTicket:
        """StartSession on ``target`` (an instance id, or ``ecs:...``) with an optional document."""
        request: dict[str, Any] = {"Target": target}
        if document_name:
            request["DocumentName"] = document_name
        if parameters:
            request["Parameters"] = {k: list(v) for k, v in parameters.items()}
        if reason:
            request["Reason"] = reason
        context = self._context("ssm:StartSession", target)
        response = await self._call(lambda: self._ssm().start_session(**request), context)
        return _ticket(response, context, resumed=False)

    async def resume_session(self, session_id: str) -> SessionTicket:
        """ResumeSession; raises SessionTimedOutError when the service has given up on it."""
        context = self._context("ssm:ResumeSession", session_id)
        response = await self._call(
            lambda: self._ssm().resume_session(SessionId=session_id), context
        )
        return _ticket(response, context, resumed=True)

    async def terminate_session(self, session_id: str) -> None:
        """TerminateSession: the service closes the data channel (channel_closed)."""
        context = self._context("ssm:TerminateSession", session_id)
        await self._call(lambda: self._ssm().terminate_session(SessionId=session_id), context)

    async def generate_data_key(self, key_id: str, context: Mapping[str, str]) -> DataKey:
        """KMS GenerateDataKey of 64 bytes under ``key_id`` with the handshake's context."""
        call = self._context("kms:GenerateDataKey", key_id)
        response = await self._call(
            lambda: self._kms().generate_data_key(
                KeyId=key_id, NumberOfBytes=DATA_KEY_BYTES, EncryptionContext=dict(context)
            ),
            call,
        )
        return DataKey(
            plaintext=response.get("Plaintext", b""),
            ciphertext_blob=response.get("CiphertextBlob", b""),
        )

    def _context(self, action: str, target: str) -> CallContext:
        return CallContext(
            profile=self.pair.profile, region=self.pair.region, action=action, target=target
        )

    def _ssm(self) -> SSMClient:
        return self._clients.client("ssm", self.pair.profile, self.pair.region)

    def _kms(self) -> KMSClient:
        return self._clients.client("kms", self.pair.profile, self.pair.region)

    async def _call(self, call: Callable[[], _T], context: CallContext) -> _T:
        try:
            return await asyncio.to_thread(call)
        except Exception as error:
            raise to_aws_error(error, context) from error


def _ticket(response: Mapping[str, Any], context: CallContext, *, resumed: bool) -> SessionTicket:
    token = response.get("TokenValue") or ""
    session_id = response.get("SessionId") or context.target
    if not token and resumed:
        raise SessionTimedOutError(f"Session: {session_id} timed out.", code="SessionTimedOut")
    if not token:
        raise AwsError(f"{context.action} on {context.target} returned no session token")
    return SessionTicket(
        session_id=session_id, token_value=token, stream_url=response.get("StreamUrl", "")
    )

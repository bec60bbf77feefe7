"""A small test fleet served with its data channel, and real boto3 against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from ssm_tui.emulator import Account, EmulatorServer, Fleet
from ssm_tui.emulator.data_channel_endpoint import DataChannelEndpoint
from ssm_tui.emulator.faults import Faults
from tests.emulator.client_loop import ClientLoop
from tests.local_fleet import SmallFleet

REGION = "us-east-1"
ACCOUNT = Account(
    name="dc-test",
    account_id="123456789012",
    access_key_id="AKIADATACHANNELTEST1",
    secret_access_key="data/channel+test/secret/000000000000000",
    user="tester",
    regions=(REGION,),
)
KMS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
SHELL = "i-0aaaaaaaaaaaaaaa1"
KMS_SHELL = "i-0aaaaaaaaaaaaaaa2"
PORTS = "i-0aaaaaaaaaaaaaaa3"
WINDOWS = "i-0aaaaaaaaaaaaaaa4"
OLD_AGENT = "i-0aaaaaaaaaaaaaaa5"
_FLEET = SmallFleet(ACCOUNT, KMS_KEY_ID)


def make_fleet(
    *, ports: dict[int, str] | None = None, faults: Faults | None = None, idle: float = 60.0
) -> Fleet:
    """Five instances: a shell box, a KMS box, a port box, a Windows box, an old agent."""
    instance = _FLEET.instance
    return _FLEET.build(
        [
            instance(SHELL, "box-1", faults=faults),
            instance(KMS_SHELL, "vault-1", kms_key_id=KMS_KEY_ID),
            instance(PORTS, "web-9", ports=dict(ports or {}), faults=faults, private_ip="10.0.0.9"),
            instance(WINDOWS, "win-1", platform_type="Windows", platform_name="Windows"),
            instance(OLD_AGENT, "old-1", agent_version="3.0.161.0", ports=dict(ports or {})),
        ],
        idle_timeout=idle,
    )


@dataclass
class Harness:
    """A running emulator with the agent side installed, and boto3 clients pointing at it."""

    server: EmulatorServer
    endpoint: DataChannelEndpoint
    clients: list[ClientLoop] = field(default_factory=list)

    def _client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.server.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCOUNT.access_key_id,
            aws_secret_access_key=ACCOUNT.secret_access_key,
        )

    async def call(self, service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One real boto3 call, run in a thread so the emulator's loop keeps serving."""

        def run() -> dict[str, Any]:
            result: dict[str, Any] = getattr(self._client(service), operation)(**kwargs)
            return result

        return await asyncio.to_thread(run)

    async def start_session(
        self, target: str, document: str | None = None, **parameters: str
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"Target": target}
        if document:
            kwargs["DocumentName"] = document
        if parameters:
            kwargs["Parameters"] = {k: [v] for k, v in parameters.items()}
        return await self.call("ssm", "start_session", **kwargs)

    async def resume_token(self, session_id: str) -> str:
        response = await self.call("ssm", "resume_session", SessionId=session_id)
        token: str = response["TokenValue"]
        return token

    async def data_key(self, key_id: str, context: dict[str, str]) -> tuple[bytes, bytes]:
        """What the client does for KMS (§8 step 2): GenerateDataKey, 64 bytes, via boto3."""
        response = await self.call(
            "kms", "generate_data_key", KeyId=key_id, NumberOfBytes=64, EncryptionContext=context
        )
        return response["Plaintext"], response["CiphertextBlob"]

    async def open(
        self,
        target: str,
        document: str | None = None,
        *,
        client_version: str | None = "1.2.677.0",
        auto_resume: bool = False,
        connect: bool = True,
        **parameters: str,
    ) -> ClientLoop:
        """StartSession, then a ClientLoop connected with its token."""
        response = await self.start_session(target, document, **parameters)
        session_id = response["SessionId"]

        async def resume() -> str:
            return await self.resume_token(session_id)

        client = ClientLoop(
            session_id=session_id,
            target=target,
            stream_url=response["StreamUrl"],
            client_version=client_version,
            data_keys=self.data_key,
            resume=resume if auto_resume else None,
        )
        self.clients.append(client)
        client.token = response["TokenValue"]
        if connect:
            await client.connect(response["TokenValue"])
        return client


@contextlib.asynccontextmanager
async def running_fleet(fleet: Fleet | None = None) -> AsyncIterator[Harness]:
    """Start the emulator on ``fleet`` with the data channel installed; stop everything after."""
    server = EmulatorServer(fleet=fleet or make_fleet())
    async with server:
        harness = Harness(server, server.data_channel)
        try:
            yield harness
        finally:
            for client in harness.clients:
                await client.close()

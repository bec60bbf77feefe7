"""Session control-plane results keep their secrets out of reprs and logs."""

from __future__ import annotations

import dataclasses

import pytest

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.sessions_api import (
    DataKey,
    SessionApi,
    SessionTicket,
    SessionTimedOutError,
    kms_encryption_context,
)
from ssm_tui.emulator import EmulatorServer
from tests.conftest import AwsEnv


def test_a_ticket_repr_hides_the_token() -> None:
    ticket = SessionTicket(
        session_id="emu-0123456789abcdef0",
        token_value="AAEAAsecret-token",
        stream_url="ws://127.0.0.1:1/v1/data-channel/emu-0123456789abcdef0?role=publish_subscribe",
    )
    assert "secret-token" not in repr(ticket)
    assert "emu-0123456789abcdef0" in repr(ticket)


def test_a_data_key_repr_hides_the_plaintext() -> None:
    key = DataKey(plaintext=b"\x01" * 64, ciphertext_blob=b"blob")
    assert "\\x01" not in repr(key)
    assert "blob" in repr(key)


def test_the_kms_context_names_session_and_target() -> None:
    assert kms_encryption_context("s-1", "i-0123456789abcdef0") == {
        "aws:ssm:SessionId": "s-1",
        "aws:ssm:TargetId": "i-0123456789abcdef0",
    }


# --- against the local fleet ---------------------------------------------------------------

PROD_US = Pair(profile="prod", region="us-east-1")


def demo_id(server: EmulatorServer, name: str) -> str:
    return next(i.instance_id for i in server.fleet.instances if i.name == name)


async def test_start_resume_terminate_round_trip(emulator: EmulatorServer, aws_env: AwsEnv) -> None:
    aws_env(emulator)
    api = SessionApi(PROD_US)
    target = demo_id(emulator, "web-1")
    ticket = await api.start_session(target, reason="integration test")
    assert ticket.token_value
    assert ticket.stream_url.startswith(f"{emulator.endpoint_url.replace('http', 'ws')}/v1/")
    assert ticket.session_id in ticket.stream_url
    resumed = await api.resume_session(ticket.session_id)
    assert resumed.session_id == ticket.session_id
    assert resumed.token_value
    await api.terminate_session(ticket.session_id)
    with pytest.raises(SessionTimedOutError, match=f"^Session: {ticket.session_id} timed out.$"):
        await api.resume_session(ticket.session_id)


async def test_start_with_a_port_forwarding_document(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    api = SessionApi(PROD_US)
    ticket = await api.start_session(
        demo_id(emulator, "web-1"),
        document_name="AWS-StartPortForwardingSession",
        parameters={"portNumber": ["80"], "localPortNumber": ["0"]},
    )
    assert ticket.token_value
    await api.terminate_session(ticket.session_id)


async def test_an_offline_node_is_reported_as_not_connected(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    target = demo_id(emulator, "worker-3")  # ConnectionLost
    with pytest.raises(AwsError) as caught:
        await SessionApi(PROD_US).start_session(target)
    assert str(caught.value) == f"{target} is not connected (agent offline?)"
    assert caught.value.code == "TargetNotConnected"


async def test_a_denied_start_names_the_missing_permission(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    accounts = emulator.fleet.accounts
    accounts[0] = dataclasses.replace(accounts[0], denied_actions=frozenset({"ssm:StartSession"}))
    with pytest.raises(
        AwsError, match=r"^access denied: profile prod may not call ssm:StartSession"
    ):
        await SessionApi(PROD_US).start_session(demo_id(emulator, "web-1"))


async def test_resuming_an_unknown_session_says_it_does_not_exist(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    with pytest.raises(AwsError, match=r"^session alice-0000 does not exist \(ended or expired\)$"):
        await SessionApi(PROD_US).resume_session("alice-0000")


async def test_generate_data_key_gives_64_bytes_sealed_under_the_context(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    api = SessionApi(PROD_US)
    context = kms_encryption_context("alice-0123456789abcdef0", demo_id(emulator, "db-primary"))
    key = await api.generate_data_key("alias/ssm-sessions", context)
    assert len(key.plaintext) == 64
    account = emulator.fleet.accounts[0]
    _, opened = emulator.keystore.decrypt(
        account.account_id, "us-east-1", key.ciphertext_blob, context
    )
    assert opened == key.plaintext


async def test_an_unknown_kms_key_is_named(emulator: EmulatorServer, aws_env: AwsEnv) -> None:
    aws_env(emulator)
    with pytest.raises(AwsError, match=r"^KMS key alias/nope not found in prod/us-east-1$"):
        await SessionApi(PROD_US).generate_data_key("alias/nope", {})

"""StartSession, ResumeSession, TerminateSession and DescribeSessions through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ssm_tui.emulator import EmulatorServer
from tests.emulator.conftest import Profile, instance_id


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_start_session_issues_id_token_and_stream_url(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    target = instance_id(emulator_thread, "web-1")
    started = profile().client("ssm").start_session(Target=target, Reason="debugging")
    assert re.fullmatch(r"alice-[0-9a-f]{17}", started["SessionId"])
    assert started["TokenValue"].startswith("AAEAA")
    assert started["StreamUrl"] == (
        f"ws://127.0.0.1:{emulator_thread.port}/v1/data-channel/{started['SessionId']}"
        "?role=publish_subscribe"
    )
    session = emulator_thread.sessions.get(started["SessionId"])
    assert session is not None
    assert (session.target, session.session_type, session.reason) == (
        target,
        "Standard_Stream",
        "debugging",
    )


def test_tokens_are_single_use_and_resume_replaces_them(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    ssm = profile().client("ssm")
    started = ssm.start_session(Target=instance_id(emulator_thread, "api-1"))
    sid, first = started["SessionId"], started["TokenValue"]
    resumed = ssm.resume_session(SessionId=sid)
    assert resumed["TokenValue"] != first
    registry = emulator_thread.sessions
    assert registry.redeem(sid, first) is None  # superseded
    assert registry.redeem(sid, resumed["TokenValue"]) is not None
    assert registry.redeem(sid, resumed["TokenValue"]) is None  # spent


def test_terminated_sessions_move_to_history(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    ssm = profile().client("ssm")
    sid = ssm.start_session(Target=instance_id(emulator_thread, "db-replica"))["SessionId"]
    active = ssm.describe_sessions(State="Active")["Sessions"]
    assert [(s["SessionId"], s["Status"]) for s in active] == [(sid, "Connected")]
    assert ssm.terminate_session(SessionId=sid)["SessionId"] == sid
    assert ssm.describe_sessions(State="Active")["Sessions"] == []
    (past,) = ssm.describe_sessions(State="History")["Sessions"]
    assert (past["SessionId"], past["Status"]) == (sid, "Terminated")
    assert past["EndDate"] >= past["StartDate"]
    assert ssm.resume_session(SessionId=sid)["TokenValue"] == ""


def test_describe_sessions_filters_by_target(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    ssm = profile().client("ssm")
    one, two = instance_id(emulator_thread, "web-1"), instance_id(emulator_thread, "web-2")
    ssm.start_session(Target=one)
    ssm.start_session(Target=two)
    found = ssm.describe_sessions(State="Active", Filters=[{"key": "Target", "value": two}])
    assert [s["Target"] for s in found["Sessions"]] == [two]
    with pytest.raises(ClientError) as caught:
        ssm.describe_sessions(
            State="Active", Filters=[{"key": "Owner", "value": "x"}], NextToken="x"
        )
    assert _code(caught) == "InvalidNextToken"


def test_port_documents_resolve_their_properties(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    ssm = profile().client("ssm")
    target = instance_id(emulator_thread, "web-1")
    sid = ssm.start_session(
        Target=target,
        DocumentName="AWS-StartPortForwardingSessionToRemoteHost",
        Parameters={"host": ["db.internal"], "portNumber": ["5432"]},
    )["SessionId"]
    session = emulator_thread.sessions.get(sid)
    assert session is not None
    assert session.properties == {
        "portNumber": "5432",
        "type": "LocalPortForwarding",
        "localPortNumber": "0",
        "host": "db.internal",
    }
    ssh = ssm.start_session(Target=target, DocumentName="AWS-StartSSHSession")["SessionId"]
    assert emulator_thread.sessions.get(ssh).properties == {"portNumber": "22"}  # type: ignore[union-attr]


def test_command_documents_keep_their_command(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    sid = (
        profile()
        .client("ssm")
        .start_session(
            Target=instance_id(emulator_thread, "worker-1"),
            DocumentName="AWS-StartNonInteractiveCommand",
            Parameters={"command": ["uname -a"]},
        )["SessionId"]
    )
    session = emulator_thread.sessions.get(sid)
    assert session is not None
    assert (session.session_type, session.parameters) == (
        "NonInteractiveCommands",
        {"command": "uname -a"},
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "code"),
    [
        (None, {"Target": "i-00000000000000000"}, "TargetNotConnected"),
        ("worker-3", {}, "TargetNotConnected"),  # ConnectionLost
        ("legacy-ftp", {}, "TargetNotConnected"),  # no agent
        ("web-1", {"DocumentName": "AWS-RunEverything"}, "InvalidDocument"),
        ("web-1", {"DocumentName": "AWS-StartInteractiveCommand"}, "InvalidParameters"),
        (
            "web-1",
            {"DocumentName": "AWS-StartPortForwardingSession", "Parameters": {"portNumber": ["x"]}},
            "InvalidParameters",
        ),
        ("web-1", {"Parameters": {"colour": ["blue"]}}, "InvalidParameters"),
        ("reporting-win", {}, "InvalidDocument"),  # no Windows shell here
    ],
)
def test_start_session_refusals_use_aws_codes(
    profile: Profile,
    emulator_thread: EmulatorServer,
    name: str | None,
    kwargs: dict[str, Any],
    code: str,
) -> None:
    if name is not None:
        kwargs = {"Target": instance_id(emulator_thread, name), **kwargs}
    with pytest.raises(ClientError) as caught:
        profile().client("ssm").start_session(**kwargs)
    assert _code(caught) == code


def test_windows_nodes_accept_port_forwarding(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    started = (
        profile()
        .client("ssm")
        .start_session(
            Target=instance_id(emulator_thread, "reporting-win"),
            DocumentName="AWS-StartPortForwardingSession",
            Parameters={"portNumber": ["3389"]},
        )
    )
    assert started["SessionId"]


def test_resume_of_an_unknown_session_does_not_exist(profile: Profile) -> None:
    with pytest.raises(ClientError) as caught:
        profile().client("ssm").resume_session(SessionId="alice-00000000000000000")
    assert _code(caught) == "DoesNotExistException"


def test_sessions_belong_to_their_account(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    sid = (
        profile("prod")
        .client("ssm")
        .start_session(Target=instance_id(emulator_thread, "web-1"))["SessionId"]
    )
    staging = profile("staging").client("ssm")
    assert staging.describe_sessions(State="Active")["Sessions"] == []
    with pytest.raises(ClientError) as caught:
        staging.resume_session(SessionId=sid)
    assert _code(caught) == "DoesNotExistException"


def test_terminate_listeners_hear_about_it(
    profile: Profile, emulator_thread: EmulatorServer
) -> None:
    ended: list[str] = []
    emulator_thread.sessions.on_terminate(lambda s: ended.append(s.session_id))
    ssm = profile().client("ssm")
    sid = ssm.start_session(Target=instance_id(emulator_thread, "web-3"))["SessionId"]
    ssm.terminate_session(SessionId=sid)
    ssm.terminate_session(SessionId=sid)
    assert ended == [sid]

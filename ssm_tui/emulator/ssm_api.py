"""SSM (AWS JSON 1.1, ``AmazonSSM.*``): managed-node listing and the session APIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.documents import SHELL_SESSION_TYPES, resolve
from ssm_tui.emulator.errors import AwsError, validation_error
from ssm_tui.emulator.fleet import LATEST_AGENT_VERSION, Instance
from ssm_tui.emulator.paging import paginate
from ssm_tui.emulator.run_command_api import OPERATIONS as RUN_COMMAND_OPERATIONS
from ssm_tui.emulator.sessions import EmulatedSession
from ssm_tui.emulator.ssm_filters import node_filters, node_matches, ping_status, session_filter

Json = dict[str, Any]


def handle(operation: str, body: Json, call: ApiCall) -> Json:
    """Run one SSM operation; raise AwsError for AWS's error responses."""
    handler = _OPERATIONS.get(operation)
    if handler is None:
        raise AwsError("UnknownOperationException", f"Unknown operation {operation}")
    return handler(body, call)


def describe_instance_information(body: Json, call: ApiCall) -> Json:
    """DescribeInstanceInformation with Filters, the legacy filter list and pagination."""
    size = body.get("MaxResults", 10)
    if not isinstance(size, int) or not 5 <= size <= 50:
        raise validation_error(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value between 5 and 50"
        )
    filters = node_filters(body)
    nodes = [
        i
        for i in call.instances()
        if i.managed and i.state != "terminated" and node_matches(i, filters)
    ]
    page, token = paginate(
        nodes,
        token=body.get("NextToken"),
        size=size,
        query=sorted(filters.items()),
        invalid=lambda: AwsError("InvalidNextToken", "The specified token is not valid."),
    )
    result: Json = {"InstanceInformationList": [_node(i, call.now) for i in page]}
    if token:
        result["NextToken"] = token
    return result


def start_session(body: Json, call: ApiCall) -> Json:
    """StartSession on an online node with a validated document (shells refused on Windows)."""
    target = body.get("Target")
    if not isinstance(target, str) or not target:
        raise validation_error("1 validation error detected: Value null at 'target'")
    instance = call.fleet.instance(call.account.account_id, call.region, target)
    if instance is None or not instance.online:
        raise AwsError("TargetNotConnected", f"{target} is not connected.")
    document, values = resolve(body.get("DocumentName"), body.get("Parameters"))
    if instance.platform_type == "Windows" and document.session_type in SHELL_SESSION_TYPES:
        raise AwsError(
            "InvalidDocument",
            f"{target} is a Windows node: the local fleet runs no Windows shell "
            f"({document.name}); port forwarding to it works.",
        )
    session = call.sessions.start(
        user=call.account.user,
        account_id=call.account.account_id,
        region=call.region,
        owner=call.account.arn,
        instance=instance,
        target=target,
        document_name=document.name,
        session_type=document.session_type,
        parameters=values,
        properties=document.properties(values),
        reason=str(body.get("Reason") or ""),
        faults=call.fleet.faults_for(instance),
        stream_url=call.stream_url,
        kms_key_id=call.fleet.kms_key_for(instance),
        now=call.now,
    )
    return _issued(session)


def resume_session(body: Json, call: ApiCall) -> Json:
    """ResumeSession: a new single-use token; a terminated session gets an empty token."""
    session = _own_session(body, call)
    if session is None:
        raise AwsError("DoesNotExistException", f"Session {body.get('SessionId')} does not exist.")
    session = call.sessions.resume(session.session_id) or session
    if not session.active:
        # The official client reads an empty token as "Session <id> timed out" (protocol.md §7).
        return {"SessionId": session.session_id, "TokenValue": "", "StreamUrl": ""}
    return _issued(session)


def terminate_session(body: Json, call: ApiCall) -> Json:
    """TerminateSession; like AWS it succeeds for sessions already over or unknown."""
    session = _own_session(body, call)
    if session is not None:
        call.sessions.terminate(session.session_id, now=call.now)
    return {"SessionId": str(body.get("SessionId", ""))}


def describe_sessions(body: Json, call: ApiCall) -> Json:
    """DescribeSessions for State Active or History, with Filters and pagination."""
    state = body.get("State")
    if state not in ("Active", "History"):
        raise validation_error(f"Value '{state}' at 'state' failed to satisfy constraint")
    size = body.get("MaxResults", 20)
    if not isinstance(size, int) or not 1 <= size <= 200:
        raise validation_error(f"Value '{size}' at 'maxResults' failed to satisfy constraint")
    checks = [session_filter(f) for f in body.get("Filters") or []]
    found = [
        s
        for s in call.sessions.sessions(call.account.account_id, call.region)
        if s.active == (state == "Active") and all(check(s) for check in checks)
    ]
    found.reverse()  # newest first, as the console shows them
    page, token = paginate(
        found,
        token=body.get("NextToken"),
        size=size,
        query=(state, repr(body.get("Filters"))),
        invalid=lambda: AwsError("InvalidNextToken", "The specified token is not valid."),
    )
    result: Json = {"Sessions": [_session(s) for s in page]}
    if token:
        result["NextToken"] = token
    return result


def _own_session(body: Json, call: ApiCall) -> EmulatedSession | None:
    session = call.sessions.get(str(body.get("SessionId", "")))
    if session is None or (session.account_id, session.region) != (
        call.account.account_id,
        call.region,
    ):
        return None
    return session


def _issued(session: EmulatedSession) -> Json:
    return {
        "SessionId": session.session_id,
        "TokenValue": session.token or "",
        "StreamUrl": session.stream_url,
    }


def _node(instance: Instance, now: float) -> Json:
    ping = ping_status(instance)
    last_ping = now - {"Online": 30.0, "ConnectionLost": 3 * 3600.0}.get(ping, 40 * 86400.0)
    return {
        "InstanceId": instance.instance_id,
        "PingStatus": ping,
        "LastPingDateTime": round(last_ping, 3),
        "AgentVersion": instance.agent_version,
        "IsLatestVersion": instance.agent_version == LATEST_AGENT_VERSION,
        "PlatformType": instance.platform_type,
        "PlatformName": instance.platform_name,
        "PlatformVersion": instance.platform_version,
        "ResourceType": "EC2Instance",
        "IPAddress": instance.private_ip,
        "ComputerName": instance.computer_name,
        "AssociationStatus": "Success",
        "SourceId": instance.instance_id,
        "SourceType": "AWS::EC2::Instance",
    }


def _session(session: EmulatedSession) -> Json:
    out: Json = {
        "SessionId": session.session_id,
        "Target": session.target,
        "Status": session.status.value,
        "StartDate": round(session.start_date, 3),
        "DocumentName": session.document_name,
        "Owner": session.owner,
        "Details": "",
        "OutputUrl": {"S3OutputUrl": "", "CloudWatchOutputUrl": ""},
    }
    if session.reason:
        out["Reason"] = session.reason
    if session.end_date is not None:
        out["EndDate"] = round(session.end_date, 3)
    return out


_OPERATIONS: dict[str, Callable[[Json, ApiCall], Json]] = {
    "DescribeInstanceInformation": describe_instance_information,
    "StartSession": start_session,
    "ResumeSession": resume_session,
    "TerminateSession": terminate_session,
    "DescribeSessions": describe_sessions,
    **RUN_COMMAND_OPERATIONS,
}

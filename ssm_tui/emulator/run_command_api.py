"""SSM Run Command (AWS JSON 1.1): SendCommand, ListCommands, ListCommandInvocations, ..."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError, validation_error
from ssm_tui.emulator.fleet import Instance
from ssm_tui.emulator.paging import paginate
from ssm_tui.emulator.run_command import PLUGIN_NAME, Command
from ssm_tui.emulator.run_command_shapes import command_shape, invocation_result, invocation_shape

Json = dict[str, Any]

RUN_SHELL_SCRIPT = "AWS-RunShellScript"
_PARAMETERS = frozenset({"commands", "workingDirectory", "executionTimeout"})
_DEFAULT_EXECUTION_TIMEOUT = 3600
_DEFAULT_DELIVERY_TIMEOUT = 3600
_MAX_INSTANCE_IDS = 50
_INSTANCE_ID = re.compile(r"^(i-(\w{8}|\w{17})|mi-\w{17})$")
_CONCURRENCY = re.compile(r"^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
_ERRORS = re.compile(r"^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
_COMMAND_FILTERS = frozenset(
    {"InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName"}
)


def send_command(body: Json, call: ApiCall) -> Json:
    """SendCommand of AWS-RunShellScript to InstanceIds or Targets; starts it right away."""
    document = body.get("DocumentName")
    if document != RUN_SHELL_SCRIPT:
        raise AwsError(
            "InvalidDocument",
            f"Document {document} is not available in the local fleet: it runs {RUN_SHELL_SCRIPT}.",
        )
    parameters = _parameters(body.get("Parameters"))
    ids, targets = body.get("InstanceIds") or [], body.get("Targets") or []
    if bool(ids) == bool(targets):
        raise validation_error("Exactly one of InstanceIds and Targets must be specified.")
    instances = _by_ids(ids, call) if ids else _by_targets(targets, call)
    timeout = _bounded(body.get("TimeoutSeconds", _DEFAULT_DELIVERY_TIMEOUT), "timeoutSeconds", 30)
    comment = str(body.get("Comment") or "")
    if len(comment) > 100:
        raise validation_error("Value at 'comment' failed to satisfy constraint: length <= 100")
    command = Command(
        command_id=str(uuid.uuid4()),
        account_id=call.account.account_id,
        region=call.region,
        document_name=RUN_SHELL_SCRIPT,
        comment=comment,
        parameters=parameters,
        instance_ids=list(ids),
        targets=list(targets),
        requested=call.now,
        timeout_seconds=timeout,
        execution_timeout=int(
            "".join(parameters.get("executionTimeout", [str(_DEFAULT_EXECUTION_TIMEOUT)]))
        ),
        max_concurrency=_matching(body.get("MaxConcurrency", "50"), _CONCURRENCY, "maxConcurrency"),
        max_errors=_matching(body.get("MaxErrors", "0"), _ERRORS, "maxErrors"),
    )
    call.commands.add(command, instances)
    return {"Command": command_shape(command)}


def list_commands(body: Json, call: ApiCall) -> Json:
    """ListCommands: the caller's commands, newest first, by CommandId / InstanceId / Filters."""
    found = list(call.commands.commands(call.account.account_id, call.region))
    command_id, instance_id = body.get("CommandId"), body.get("InstanceId")
    if command_id is not None:
        found = [c for c in found if c.command_id == _command_id(command_id)]
    if instance_id is not None:
        found = [c for c in found if _checked_id(instance_id) in c.invocations]
    checks = [_command_filter(f) for f in body.get("Filters") or []]
    found = [c for c in found if all(check(c) for check in checks)]
    page, token = _page(found, body, query=("commands", command_id, instance_id, repr(checks)))
    result: Json = {"Commands": [command_shape(c) for c in page]}
    if token:
        result["NextToken"] = token
    return result


def list_command_invocations(body: Json, call: ApiCall) -> Json:
    """ListCommandInvocations: one entry per (command, instance), with plugin output on Details."""
    commands = list(call.commands.commands(call.account.account_id, call.region))
    command_id, instance_id = body.get("CommandId"), body.get("InstanceId")
    if command_id is not None:
        commands = [c for c in commands if c.command_id == _command_id(command_id)]
    found = [(c, i) for c in commands for i in c.invocations.values()]
    if instance_id is not None:
        found = [(c, i) for c, i in found if i.instance_id == _checked_id(instance_id)]
    details = bool(body.get("Details"))
    page, token = _page(found, body, query=("invocations", command_id, instance_id))
    result: Json = {
        "CommandInvocations": [invocation_shape(c, i, details=details) for c, i in page]
    }
    if token:
        result["NextToken"] = token
    return result


def get_command_invocation(body: Json, call: ApiCall) -> Json:
    """GetCommandInvocation: status, exit code and the first 24000/8000 characters of output."""
    command_id = _command_id(body.get("CommandId"))
    instance_id = _checked_id(body.get("InstanceId"))
    command = _own(call.commands.get(command_id), call)
    invocation = None if command is None else command.invocations.get(instance_id)
    plugin = body.get("PluginName")
    if command is None or invocation is None or plugin not in (None, PLUGIN_NAME):
        raise AwsError("InvocationDoesNotExist", "")
    return invocation_result(command, invocation)


def cancel_command(body: Json, call: ApiCall) -> Json:
    """CancelCommand for all of a command's invocations, or those on InstanceIds."""
    command = _own(call.commands.get(_command_id(body.get("CommandId"))), call)
    if command is None:
        raise AwsError("InvalidCommandId", "")
    ids = [_checked_id(i) for i in body.get("InstanceIds") or []]
    if len(set(ids)) != len(ids):
        raise AwsError("DuplicateInstanceId", "")
    call.commands.cancel(command, ids, now=call.now)
    return {}


OPERATIONS: dict[str, Callable[[Json, ApiCall], Json]] = {
    "SendCommand": send_command,
    "ListCommands": list_commands,
    "ListCommandInvocations": list_command_invocations,
    "GetCommandInvocation": get_command_invocation,
    "CancelCommand": cancel_command,
}


def _parameters(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, Mapping):
        raise AwsError("InvalidParameters", "The commands parameter is required.")
    unknown = sorted(set(raw) - _PARAMETERS)
    if unknown:
        raise AwsError(
            "InvalidParameters", f"Parameter {unknown[0]} is not valid for the document."
        )
    values: dict[str, list[str]] = {}
    for key, value in raw.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AwsError("InvalidParameters", f"Parameter {key} must be a list of strings.")
        values[key] = value
    if not any(line.strip() for line in values.get("commands", [])):
        raise AwsError("InvalidParameters", "The commands parameter is required.")
    timeout = "".join(values.get("executionTimeout", [str(_DEFAULT_EXECUTION_TIMEOUT)]))
    if not timeout.isdigit() or not 1 <= int(timeout) <= 172_800:
        raise AwsError(
            "InvalidParameters", "executionTimeout must be a number of seconds from 1 to 172800."
        )
    return values


def _by_ids(ids: Any, call: ApiCall) -> list[Instance]:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise validation_error("Value at 'instanceIds' failed to satisfy constraint")
    if len(ids) > _MAX_INSTANCE_IDS:
        raise validation_error(
            f"1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: "
            f"Member must have length less than or equal to {_MAX_INSTANCE_IDS}"
        )
    if len(set(ids)) != len(ids):
        raise AwsError("DuplicateInstanceId", "")
    known = {i.instance_id: i for i in call.instances() if i.managed and i.state != "terminated"}
    missing = [i for i in ids if i not in known]
    if missing:
        shown = ", ".join(missing)
        raise AwsError(
            "InvalidInstanceId",
            f"Instances [[{shown}]] not in a valid state for account {call.account.account_id}",
        )
    return [known[i] for i in ids]


def _by_targets(targets: Any, call: ApiCall) -> list[Instance]:
    if not isinstance(targets, list) or len(targets) > 5:
        raise validation_error("Value at 'targets' failed to satisfy constraint: at most 5")
    found = [i for i in call.instances() if i.managed and i.state != "terminated"]
    for target in targets:
        key, values = (target or {}).get("Key"), (target or {}).get("Values") or []
        if key == "InstanceIds":
            found = [i for i in found if i.instance_id in values]
        elif key == "tag-key":
            found = [i for i in found if any(v in i.tags for v in values)]
        elif isinstance(key, str) and key.startswith("tag:"):
            found = [i for i in found if i.tags.get(key[4:]) in values]
        else:
            raise validation_error(f"Target key {key} is not supported by the local fleet.")
    return found


def _bounded(value: Any, name: str, low: int, high: int = 2_592_000) -> int:
    if not isinstance(value, int) or not low <= value <= high:
        raise validation_error(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
            f"constraint: Member must have value between {low} and {high}"
        )
    return value


def _matching(value: Any, pattern: re.Pattern[str], name: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise validation_error(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {pattern.pattern}"
        )
    return value


def _command_id(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise validation_error(
            f"1 validation error detected: Value '{value}' at 'commandId' failed to satisfy "
            "constraint: Member must have length 36"
        )
    return value


def _checked_id(value: Any) -> str:
    if not isinstance(value, str) or not _INSTANCE_ID.match(value):
        raise validation_error(
            f"1 validation error detected: Value '{value}' at 'instanceId' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern"
        )
    return value


def _command_filter(item: Any) -> Callable[[Command], bool]:
    key, value = (item or {}).get("key"), str((item or {}).get("value", ""))
    if key not in _COMMAND_FILTERS:
        raise AwsError("InvalidFilterKey", "")
    if key == "Status":
        return lambda c: c.status == value
    if key == "DocumentName":
        return lambda c: c.document_name == value
    if key == "ExecutionStage":
        return lambda c: (c.status in ("Pending", "InProgress")) == (value == "Executing")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise validation_error(f"{key} needs a date such as 2024-01-31T00:00:00Z") from None
    if key == "InvokedAfter":
        return lambda c: c.requested >= moment
    return lambda c: c.requested <= moment


def _page(items: list[Any], body: Json, *, query: object) -> tuple[list[Any], str | None]:
    size = body.get("MaxResults", 50)
    if not isinstance(size, int) or not 1 <= size <= 50:
        raise validation_error(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value between 1 and 50"
        )
    return paginate(
        items,
        token=body.get("NextToken"),
        size=size,
        query=query,
        invalid=lambda: AwsError("InvalidNextToken", "The specified token is not valid."),
    )


def _own(command: Command | None, call: ApiCall) -> Command | None:
    if command is None or (command.account_id, command.region) != (
        call.account.account_id,
        call.region,
    ):
        return None
    return command

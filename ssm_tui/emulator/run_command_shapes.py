"""The JSON shapes of Run Command's responses, field for field as botocore's model has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ssm_tui.emulator.run_command import PLUGIN_NAME, Command, Invocation

Json = dict[str, Any]
# Constant parts of every answer (serialised straight away, never changed).
_NOTIFICATIONS = {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""}
_CLOUDWATCH = {"CloudWatchOutputEnabled": False}


def invocation_result(command: Command, invocation: Invocation) -> Json:
    """GetCommandInvocation's answer: status, exit code, times and the two outputs."""
    return {
        "CommandId": command.command_id,
        "InstanceId": invocation.instance_id,
        "Comment": command.comment,
        "DocumentName": command.document_name,
        "DocumentVersion": "$DEFAULT",
        "PluginName": PLUGIN_NAME,
        "ResponseCode": invocation.response_code,
        "ExecutionStartDateTime": _iso(invocation.started),
        "ExecutionElapsedTime": _elapsed(invocation),
        "ExecutionEndDateTime": _iso(invocation.ended),
        "Status": invocation.status,
        "StatusDetails": invocation.status_details,
        "StandardOutputContent": invocation.stdout,
        "StandardOutputUrl": "",
        "StandardErrorContent": invocation.stderr,
        "StandardErrorUrl": "",
        "CloudWatchOutputConfig": _CLOUDWATCH,
    }


def command_shape(command: Command) -> Json:
    """A ``Command`` as SendCommand and ListCommands return it."""
    return {
        "CommandId": command.command_id,
        "DocumentName": command.document_name,
        "DocumentVersion": "$DEFAULT",
        "Comment": command.comment,
        "ExpiresAfter": round(command.expires, 3),
        "Parameters": command.parameters,
        "InstanceIds": command.instance_ids,
        "Targets": command.targets,
        "RequestedDateTime": round(command.requested, 3),
        "Status": command.status,
        "StatusDetails": command.status_details,
        "OutputS3Region": command.region,
        "OutputS3KeyPrefix": "",
        "MaxConcurrency": command.max_concurrency,
        "MaxErrors": command.max_errors,
        "TargetCount": len(command.invocations),
        "CompletedCount": command.completed_count,
        "ErrorCount": command.error_count,
        "DeliveryTimedOutCount": command.delivery_timed_out_count,
        "ServiceRole": "",
        "NotificationConfig": _NOTIFICATIONS,
        "CloudWatchOutputConfig": _CLOUDWATCH,
        "TimeoutSeconds": command.timeout_seconds,
    }


def invocation_shape(command: Command, invocation: Invocation, *, details: bool) -> Json:
    """A ``CommandInvocation`` of ListCommandInvocations (its plugin only with ``details``)."""
    out: Json = {
        "CommandId": command.command_id,
        "InstanceId": invocation.instance_id,
        "InstanceName": invocation.instance_name,
        "Comment": command.comment,
        "DocumentName": command.document_name,
        "DocumentVersion": "$DEFAULT",
        "RequestedDateTime": round(command.requested, 3),
        "Status": invocation.status,
        "StatusDetails": invocation.status_details,
        "StandardOutputUrl": "",
        "StandardErrorUrl": "",
        "CommandPlugins": [],
        "ServiceRole": "",
        "NotificationConfig": _NOTIFICATIONS,
        "CloudWatchOutputConfig": _CLOUDWATCH,
    }
    if details:
        plugin: Json = {
            "Name": PLUGIN_NAME,
            "Status": "InProgress" if invocation.status == "Cancelling" else invocation.status,
            "StatusDetails": invocation.status_details,
            "ResponseCode": invocation.response_code,
            "Output": invocation.plugin_output,
            "StandardOutputUrl": "",
            "StandardErrorUrl": "",
            "OutputS3Region": command.region,
            "OutputS3KeyPrefix": "",
        }
        if invocation.started is not None:
            plugin["ResponseStartDateTime"] = round(invocation.started, 3)
        if invocation.ended is not None:
            plugin["ResponseFinishDateTime"] = round(invocation.ended, 3)
        out["CommandPlugins"] = [plugin]
    return out


def _iso(moment: float | None) -> str:
    if moment is None:
        return ""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _elapsed(invocation: Invocation) -> str:
    if invocation.started is None or invocation.ended is None:
        return ""
    return f"PT{invocation.ended - invocation.started:.3f}S"

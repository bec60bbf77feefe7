"""The session-manager-plugin command line the AWS CLI passes (protocol.md §13.1), parsed."""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ssm_tui.aws.sessions_api import SessionTicket
from ssm_tui.cli.runtime import CliError

#: What ``--version`` prints. The AWS CLI passes the StartSession response through an
#: environment variable to plugins newer than 1.2.497.0 and warns below 1.2.764.0 (its
#: recommended minimum), so we report the release whose command line we implement.
PLUGIN_VERSION = "1.2.764.0"
#: Prefix of the environment variable that may carry the StartSession response.
RESPONSE_ENV_PREFIX = "AWS_SSM_START_SESSION_RESPONSE"
OPERATION = "StartSession"
INSTALLED_MESSAGE = (
    "\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PluginRequest:
    """An already started session to attach to, and how to reach its control plane."""

    ticket: SessionTicket
    region: str
    profile: str | None = None
    target: str = ""
    document_name: str | None = None
    parameters: dict[str, list[str]] = field(default_factory=dict)
    endpoint_url: str | None = None

    @property
    def document(self) -> str:
        """The document's short name (an ARN's last part), "" for the default shell."""
        return (self.document_name or "").rpartition("document/")[2]

    def parameter(self, name: str, default: str = "") -> str:
        """The first value of a document parameter, or ``default``."""
        values = self.parameters.get(name) or [default]
        return values[0]


def parse_request(
    args: Sequence[str], environ: MutableMapping[str, str] | None = None
) -> PluginRequest:
    """Parse the arguments after the program name: response, region, operation, [profile,
    request parameters, endpoint URL]. Three arguments is the legacy form (no profile).

    The response is JSON or the name of an environment variable holding it; such a
    variable is removed from ``environ`` (default ``os.environ``) once read.
    """
    if not 3 <= len(args) <= 6:
        raise CliError(f"expected 3 to 6 arguments, got {len(args)}")
    response, region, operation, *rest = args
    if operation != OPERATION:
        raise CliError(f"Unknown operation {operation}")
    profile, request, endpoint = [*rest, "", "", ""][:3]
    details = _json_object(request, "request parameters") if request else {}
    return PluginRequest(
        ticket=_ticket(_response_text(response, os.environ if environ is None else environ)),
        region=region,
        profile=profile or None,
        target=_optional_text(details, "Target"),
        document_name=_optional_text(details, "DocumentName") or None,
        parameters=_parameters(details.get("Parameters")),
        endpoint_url=endpoint or None,
    )


def _response_text(argument: str, environ: MutableMapping[str, str]) -> str:
    if not argument.startswith(RESPONSE_ENV_PREFIX):
        return argument
    text = environ.pop(argument, None)
    if text is None:
        raise CliError(f"the environment variable {argument} is not set")
    return text


def _ticket(text: str) -> SessionTicket:
    response = _json_object(text, "StartSession response")
    values = {key: response.get(key) for key in ("SessionId", "TokenValue", "StreamUrl")}
    missing = [key for key, value in values.items() if not isinstance(value, str) or not value]
    if missing:
        raise CliError(f"the StartSession response has no {', '.join(missing)}")
    return SessionTicket(
        session_id=str(values["SessionId"]),
        token_value=str(values["TokenValue"]),
        stream_url=str(values["StreamUrl"]),
    )


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise CliError(f"{what}: not valid JSON") from None
    if not isinstance(value, dict):
        raise CliError(f"{what}: expected a JSON object")
    return value


def _optional_text(details: dict[str, Any], key: str) -> str:
    value = details.get(key, "")
    if not isinstance(value, str):
        raise CliError(f"{key} in the request parameters must be a string")
    return value


def _parameters(value: object) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CliError("Parameters in the request parameters must be a JSON object")
    return {
        str(key): [str(v) for v in given] if isinstance(given, list) else [str(given)]
        for key, given in value.items()
    }

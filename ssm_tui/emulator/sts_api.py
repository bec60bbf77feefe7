"""STS (query protocol): GetCallerIdentity for the account the access key belongs to."""

from __future__ import annotations

from collections.abc import Mapping

from ssm_tui.emulator.api_call import ApiCall
from ssm_tui.emulator.errors import AwsError
from ssm_tui.emulator.xml_shapes import STS_NAMESPACE, children, query_response, serialize


def handle(action: str, params: Mapping[str, str], call: ApiCall, request_id: str) -> bytes:
    """Run one STS action and return the XML body."""
    if action != "GetCallerIdentity":
        raise AwsError("InvalidAction", f"Could not find operation {action} for version 2011-06-15")
    root, result = query_response(action, STS_NAMESPACE, request_id)
    account = call.account
    children(result, {"Arn": account.arn, "UserId": account.user_id, "Account": account.account_id})
    return serialize(root)

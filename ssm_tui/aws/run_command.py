"""SSM Run Command through boto3: send a shell script to many nodes, then read each result."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from ssm_tui.aws.errors import CallContext, to_aws_error
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.profiles import ClientPool

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

_T = TypeVar("_T")

DOCUMENT = "AWS-RunShellScript"
#: SendCommand takes at most this many InstanceIds per call.
MAX_IDS_PER_CALL = 50
_PAGE_SIZE = 50
FINAL_STATUSES = frozenset({"Success", "Failed", "TimedOut", "Cancelled"})
_ELAPSED = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationResult:
    """Where one node's invocation stands; stdout and stderr once GetCommandInvocation read them.

    ``response_code`` is None while there is none (AWS reports -1); ``elapsed`` is the
    service's ExecutionElapsedTime in seconds, when it gave one.
    """

    instance_id: str
    status: str
    status_details: str = ""
    response_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    elapsed: float | None = None

    @property
    def final(self) -> bool:
        """True once the invocation cannot change any more."""
        return self.status in FINAL_STATUSES


class RunCommandApi:
    """SendCommand / ListCommandInvocations / GetCommandInvocation / CancelCommand for a pair."""

    def __init__(self, pair: Pair, *, clients: ClientPool | None = None) -> None:
        self.pair = pair
        self._clients = clients or ClientPool()

    async def send(
        self,
        instance_ids: Sequence[str],
        script: str,
        *,
        execution_timeout: int | None = None,
        comment: str = "",
    ) -> list[str]:
        """Send ``script`` to the nodes, 50 ids per SendCommand; the command ids, in order."""
        parameters: dict[str, list[str]] = {"commands": [script]}
        if execution_timeout is not None:
            parameters["executionTimeout"] = [str(execution_timeout)]
        command_ids = []
        for start in range(0, len(instance_ids), MAX_IDS_PER_CALL):
            batch = list(instance_ids[start : start + MAX_IDS_PER_CALL])
            request: dict[str, Any] = {
                "InstanceIds": batch,
                "DocumentName": DOCUMENT,
                "Parameters": parameters,
                "MaxConcurrency": str(len(batch)),
            }
            if comment:
                request["Comment"] = comment[:100]
            named = batch[0] if len(batch) == 1 else "one of " + ", ".join(batch[:3])
            context = self._context("ssm:SendCommand", named + (", ..." if len(batch) > 3 else ""))
            response = await self._call(partial(self._send_one, request), context)
            command_ids.append(str(response["Command"]["CommandId"]))
        return command_ids

    def _send_one(self, request: dict[str, Any]) -> Any:
        return self._ssm().send_command(**request)

    async def statuses(self, command_id: str) -> list[InvocationResult]:
        """Every invocation of ``command_id`` (all pages of ListCommandInvocations, Details on)."""
        context = self._context("ssm:ListCommandInvocations", command_id)

        def list_all() -> list[InvocationResult]:
            pages = self._ssm().get_paginator("list_command_invocations")
            found = []
            for page in pages.paginate(
                CommandId=command_id, Details=True, PaginationConfig={"PageSize": _PAGE_SIZE}
            ):
                found += [_listed(item) for item in page.get("CommandInvocations", [])]
            return found

        return await self._call(list_all, context)

    async def result(self, command_id: str, instance_id: str) -> InvocationResult:
        """GetCommandInvocation: status, exit code, and the stdout and stderr AWS kept."""
        context = self._context("ssm:GetCommandInvocation", instance_id)
        response = await self._call(
            lambda: self._ssm().get_command_invocation(
                CommandId=command_id, InstanceId=instance_id
            ),
            context,
        )
        return InvocationResult(
            instance_id=instance_id,
            status=response.get("Status", ""),
            status_details=response.get("StatusDetails", ""),
            response_code=_code(response.get("ResponseCode")),
            stdout=response.get("StandardOutputContent", ""),
            stderr=response.get("StandardErrorContent", ""),
            elapsed=parse_elapsed(response.get("ExecutionElapsedTime", "")),
        )

    async def cancel(self, command_id: str) -> None:
        """CancelCommand for every node the command has not finished on."""
        context = self._context("ssm:CancelCommand", command_id)
        await self._call(lambda: self._ssm().cancel_command(CommandId=command_id), context)

    def _context(self, action: str, target: str) -> CallContext:
        return CallContext(
            profile=self.pair.profile, region=self.pair.region, action=action, target=target
        )

    def _ssm(self) -> SSMClient:
        return self._clients.client("ssm", self.pair.profile, self.pair.region)

    async def _call(self, call: Callable[[], _T], context: CallContext) -> _T:
        try:
            return await asyncio.to_thread(call)
        except Exception as error:
            raise to_aws_error(error, context) from error


def parse_elapsed(text: str) -> float | None:
    """Seconds in an ISO 8601 duration such as ``PT1M2.5S``; None when there is none."""
    match = _ELAPSED.match(text or "")
    if not text or match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def _listed(item: Any) -> InvocationResult:
    plugins = item.get("CommandPlugins") or [{}]
    return InvocationResult(
        instance_id=item.get("InstanceId", ""),
        status=item.get("Status", ""),
        status_details=item.get("StatusDetails", ""),
        response_code=_code(plugins[0].get("ResponseCode")),
    )


def _code(value: Any) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None

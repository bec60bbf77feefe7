"""Run Command in the local fleet: commands, their per-instance invocations, and their state."""

from __future__ import annotations

from dataclasses import dataclass, field

PLUGIN_NAME = "aws:runShellScript"
# Limits of the service's responses: GetCommandInvocation's two contents, and the plugin
# Output ListCommandInvocations returns with Details (stdout, then stderr after a marker).
STDOUT_LIMIT = 24_000
STDERR_LIMIT = 8_000
PLUGIN_OUTPUT_LIMIT = 2_500
ERROR_MARKER = "\n----------ERROR-------\n"

# Invocation statuses a command never leaves.
FINAL_STATUSES = frozenset({"Success", "Failed", "TimedOut", "Cancelled"})


@dataclass(slots=True, kw_only=True)
class Invocation:
    """One command on one instance: where it stands, and what it printed."""

    command_id: str
    instance_id: str
    instance_name: str
    status: str = "Pending"
    status_details: str = "Pending"
    response_code: int = -1
    started: float | None = None
    ended: float | None = None
    stdout: str = ""
    stderr: str = ""

    @property
    def done(self) -> bool:
        """True once the invocation reached a final status."""
        return self.status in FINAL_STATUSES

    def finish(self, status: str, details: str, *, now: float, code: int = -1) -> None:
        """Move to a final status (a second call changes nothing)."""
        if self.done:
            return
        self.status, self.status_details, self.response_code = status, details, code
        self.ended = now

    @property
    def plugin_output(self) -> str:
        """What ListCommandInvocations shows with Details: stdout, then any stderr, cut short."""
        text = self.stdout + (ERROR_MARKER + self.stderr if self.stderr else "")
        return text[:PLUGIN_OUTPUT_LIMIT]


@dataclass(slots=True, kw_only=True)
class Command:
    """One SendCommand: the document, its parameters, and an invocation per target instance."""

    command_id: str
    account_id: str
    region: str
    document_name: str
    comment: str
    parameters: dict[str, list[str]]
    instance_ids: list[str]
    targets: list[dict[str, object]]
    requested: float
    timeout_seconds: int
    execution_timeout: int
    max_concurrency: str
    max_errors: str
    invocations: dict[str, Invocation] = field(default_factory=dict)
    cancel_requested: bool = False

    @property
    def script(self) -> str:
        """The shell script: the ``commands`` lines, as the agent writes them to a file."""
        return "\n".join(self.parameters.get("commands", [])) + "\n"

    @property
    def working_directory(self) -> str:
        """The ``workingDirectory`` parameter, or an empty string."""
        return "".join(self.parameters.get("workingDirectory", []))

    @property
    def expires(self) -> float:
        """When the service gives up on the command (delivery plus execution timeouts)."""
        return self.requested + self.timeout_seconds + self.execution_timeout

    @property
    def status(self) -> str:
        """The command's roll-up of its invocations' statuses."""
        statuses = [i.status for i in self.invocations.values()]
        if not all(s in FINAL_STATUSES for s in statuses):
            if self.cancel_requested:
                return "Cancelling"
            return "Pending" if all(s == "Pending" for s in statuses) else "InProgress"
        for status in ("Cancelled", "Failed", "TimedOut"):
            if status in statuses:
                return status
        return "Success"

    @property
    def status_details(self) -> str:
        """The command's StatusDetails (``NoInstancesInTag`` when its targets matched none)."""
        if not self.invocations and self.targets:
            return "NoInstancesInTag"
        return {"InProgress": "In Progress", "TimedOut": "Delivery Timed Out"}.get(
            self.status, self.status
        )

    @property
    def completed_count(self) -> int:
        """Invocations in a final status."""
        return sum(1 for i in self.invocations.values() if i.done)

    @property
    def error_count(self) -> int:
        """Invocations that failed or timed out while running."""
        return sum(
            1
            for i in self.invocations.values()
            if i.status == "Failed" or i.status_details == "ExecutionTimedOut"
        )

    @property
    def delivery_timed_out_count(self) -> int:
        """Invocations never delivered: their instance did not come online in time."""
        return sum(1 for i in self.invocations.values() if i.status_details == "DeliveryTimedOut")

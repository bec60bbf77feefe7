"""ExecSession: one command without a terminal, stdout and stderr apart, and its exit code."""

from __future__ import annotations

from collections.abc import Callable

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.sessions.base import Session, SessionOptions
from ssm_tui.transport.state import StateObserver

EXEC_DOCUMENT = "AWS-StartNonInteractiveCommand"

OutputHandler = Callable[[bytes], None]


class ExecSession(Session):
    """Runs ``command`` through AWS-StartNonInteractiveCommand (NonInteractiveCommands, §10.1).

    Output (PayloadType 1) goes to ``on_stdout``, StdErr (11) to ``on_stderr``; the exit
    code arrives as the ExitCode payload (12) before the service's channel_closed.
    """

    document_name = EXEC_DOCUMENT

    def __init__(
        self,
        api: SessionApi,
        target: str,
        command: str,
        *,
        on_stdout: OutputHandler,
        on_stderr: OutputHandler,
        options: SessionOptions | None = None,
        on_state: StateObserver | None = None,
    ) -> None:
        super().__init__(
            api, target, parameters={"command": [command]}, options=options, on_state=on_state
        )
        self.command = command
        self._on_stdout = on_stdout
        self._on_stderr = on_stderr

    def on_data(self, data: bytes) -> None:
        self._on_stdout(data)

    def on_stderr(self, data: bytes) -> None:
        self._on_stderr(data)

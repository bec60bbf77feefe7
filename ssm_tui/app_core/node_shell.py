"""NodeShell: one node's shell, started again after it ends, and what it is doing now."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from ssm_tui.app_core.session_services import SessionServices
from ssm_tui.app_core.tab_recording import RecordingError, StoppedRecording, TabRecording
from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.sessions import CONNECTING, ConnectionState, ended
from ssm_tui.sessions.base import SessionEnd
from ssm_tui.sessions.shell import ShellSession

OutputHandler = Callable[[bytes], None]
EndHandler = Callable[[SessionEnd], None]


class NodeShell:
    """The shell behind a tab: a session at a time on ``node``, its state and how it ended.

    ``on_output`` gets the remote bytes of the current session; ``on_end`` is told once
    per session how it ended (including a StartSession refusal); ``on_change`` is called
    whenever ``state`` or ``end`` changed. A closed shell's session is terminated in the
    background and its output dropped.

    ``document`` names the session document (empty: the account's default shell). With a
    ``recording``, output, keys and resizes are fed to it while it is on; switched on
    before the session has an id, it starts with the session (its file is named by it).
    """

    def __init__(
        self,
        node: ManagedNode,
        services: SessionServices,
        *,
        on_output: OutputHandler,
        on_end: EndHandler,
        on_change: Callable[[], None],
        document: str = "",
        recording: TabRecording | None = None,
    ) -> None:
        self.node = node
        self.document = document
        self.recording = recording
        self.record_wanted = False
        self.session: ShellSession | None = None
        self.state: ConnectionState = CONNECTING
        self.end: SessionEnd | None = None
        self._services = services
        self._on_output = on_output
        self._on_end = on_end
        self._on_change = on_change
        self._closed = False

    @property
    def live(self) -> bool:
        """True from the start of a session until it ends (connecting and reconnecting too)."""
        return self.session is not None and not self.state.ended

    @property
    def closed(self) -> bool:
        """True once ``close`` was called."""
        return self._closed

    def connect(self, size: tuple[int, int]) -> ShellSession | None:
        """A new session of ``size`` (cols, rows), to ``start``; None while one is live."""
        if self.live or self._closed:
            return None
        self.end = None
        self.state = CONNECTING
        self.session = ShellSession(
            self._services.api(self.node.pair),
            self.node.instance_id,
            on_output=self._output,
            size=size,
            options=self._services.shell_options(),
            document_name=self.document or None,
            on_state=self._state_seen,
            on_end=self._ended,
        )
        self._on_change()
        return self.session

    async def start(self, session: ShellSession) -> None:
        """StartSession for ``session``; when AWS refuses, it ends saying why and this raises."""
        try:
            await self._services.start(session)
        except Exception as error:
            self._finish(session, SessionEnd(reason=one_line(error), ok=False))
            raise
        self._record_when_ready()

    def fail(self, reason: str) -> None:
        """End without a session (the node is gone or offline): ``end`` says ``reason``."""
        if self.live or self._closed:
            return
        self.end = SessionEnd(reason=reason, ok=False)
        self.state = ended(reason)
        self._on_end(self.end)
        self._on_change()

    def start_recording(self) -> Path | None:
        """Record from now on; the file, or None until the session has an id.

        Raises RecordingError when the file cannot be created.
        """
        if self.recording is None:
            return None
        self.record_wanted = True
        path = self._record_if_wanted()
        self._on_change()
        return path

    def stop_recording(self) -> StoppedRecording | None:
        """Stop recording and finish its files; None when it was not recording."""
        self.record_wanted = False
        stopped = self.recording.stop() if self.recording is not None else None
        self._on_change()
        return stopped

    @property
    def recording_on(self) -> bool:
        """True while recording, or switched on and waiting for the session."""
        recording = self.recording
        if recording is None:
            return False
        return recording.active or (self.record_wanted and recording.path is None)

    def _record_if_wanted(self) -> Path | None:
        recording, session = self.recording, self.session
        if recording is None or not self.record_wanted:
            return None
        if recording.active:
            return recording.path
        if session is None or not session.session_id:
            return None
        try:
            return recording.start(session.session_id, title=self.node.label)
        finally:
            self.record_wanted = recording.active

    def _record_when_ready(self) -> None:
        # Switched on before the session had an id: start now. A file that cannot be
        # created leaves recording off; ``recording.failure`` says why.
        recording = self.recording
        if recording is not None and self.record_wanted and recording.path is None:
            with contextlib.suppress(RecordingError):
                self._record_if_wanted()
            self._on_change()

    def send(self, data: bytes) -> bool:
        """Send keys to the session (held until attached); False when none is live."""
        if self.session is None or self.state.ended:
            return False
        self.session.send_input(data)
        if self.recording is not None:
            self.recording.input(data)
        return True

    def resize(self, columns: int, rows: int) -> None:
        """Tell the session the terminal's new size."""
        if self.session is not None:
            self.session.resize(columns, rows)
        if self.recording is not None:
            self.recording.resize(columns, rows)

    def close(self) -> None:
        """Terminate the session in the background; the shell reports nothing more."""
        if self._closed:
            return
        self._closed = True
        if self.session is not None and not self.state.ended:
            self._services.terminate(self.session)

    def _output(self, data: bytes) -> None:
        if not self._closed:
            if self.recording is not None:
                if self.record_wanted and self.recording.path is None:
                    self._record_when_ready()
                self.recording.output(data)
            self._on_output(data)

    def _state_seen(self, state: ConnectionState) -> None:
        if state.ended:
            return  # the end is reported by _ended, with the exit code
        self.state = state
        self._on_change()

    def _ended(self, end: SessionEnd) -> None:
        if self.session is not None:
            self._finish(self.session, end)

    def _finish(self, session: ShellSession, end: SessionEnd) -> None:
        if session is not self.session or self.end is not None:
            return
        self._services.forget(session)
        self.end = end
        self.state = ended(end.reason)
        self._on_end(end)
        self._on_change()


def one_line(error: BaseException) -> str:
    """The first line of ``error``'s message, or its type's name when it has none."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]

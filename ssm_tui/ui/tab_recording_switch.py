"""A shell tab's recording switch: start and stop, the notifications, the idle flush."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssm_tui.app_core.node_shell import NodeShell
from ssm_tui.app_core.tab_recording import RecordingError
from ssm_tui.aws.nodes import ManagedNode

if TYPE_CHECKING:
    from textual.widget import Widget as _Tab
else:
    _Tab = object

REC_MARK = "● REC"
"""Shown before the title of a tab that records."""
RECORDING_FLUSH = 1.0
"""Seconds between writes of a quiet recording's buffered output (the tab's timer)."""


class RecordingSwitch(_Tab):
    """Recording handlers mixed into SessionTab: its NodeShell feeds the recording."""

    shell: NodeShell
    node: ManagedNode
    _announced: object
    """The path (or failure) last announced, so each is notified once."""

    @property
    def recording(self) -> bool:
        """True while the tab records (or will, once its session has started)."""
        return self.shell.recording_on

    def toggle_recording(self) -> None:
        """Start or stop recording this tab; a notification gives the files."""
        if self.shell.recording_on:
            self.stop_recording()
            return
        try:
            self.shell.start_recording()
        except RecordingError as error:
            self.notify(str(error), title="Cannot record", severity="error", markup=False)
        if not self.shell.recording_on:
            return
        self._announce_recording()
        if not self.shell.live:
            self.notify("Recording starts with the next session.", markup=False)

    def stop_recording(self) -> None:
        """Stop recording and write the plain-text log from the screen as it is now."""
        stopped = self.shell.stop_recording()
        if stopped is None or not self.is_attached:
            return
        if stopped.failure:
            self.notify(stopped.failure, title="Recording", severity="error", markup=False)
        self.notify(
            f"{stopped.path}\n{stopped.text_path}",
            title=f"Recording of {self.node.label} saved",
            markup=False,
        )

    def _announce_recording(self) -> None:
        recording = self.shell.recording
        if recording is None:
            return
        if recording.active and self._announced != recording.path:
            self._announced = recording.path
            self.notify(str(recording.path), title=f"Recording {self.node.label}", markup=False)
        elif not recording.active and recording.failure and self._announced != recording.failure:
            self._announced = recording.failure
            self.notify(recording.failure, title="Recording", severity="error", markup=False)

    def _flush_recording(self) -> None:
        if self.shell.recording is not None:
            self.shell.recording.flush()

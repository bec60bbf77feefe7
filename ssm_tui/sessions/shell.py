"""ShellSession: an interactive shell (Standard_Stream), as a tab or the local terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.protocol.events import SessionStarted
from ssm_tui.sessions.base import Session, SessionEnd, SessionOptions
from ssm_tui.sessions.flow import ReceiveGate
from ssm_tui.transport.state import StateObserver

OutputHandler = Callable[[bytes], None]
EndHandler = Callable[[SessionEnd], None]

# §7 step 7: what the official client reports when stdout is not a terminal.
DEFAULT_SIZE = (300, 100)


class ShellSession(Session):
    """A shell: keystrokes in, terminal bytes out, Size first and on every resize.

    Works with or without a handshake (§7 step 6): a plain shell starts on the first
    Output; a KMS-encrypted one after the handshake. ``document_name`` None means the
    account's default shell document (SSM-SessionManagerRunShell).
    """

    def __init__(
        self,
        api: SessionApi,
        target: str,
        *,
        on_output: OutputHandler,
        size: tuple[int, int] = DEFAULT_SIZE,
        document_name: str | None = None,
        parameters: Mapping[str, Sequence[str]] | None = None,
        options: SessionOptions | None = None,
        on_state: StateObserver | None = None,
        on_end: EndHandler | None = None,
    ) -> None:
        super().__init__(api, target, parameters=parameters, options=options, on_state=on_state)
        self.document_name = document_name
        self._on_output = on_output
        self._on_end = on_end
        self._size = size
        self.customer_message = ""
        self._gate: ReceiveGate | None = None

    @property
    def size(self) -> tuple[int, int]:
        """The terminal size last sent, as (cols, rows)."""
        return self._size

    def send_input(self, data: bytes) -> None:
        """Send keystrokes (already encoded: Enter is ``\\r``)."""
        self.send(data)

    def hold_output(self, held: bool) -> None:
        """Receive flow control: while ``held``, output is left unacknowledged and the
        agent holds it back (and resends it later); False takes it again."""
        if self._channel is None or self._channel.closed:
            return
        if self._gate is None:
            self._gate = ReceiveGate(self.connection)
        if held:
            self._gate.hold(self)
        else:
            self._gate.release(self)

    @property
    def output_held(self) -> bool:
        """Whether ``hold_output(True)`` is in force."""
        return self._gate is not None and self._gate.paused

    def resize(self, cols: int, rows: int) -> None:
        """Tell the agent the terminal's new size (sent only when it changed)."""
        if (cols, rows) == self._size or cols <= 0 or rows <= 0:
            return
        self._size = (cols, rows)
        channel = self._channel
        if channel is not None and not channel.closed:
            channel.send_size(cols, rows, now=time.time())
            self.connection.transmit()

    def prepare(self) -> None:
        # §7 step 7 / §14 step 7: the Size goes first; the channel holds it until started.
        cols, rows = self._size
        self.channel.send_size(cols, rows, now=time.time())

    def on_started(self, event: SessionStarted) -> None:
        self.customer_message = event.customer_message

    def on_data(self, data: bytes) -> None:
        self._on_output(data)

    def on_ended(self, end: SessionEnd) -> None:
        if self._on_end is not None:
            self._on_end(end)

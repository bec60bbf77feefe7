"""FanOutReporter: hands a fan-out runner's events to its listener, whose bugs stop nothing."""

from __future__ import annotations

import logging

from ssm_tui.sessions.fanout_events import FanOutEvent, FanOutListener, NodeFinished

log = logging.getLogger(__name__)


class FanOutReporter:
    """Calls ``on_event`` with each event; an exception it raises is logged, not raised."""

    def __init__(self, on_event: FanOutListener) -> None:
        self._on_event = on_event

    def emit(self, event: FanOutEvent) -> None:
        """Report ``event``."""
        try:
            self._on_event(event)
        except Exception as exc:  # a listener's bug must not stop a node's run
            log.warning("fan-out listener failed on %s: %r", type(event).__name__, exc)

    def finish(self, result: NodeFinished) -> NodeFinished:
        """Report ``result`` and hand it back."""
        self.emit(result)
        return result

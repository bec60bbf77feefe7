"""What every session the app opens shares: API clients per pair, options, parser, closer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.config import Config
from ssm_tui.sessions.base import Session, SessionOptions
from ssm_tui.sessions.forward import DEFAULT_UPLOAD_CHUNK
from ssm_tui.terminal.scheduler import ParseScheduler
from ssm_tui.terminal.terminal import Terminal

log = logging.getLogger(__name__)

#: Builds the control-plane client for one (profile, region) pair.
ApiFactory = Callable[[Pair], SessionApi]

#: How long quitting waits for sessions to end before leaving anyway.
CLOSE_TIMEOUT = 8.0


class SessionServices:
    """One per workspace: one SessionApi per pair, one parse scheduler, and a closer.

    Sessions outlive the widgets that show them only while they are being terminated:
    ``terminate`` runs in a task held here, so closing a tab returns at once and
    quitting can wait for every termination (``close_all``).
    """

    def __init__(self, config: Config, *, api_factory: ApiFactory | None = None) -> None:
        self.config = config
        self.parser = ParseScheduler()
        self._api_factory: ApiFactory = api_factory or SessionApi
        self._apis: dict[Pair, SessionApi] = {}
        self._sessions: set[Session] = set()
        self._starting: dict[Session, asyncio.Task[None]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._parsing: asyncio.Task[None] | None = None

    def run_parser(self) -> None:
        """Start the shared parse scheduler on the running loop (idempotent).

        A plain task, not a Textual worker: it runs forever, and waiting for workers
        to complete (tests do) must not wait for it.
        """
        if self._parsing is None or self._parsing.done():
            self._parsing = asyncio.get_running_loop().create_task(self.parser.run())

    def stop_parser(self) -> None:
        """Stop the parse scheduler (the app is closing)."""
        if self._parsing is not None:
            self._parsing.cancel()
            self._parsing = None

    def api(self, pair: Pair) -> SessionApi:
        """The (cached) control-plane client for ``pair``."""
        api = self._apis.get(pair)
        if api is None:
            api = self._apis[pair] = self._api_factory(pair)
        return api

    def shell_options(self) -> SessionOptions:
        """Options for a shell: the keepalive from config.toml as the websocket ping interval."""
        return SessionOptions(ping_interval=self.config.keepalive)

    def forward_options(self) -> SessionOptions:
        """Options for a port forward: bulk-sized payloads, the configured keepalive."""
        return SessionOptions(
            max_payload_size=DEFAULT_UPLOAD_CHUNK, ping_interval=self.config.keepalive
        )

    def terminal(self) -> Terminal:
        """A fresh terminal model with the configured scrollback."""
        return Terminal(scrollback=self.config.scrollback)

    async def start(self, session: Session) -> None:
        """StartSession for ``session``, tracked until it ends.

        The call runs in a task of its own (shielded): a tab closed while it is in
        flight still gets its session terminated once StartSession has answered.
        """
        self._sessions.add(session)
        task = asyncio.get_running_loop().create_task(session.start())
        self._starting[session] = task

        def started(done: asyncio.Task[None]) -> None:
            self._starting.pop(session, None)
            if not done.cancelled():
                done.exception()  # retrieved here too: the tab may be gone

        task.add_done_callback(started)
        try:
            await asyncio.shield(task)
        except BaseException:
            if task.done():
                self._sessions.discard(session)
            raise

    def forget(self, session: Session) -> None:
        """``session`` is over; stop tracking it."""
        self._sessions.discard(session)

    def terminate(self, session: Session) -> None:
        """End ``session`` in the background (TerminateSession); returns at once."""
        self._sessions.discard(session)
        task = asyncio.get_running_loop().create_task(self._terminate(session))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def keep(self, task: asyncio.Task[None]) -> None:
        """Hold ``task`` (a run being cancelled) until it ends; ``close_all`` waits for it too."""
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close_all(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Terminate every tracked session and wait (at most ``timeout``) until all are over."""
        for session in list(self._sessions):
            self.terminate(session)
        if self._closing:
            _, pending = await asyncio.wait(set(self._closing), timeout=timeout)
            for task in pending:
                task.cancel()

    @property
    def closing(self) -> int:
        """Terminations still in flight."""
        return len(self._closing)

    async def _terminate(self, session: Session) -> None:
        starting = self._starting.get(session)
        try:
            if starting is not None:
                await asyncio.wait([starting])
            if session.session_id:
                await session.terminate()
        except Exception:  # one failed termination must not stop the others
            log.exception("terminating session %s failed", session.session_id)

"""PortForward: a local listener whose connections reach a port on (or beyond) the target."""

from __future__ import annotations

import asyncio
import enum
import errno
import ipaddress
import logging
from collections.abc import Callable
from typing import Protocol

from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.protocol.events import SessionStarted
from ssm_tui.protocol.payloads import Flag
from ssm_tui.protocol.versions import (
    client_sends_keepalive,
    client_sends_terminate_flag,
    client_uses_mux,
)
from ssm_tui.sessions.base import Session, SessionEnd, SessionOptions
from ssm_tui.sessions.basic_forward import BasicBridge
from ssm_tui.sessions.flow import ReceiveGate
from ssm_tui.sessions.forward_stats import ForwardPhase, ForwardStats
from ssm_tui.sessions.mux_forward import READ_CHUNK, MuxBridge
from ssm_tui.transport.state import ConnectionState, Phase, StateObserver

log = logging.getLogger(__name__)

PORT_DOCUMENT = "AWS-StartPortForwardingSession"
REMOTE_HOST_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"

# Bytes per input_stream_data payload for port traffic. The official plugin sends 1024
# (§9.4), which caps it near 1 MB/s; agents accept any payload size (their smux server and
# basic writer see a byte stream), and per-message cost is what limits Python, so we send
# 16 KiB: 16x fewer messages (headers, SHA-256, acks) while staying small next to smux's
# 32 KiB frames and far below any websocket message limit. Tune with SessionOptions.
DEFAULT_UPLOAD_CHUNK = 16 * 1024


class ForwardMode(enum.Enum):
    """How the agent carries the forward's connections (§11), known once the session started."""

    MUX = "mux"  # every connection an smux stream over the one session
    BASIC = "basic"  # one connection at a time, the session's stream is its bytes


class ForwardError(Exception):
    """The forward cannot start (port in use, bad bind address); the message says why."""


class _Bridge(Protocol):
    @property
    def closed(self) -> bool: ...
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None: ...
    def receive(self, data: bytes) -> None: ...
    def connection_failed(self) -> None: ...
    def close(self) -> None: ...


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class PortForward(Session):
    """Listens on ``bind:local_port`` and forwards to ``remote_port`` on the target or ``host``.

    Mux mode (agent > 3.0.196.0 and type LocalPortForwarding) carries every connection as
    an smux stream; basic mode forwards one connection at a time (§11). ``stats`` and
    ``phase`` feed the forwarding panel; ``on_change`` fires when either moves in a way
    worth redrawing (connections, phase), not for every byte.
    """

    def __init__(
        self,
        api: SessionApi,
        target: str,
        remote_port: int,
        *,
        local_port: int = 0,
        bind: str = "127.0.0.1",
        host: str | None = None,
        options: SessionOptions | None = None,
        on_state: StateObserver | None = None,
        on_change: Callable[[PortForward], None] | None = None,
    ) -> None:
        parameters = {"portNumber": [str(remote_port)], "localPortNumber": [str(local_port)]}
        if host:
            parameters["host"] = [host]
        options = options or SessionOptions(max_payload_size=DEFAULT_UPLOAD_CHUNK)
        super().__init__(api, target, parameters=parameters, options=options, on_state=on_state)
        self.document_name = REMOTE_HOST_DOCUMENT if host else PORT_DOCUMENT
        self.remote_port = remote_port
        self.local_port = local_port
        self.bind = bind
        self.host = host
        self.stats = ForwardStats()
        self.phase = ForwardPhase.CONNECTING
        self.end_reason = ""
        self.mode: ForwardMode | None = None  # known once started
        self._on_change = on_change
        self._outer_on_state = on_state
        self._on_state = self._forward_state
        self._server: asyncio.Server | None = None
        self._bridge: _Bridge | None = None
        self._ready: asyncio.Future[None] | None = None
        self._gate: ReceiveGate | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the listener (so a busy port fails before any AWS call), then StartSession."""
        await self.listen()
        try:
            await super().start()
        except BaseException:
            self._close_listener()
            raise

    async def listen(self) -> None:
        """Bind the local listener; ForwardError when the port is taken or not ours."""
        if self._server is not None:
            return
        if not is_loopback(self.bind):
            log.info("listening on %s: other machines can reach this forward", self.bind)
        self._ready = asyncio.get_running_loop().create_future()
        try:
            self._server = await asyncio.start_server(self._accept, self.bind, self.local_port)
        except OSError as exc:
            where = f"{self.bind}:{self.local_port}"
            if exc.errno == errno.EADDRINUSE:
                raise ForwardError(f"local port {where} is already in use") from exc
            raise ForwardError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
        self.local_port = self._server.sockets[0].getsockname()[1]
        self.parameters["localPortNumber"] = [str(self.local_port)]

    @property
    def local_address(self) -> tuple[str, int]:
        """Where local clients connect (the real port once bound)."""
        return self.bind, self.local_port

    @property
    def status(self) -> str:
        """The panel's word for now: connecting, listening, active, reconnecting, closed..."""
        if self.phase is ForwardPhase.LISTENING and self.stats.connections_open:
            return "active"
        return self.phase.value

    @property
    def receive_paused(self) -> bool:
        """True while a slow local client makes the agent's data wait (back-pressure)."""
        return self._gate is not None and self._gate.paused

    @property
    def description(self) -> str:
        """``127.0.0.1:8080 -> i-0abc:80`` (or ``-> i-0abc -> db.internal:5432``)."""
        via = f"{self.target} -> {self.host}" if self.host else self.target
        return f"{self.bind}:{self.local_port} -> {via}:{self.remote_port}"

    # -- session hooks ----------------------------------------------------------------

    def uses_terminate_flag(self) -> bool:
        # §5.2: mux always sends the flag; basic only to agents newer than 2.3.722.0.
        return self.mode is ForwardMode.MUX or client_sends_terminate_flag(self.agent_version)

    def on_started(self, event: SessionStarted) -> None:
        properties = event.properties or {}
        port_type = str(properties.get("type", ""))
        agent = event.agent_version or ""
        gate = self._gate = ReceiveGate(self.connection)
        if client_uses_mux(agent, port_type):
            self.mode = ForwardMode.MUX
            self._bridge = MuxBridge(
                self, self.stats, keepalive=client_sends_keepalive(agent), gate=gate
            )
        else:
            self.mode = ForwardMode.BASIC
            self._bridge = BasicBridge(
                self,
                self.stats,
                gate=gate,
                chunk_size=min(READ_CHUNK, self.options.max_payload_size),
            )
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        self._set_phase(ForwardPhase.LISTENING)

    def on_data(self, data: bytes) -> None:
        if self._bridge is not None:
            self._bridge.receive(data)

    def on_flag(self, flag: int) -> None:
        if flag == Flag.CONNECT_TO_PORT_ERROR and self._bridge is not None:
            self._bridge.connection_failed()
            self._changed()

    def on_ended(self, end: SessionEnd) -> None:
        self._close_listener()
        if self._bridge is not None:
            self._bridge.close()
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(ForwardError(end.reason))
            self._ready.exception()  # retrieved: nobody may be waiting
        self.end_reason = end.reason
        self._set_phase(ForwardPhase.CLOSED if end.ok else ForwardPhase.FAILED)

    # -- internals ----------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ready = self._ready
        try:
            if ready is None:
                raise ForwardError("not listening")
            await ready
        except ForwardError:
            writer.close()
            return
        bridge = self._bridge
        if bridge is None or bridge.closed:
            writer.close()
            return
        self._changed()
        try:
            await bridge.handle(reader, writer)
        finally:
            self._changed()

    def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _forward_state(self, state: ConnectionState) -> None:
        if state.phase is Phase.RECONNECTING:
            self._set_phase(ForwardPhase.RECONNECTING)
        elif state.phase is Phase.LIVE and self._bridge is not None:
            self._set_phase(ForwardPhase.LISTENING)
        if self._outer_on_state is not None:
            self._outer_on_state(state)

    def _set_phase(self, phase: ForwardPhase) -> None:
        if phase is not self.phase:
            self.phase = phase
            self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self)

"""The data-channel websocket route: token check, then frames between socket and agent session."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from aiohttp import WSMsgType, web

from ssm_tui.emulator.agent_session import AgentSession
from ssm_tui.emulator.backend_factory import BackendFactory
from ssm_tui.emulator.fault_link import FaultLink
from ssm_tui.emulator.fleet import Fleet
from ssm_tui.emulator.keystore import KeyStore
from ssm_tui.emulator.port_destination import WebPageAddress
from ssm_tui.emulator.sessions import EmulatedSession, SessionRegistry
from ssm_tui.emulator.socket_link import SocketLink
from ssm_tui.protocol.errors import RemoteProtocolError
from ssm_tui.protocol.payloads import OpenDataChannel

_log = logging.getLogger(__name__)

# How long a new socket may take to send its OpenDataChannel text frame (§1.4).
OPEN_TIMEOUT = 30.0
_POLICY_VIOLATION = 1008


class _Refused(Exception):
    """The socket does not get a session; the message goes into the close frame."""


class DataChannelEndpoint:
    """Serves ``GET /v1/data-channel/{session_id}`` for every session of one emulator.

    A session's agent runtime is created by the first socket that presents the token
    StartSession issued and lives until the session ends; later sockets must present the
    latest ResumeSession token (each token works once, §1.4, §6.1, §14 item 1). A session
    nobody connects to is terminated after the fleet's idle timeout, like an idle one.
    """

    def __init__(
        self,
        *,
        sessions: SessionRegistry,
        fleet: Fleet,
        keystore: KeyStore,
        web_page: WebPageAddress | None = None,
        workdir_root: Path | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._fleet = fleet
        self._keystore = keystore
        self._web_page = web_page
        self._root = workdir_root  # made on first use when not given, removed at close
        self._own_root = workdir_root is None
        self._factory: BackendFactory | None = None
        self._rng = rng or random.Random()
        self._agents: dict[str, AgentSession] = {}
        self._faults: dict[str, FaultLink] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        # Sessions started but not yet connected: their idle-timeout timers.
        self._unconnected: dict[str, asyncio.TimerHandle] = {}
        sessions.on_start(self._session_started)
        sessions.on_terminate(self._session_terminated)

    @property
    def workdir_root(self) -> Path:
        """The directory holding every instance's working directory (a temporary one)."""
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="ssm-tui-fleet-"))
        return self._root

    @property
    def factory(self) -> BackendFactory:
        """Builds each session's shell, command or port backend."""
        if self._factory is None:
            self._factory = BackendFactory(
                self._fleet, workdir_root=self.workdir_root, web_page=self._web_page
            )
        return self._factory

    def agent(self, session_id: str) -> AgentSession | None:
        """The live agent runtime of a session, if it has one."""
        return self._agents.get(session_id)

    async def handle(self, request: web.Request, session_id: str) -> web.StreamResponse:
        """Upgrade, check the OpenDataChannel token, then pump frames until the socket ends."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            try:
                session, opened = await self._open(ws, session_id)
            except _Refused as exc:
                _log.info("data channel %s refused: %s", session_id, exc)
                await ws.close(code=_POLICY_VIOLATION, message=str(exc).encode()[:120])
                return ws
            agent = self._agents.get(session_id) or self._new_agent(session)
            link = SocketLink(ws, self._faults[session_id], deliver=agent.receive_frame)
            link.start()
            agent.attach(link, client_version=opened.client_version)
            try:
                async for message in ws:
                    if message.type is WSMsgType.BINARY:
                        link.receive(message.data)
                    elif message.type is WSMsgType.ERROR:
                        break
                    # Text frames after OpenDataChannel carry nothing for the agent (§1.4).
            finally:
                agent.detach(link)
                await link.shutdown()
        finally:
            self._sockets.discard(ws)
        return ws

    async def close(self) -> None:
        """Server shutdown: end every session, kill its processes, close every socket."""
        for timer in self._unconnected.values():
            timer.cancel()
        self._unconnected.clear()
        agents = list(self._agents.values())
        await asyncio.gather(*(agent.stop() for agent in agents), return_exceptions=True)
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"Server shutdown")
        if self._own_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._factory = None

    async def _open(
        self, ws: web.WebSocketResponse, session_id: str
    ) -> tuple[EmulatedSession, OpenDataChannel]:
        try:
            first = await ws.receive(timeout=OPEN_TIMEOUT)
        except TimeoutError:
            raise _Refused("no OpenDataChannel received") from None
        if first.type is not WSMsgType.TEXT:
            raise _Refused("the first frame must be the OpenDataChannel text frame")
        try:
            opened = OpenDataChannel.from_json(first.data.encode())
        except RemoteProtocolError as exc:
            raise _Refused(f"malformed OpenDataChannel: {exc}") from None
        # Single use: redeem() forgets the token, so a replayed or stale one fails here.
        session = self._sessions.redeem(session_id, opened.token_value)
        if session is None:
            raise _Refused("invalid or expired token")
        return session, opened

    def _new_agent(self, session: EmulatedSession) -> AgentSession:
        self._forget_unconnected(session.session_id)  # the agent times idleness from now on
        instance = session.instance
        agent = AgentSession(
            session_id=session.session_id,
            target=instance.instance_id,
            session_type=session.session_type,
            properties=session.properties,
            agent_version=instance.agent_version,
            kms_key_id=session.kms_key_id,
            backend_factory=lambda version: self.factory.create(session, version),
            decrypt_data_key=self._decrypter(session),
            idle_timeout=self._fleet.idle_timeout,
            max_payload_size=self._fleet.agent_payload_size,
            on_ended=self._agent_ended,
        )
        self._agents[session.session_id] = agent
        seed = self._rng.getrandbits(64)
        self._faults[session.session_id] = FaultLink(session.faults, rng=random.Random(seed))
        return agent

    def _decrypter(self, session: EmulatedSession) -> Callable[[bytes, Mapping[str, str]], bytes]:
        def decrypt(blob: bytes, context: Mapping[str, str]) -> bytes:
            # §8 step 4: kms:Decrypt in-process, TargetId being the instance id.
            return self._keystore.decrypt(session.account_id, session.region, blob, context)[1]

        return decrypt

    def _agent_ended(self, agent: AgentSession) -> None:
        self._agents.pop(agent.session_id, None)
        self._faults.pop(agent.session_id, None)
        self._sessions.terminate(agent.session_id)

    def _session_started(self, session: EmulatedSession) -> None:
        try:
            loop = asyncio.get_running_loop()  # StartSession runs on the server's loop
        except RuntimeError:
            return
        self._unconnected[session.session_id] = loop.call_later(
            self._fleet.idle_timeout, self._sessions.terminate, session.session_id
        )

    def _forget_unconnected(self, session_id: str) -> None:
        timer = self._unconnected.pop(session_id, None)
        if timer is not None:
            timer.cancel()

    def _session_terminated(self, session: EmulatedSession) -> None:
        self._forget_unconnected(session.session_id)
        agent = self._agents.get(session.session_id)
        if agent is not None:
            agent.terminate("")

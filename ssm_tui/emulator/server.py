"""The emulator's one loopback HTTP port: AWS APIs on ``POST /``, data channels on GET."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from ssm_tui.emulator.data_channel_endpoint import DataChannelEndpoint
from ssm_tui.emulator.demo_fleet import demo_fleet
from ssm_tui.emulator.faults import Faults
from ssm_tui.emulator.fleet import Fleet, Instance
from ssm_tui.emulator.gateway import Gateway
from ssm_tui.emulator.keystore import KeyStore
from ssm_tui.emulator.sessions import SessionRegistry
from ssm_tui.emulator.web_targets import WebTargets

DATA_CHANNEL_PATH = "/v1/data-channel/{session_id}"

# Serves one data-channel websocket: given the upgrade request and the session id from the
# path, it answers with the websocket response (or an HTTP error).
DataChannelHandler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


class EmulatorServer:
    """The local fleet served on ``host:port`` (loopback only; port 0 picks a free one).

    ``data_channel`` is the agent side (shells, commands, port targets) serving the
    data-channel route through the ``data_channel_handler`` hook. ``sessions`` is the
    registry StartSession writes to and the data channel redeems tokens from; ``keystore``
    decrypts KMS data keys in-process.
    """

    def __init__(
        self,
        fleet: Fleet | None = None,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the emulator binds loopback only, not {host}")
        self.fleet = fleet if fleet is not None else demo_fleet()
        if faults is not None:
            self.fleet.faults = faults
        self.host = host
        self.port = port
        self.sessions = SessionRegistry()
        self.keystore = KeyStore(self.fleet.kms_keys)
        self.web_targets = WebTargets(host)
        self.data_channel_handler: DataChannelHandler | None = None
        self.app = web.Application()
        self._gateway = Gateway(self.fleet, self.sessions, self.keystore, self.stream_url)
        self.app.router.add_post("/", self._gateway.handle)
        self.app.router.add_get(DATA_CHANNEL_PATH, self._data_channel)
        self._runner: web.AppRunner | None = None
        self.data_channel = DataChannelEndpoint(
            sessions=self.sessions,
            fleet=self.fleet,
            keystore=self.keystore,
            web_page=self.web_page_address,
        )
        self.data_channel_handler = self.data_channel.handle
        # Stopping the server ends every session and Run Command script, and their processes.
        self.app.on_shutdown.append(self._close_data_channel)

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``AWS_ENDPOINT_URL``."""
        return f"http://{self.host}:{self.port}"

    @property
    def idle_timeout(self) -> float:
        """Seconds a session may idle before it is terminated (the fleet's setting)."""
        return self.fleet.idle_timeout

    def stream_url(self, session_id: str) -> str:
        """The StreamUrl StartSession and ResumeSession return (protocol.md §1.1)."""
        return f"ws://{self.host}:{self.port}/v1/data-channel/{session_id}?role=publish_subscribe"

    def web_page_address(self, instance: Instance) -> tuple[str, int] | None:
        """Where the built-in page for ``instance`` (port map ``web``) listens, if anywhere."""
        return self.web_targets.address(instance)

    async def start(self) -> None:
        """Bind the port and start the web-instance pages; raise OSError if the port is taken."""
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=False)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        await self.web_targets.start(self.fleet.instances)

    async def stop(self) -> None:
        """Close the port, every open connection and the pages."""
        await self.web_targets.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EmulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _close_data_channel(self, _app: web.Application) -> None:
        await self.data_channel.close()
        await self._gateway.commands.close()

    async def _data_channel(self, request: web.Request) -> web.StreamResponse:
        session_id = request.match_info["session_id"]
        if self.data_channel_handler is None:
            raise web.HTTPNotImplemented(text="the data channel is not served by this build\n")
        return await self.data_channel_handler(request, session_id)

"""Tiny loopback web servers standing in for the fleet's web instances (port map ``web``)."""

from __future__ import annotations

import html
import socket
from collections.abc import Iterable

from aiohttp import web

from ssm_tui.emulator.fleet import WEB_PAGE, Instance


class WebTargets:
    """One aiohttp runner, one listening socket per web instance; the port tells them apart."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._runner: web.AppRunner | None = None
        self._by_port: dict[int, Instance] = {}
        self._addresses: dict[str, tuple[str, int]] = {}

    async def start(self, instances: Iterable[Instance]) -> None:
        """Listen on a free loopback port for every instance mapping a port to the web page."""
        wanted = [i for i in instances if WEB_PAGE in i.ports.values()]
        if not wanted:
            return
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        for instance in wanted:
            sock = socket.create_server((self._host, 0))
            await web.SockSite(self._runner, sock).start()
            port = int(sock.getsockname()[1])
            self._by_port[port] = instance
            self._addresses[instance.instance_id] = (self._host, port)

    async def stop(self) -> None:
        """Close every listener."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._by_port.clear()
        self._addresses.clear()

    def address(self, instance: Instance) -> tuple[str, int] | None:
        """Where the page naming ``instance`` is served, if it is served."""
        return self._addresses.get(instance.instance_id)

    async def _page(self, request: web.Request) -> web.Response:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        instance = self._by_port.get(sockname[1]) if sockname else None
        if instance is None:
            raise web.HTTPNotFound()
        name = html.escape(instance.name or instance.instance_id)
        body = (
            f"<!doctype html>\n<html><head><title>{name}</title></head><body>\n"
            f"<h1>{name}</h1>\n<p>{instance.instance_id} in {instance.region} "
            f"({instance.availability_zone}), {html.escape(instance.private_ip)}</p>\n"
            "<p>Served by the ssm-tui local fleet.</p>\n</body></html>\n"
        )
        return web.Response(text=body, content_type="text/html")

"""Where a port session's bytes go: the instance's port map, loopback, or another fleet host."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ssm_tui.emulator.fleet import WEB_PAGE, Instance

_DIAL_TIMEOUT = 5.0

# Given an instance, the loopback address of the emulator's page naming it (WEB_PAGE).
WebPageAddress = Callable[[Instance], tuple[str, int] | None]


class DestinationRefused(Exception):
    """The destination is not allowed or did not accept the connection."""


@dataclass(frozen=True, slots=True)
class Address:
    """A TCP address on this machine."""

    host: str
    port: int


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback IP literal (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _names(instance: Instance) -> set[str]:
    names = {instance.instance_id, instance.private_ip, instance.computer_name}
    if instance.name:
        names.add(instance.name)
    return {name.lower() for name in names if name}


class DestinationResolver:
    """Maps a session's ``host``/``portNumber`` to a real loopback address, or refuses.

    Never relays off this machine: an instance port goes where the fleet maps it (default
    the same port on 127.0.0.1); a remote host must be loopback or name a fleet instance
    in the same account and region (protocol.md §10.2-10.3).
    """

    def __init__(
        self,
        instance: Instance,
        *,
        neighbours: Iterable[Instance] = (),
        web_page: WebPageAddress | None = None,
    ) -> None:
        self._instance = instance
        self._neighbours = [instance, *neighbours]
        self._web_page = web_page

    def resolve(self, host: str | None, port: int) -> Address:
        """The address to dial; raise `DestinationRefused` when it is not allowed."""
        if not 0 < port < 65536:
            raise DestinationRefused(f"port {port} is out of range")
        if not host or is_loopback(host):
            mapped = self._mapped(self._instance, port)
            if mapped is not None:
                return mapped
            return Address(host if host and host != "localhost" else "127.0.0.1", port)
        wanted = host.lower()
        for neighbour in self._neighbours:
            if wanted in _names(neighbour):
                return self._mapped(neighbour, port) or Address("127.0.0.1", port)
        raise DestinationRefused(f"host {host!r} is not loopback and names no fleet instance")

    def _mapped(self, instance: Instance, port: int) -> Address | None:
        target = instance.ports.get(port)
        if target is None:
            return None
        if target == WEB_PAGE:
            page = self._web_page(instance) if self._web_page else None
            if page is None:
                raise DestinationRefused(f"no page is served for {instance.instance_id}")
            return Address(*page)
        host, sep, raw_port = target.rpartition(":")
        host = host.strip("[]")
        if not sep or not raw_port.isdigit() or not is_loopback(host):
            raise DestinationRefused(f"port map {port} -> {target!r} is not a loopback address")
        return Address(host, int(raw_port))


async def dial(address: Address) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a TCP connection; any failure becomes `DestinationRefused`."""
    try:
        return await asyncio.wait_for(
            asyncio.open_connection(address.host, address.port), _DIAL_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        raise DestinationRefused(f"{address.host}:{address.port}: {exc}") from exc

"""``ssm-tui proxy`` as SSH's ProxyCommand: a real asyncssh client and server through it."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import AsyncIterator

import asyncssh
import pytest

from tests.sessions.lab import PORTS, Lab

USER, PASSWORD = "tester", "not-a-secret"


class _Server(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD


async def _handle(process: asyncssh.SSHServerProcess[bytes]) -> None:
    """``sha256``: digest of stdin; anything else: a greeting."""
    if process.command == "sha256":
        digest = hashlib.sha256()
        async for chunk in process.stdin:
            digest.update(chunk)
        process.stdout.write(digest.hexdigest().encode())
    else:
        process.stdout.write(b"hello from the ssh server\n")
    process.exit(0)


@pytest.fixture
async def ssh_port() -> AsyncIterator[int]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    server = await asyncssh.create_server(
        _Server, "127.0.0.1", 0, server_host_keys=[key], process_factory=_handle, encoding=None
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_ssh_session_runs_through_the_proxy(lab: Lab, ssh_port: int) -> None:
    lab.map_port(PORTS, 22, ssh_port)
    command = [sys.executable, "-m", "ssm_tui", "proxy", "web-1", "22"]
    async with asyncssh.connect(
        "web-1",
        username=USER,
        password=PASSWORD,
        known_hosts=None,
        proxy_command=command,
    ) as connection:
        greeting = await connection.run("hello", check=True)
        assert greeting.stdout == "hello from the ssh server\n"
        payload = hashlib.sha512(b"seed").digest() * 32_768  # 2 MiB
        digest = await connection.run("sha256", input=payload, encoding=None, check=True)
        assert digest.stdout == hashlib.sha256(payload).hexdigest().encode()

"""``ssm-tui forward``: the banner, real TCP through it, Ctrl-C, and a busy port."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
from collections.abc import AsyncIterator

import pytest

from ssm_tui.cli.forward_command import parse_spec
from ssm_tui.cli.runtime import CliError
from tests.loopback import echo_server
from tests.sessions.cli_process import CLI, run_cli
from tests.sessions.lab import PORTS, Lab


@contextlib.asynccontextmanager
async def forwarding(lab: Lab, *args: str) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """``ssm-tui forward ARGS`` running: the process and its banner line; killed if need be."""
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "forward",
        *args,
        env=lab.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            banner = (await process.stdout.readline()).decode()
        yield process, banner
    finally:
        if process.returncode is None:
            process.kill()


async def stops_cleanly(process: asyncio.subprocess.Process, sig: signal.Signals) -> bool:
    """Send ``sig``; whether the process then exits with status 0 (within 30 s)."""
    process.send_signal(sig)
    async with asyncio.timeout(30):
        return await process.wait() == 0


async def test_forward_prints_its_banner_carries_tcp_and_stops_on_ctrl_c(lab: Lab) -> None:
    async with echo_server() as echo_port:
        lab.map_port(PORTS, 8080, echo_port)
        async with forwarding(lab, "web-1", "0:8080") as (process, banner):
            match = re.fullmatch(r"Forwarding 127\.0\.0\.1:(\d+) -> web-1:8080\n", banner)
            assert match, banner
            reader, writer = await asyncio.open_connection("127.0.0.1", int(match[1]))
            writer.write(b"through the forward")
            assert await reader.readexactly(19) == b"through the forward"
            writer.close()
            assert await stops_cleanly(process, signal.SIGINT)


async def test_remote_host_banner_names_the_host(lab: Lab) -> None:
    async with forwarding(lab, "web-1", "5432", "--host", "localhost") as (process, banner):
        assert re.fullmatch(r"Forwarding 127\.0\.0\.1:\d+ -> web-1 -> localhost:5432\n", banner)
        assert await stops_cleanly(process, signal.SIGTERM)


async def test_port_in_use_is_a_clear_error(lab: Lab) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = await run_cli(lab.env, "forward", "web-1", f"{port}:80")
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"ssm-tui: local port 127.0.0.1:{port} is already in use"


async def test_bad_port_spec_is_rejected(lab: Lab) -> None:
    done = await run_cli(lab.env, "forward", "web-1", "80:http")
    assert done.returncode == 1
    assert b"[LOCAL:]REMOTE" in done.stderr


def test_port_spec_forms() -> None:
    assert parse_spec("80") == (0, 80)
    assert parse_spec("8080:80") == (8080, 80)
    assert parse_spec("0:443") == (0, 443)
    for bad in ("", "x", "1:2:3", "70000", "80:0"):
        with pytest.raises(CliError):
            parse_spec(bad)

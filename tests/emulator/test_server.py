"""The server itself: one loopback port, the data-channel hook, web pages, thread runner."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import boto3
import pytest
from aiohttp import web

from ssm_tui.emulator import EmulatorServer, EmulatorThread
from tests.conftest import AwsEnv


async def test_async_fixture_serves_boto3_from_a_worker_thread(
    emulator: EmulatorServer, aws_env: AwsEnv
) -> None:
    aws_env(emulator)
    identity = await asyncio.to_thread(lambda: boto3.Session().client("sts").get_caller_identity())
    assert identity["Account"] == emulator.fleet.accounts[0].account_id
    assert emulator.endpoint_url == f"http://127.0.0.1:{emulator.port}"


async def test_data_channel_route_is_served_through_the_replaceable_hook(
    emulator: EmulatorServer,
) -> None:
    url = f"{emulator.endpoint_url}/v1/data-channel/alice-0123456789abcdef0"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 400  # the agent side wants a websocket upgrade

        seen: list[str] = []

        async def handler(request: web.Request, session_id: str) -> web.StreamResponse:
            seen.append(session_id)
            return web.Response(text="hooked")

        emulator.data_channel_handler = handler
        async with http.get(url + "?role=publish_subscribe") as response:
            assert (response.status, await response.text()) == (200, "hooked")
    assert seen == ["alice-0123456789abcdef0"]


async def test_web_instances_serve_a_page_naming_them(emulator: EmulatorServer) -> None:
    web_1 = next(i for i in emulator.fleet.instances if i.name == "web-1")
    api_1 = next(i for i in emulator.fleet.instances if i.name == "api-1")
    address = emulator.web_page_address(web_1)
    assert address is not None and address[0] == "127.0.0.1"
    assert emulator.web_page_address(api_1) is None
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://{address[0]}:{address[1]}/") as response,
    ):
        page = await response.text()
    assert "<h1>web-1</h1>" in page and web_1.instance_id in page


async def test_idle_timeout_defaults_to_twenty_minutes(emulator: EmulatorServer) -> None:
    assert emulator.idle_timeout == 20 * 60


def test_only_loopback_addresses_are_accepted() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host="0.0.0.0")


def test_a_taken_port_raises_oserror_from_the_thread_runner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError), EmulatorThread(port=port):
            pass


def test_thread_runner_stops_cleanly(aws_env: AwsEnv) -> None:
    with EmulatorThread() as server:
        aws_env(server)
        assert boto3.Session().client("sts").get_caller_identity()["Account"]
        url = server.endpoint_url
    with pytest.raises(Exception):  # noqa: B017 - any connection error will do
        boto3.Session().client("sts", endpoint_url=url).get_caller_identity()

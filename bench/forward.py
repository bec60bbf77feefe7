"""Port-forward throughput through the emulator: one connection, then sixteen in parallel.

The emulator (with a TCP source/sink as the instance's port 9000) runs in a child process,
so the client under test has a core of its own. Prints MB/s; never passes or fails.

Run: .venv/bin/python bench/forward.py [--mb 200] [--chunk BYTES]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import struct
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

INSTANCE = "i-0bench00000000001"
REGION = "us-east-1"
PROFILE = "bench"
MB = 1_000_000
BLOCK = os.urandom(1 << 20)


# -- the child process: emulator + TCP source/sink -------------------------------------------


async def _source_sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """b"D" + n: send n bytes; b"U" + n: read n bytes, answer b"ok"."""
    header = await reader.readexactly(9)
    size = struct.unpack("!Q", header[1:])[0]
    if header[:1] == b"D":
        view = memoryview(BLOCK)
        while size > 0:
            piece = view[: min(size, len(view))]
            writer.write(piece)
            size -= len(piece)
            await writer.drain()
    else:
        while size > 0:
            data = await reader.read(1 << 20)
            if not data:
                break
            size -= len(data)
        writer.write(b"ok")
        await writer.drain()
    writer.close()


async def _serve(instances: int, agent_payload: int) -> None:
    from ssm_tui.emulator import Account, EmulatorServer, Fleet, Instance
    from ssm_tui.emulator.client_config import write_client_files

    sink = await asyncio.start_server(_source_sink, "127.0.0.1", 0)
    sink_port = sink.sockets[0].getsockname()[1]
    account = Account(
        name=PROFILE,
        account_id="999988887777",
        access_key_id="AKIABENCHMARKKEY0001",
        secret_access_key="bench/secret+0000000000000000000000000000",
        regions=(REGION,),
    )
    fleet = Fleet(
        accounts=[account],
        instances=[
            Instance(
                instance_id=f"{INSTANCE[:-1]}{index}" if index else INSTANCE,
                account_id=account.account_id,
                region=REGION,
                tags={"Name": f"bench-{index}"},
                ports={9000: f"127.0.0.1:{sink_port}"},
            )
            for index in range(instances)
        ],
        idle_timeout=3600.0,
        agent_payload_size=agent_payload,
    )
    server = EmulatorServer(fleet=fleet)
    async with server:
        files = write_client_files(fleet, server.endpoint_url, tempfile.mkdtemp())
        print(json.dumps(files.env), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent goes away


@contextlib.asynccontextmanager
async def emulator_process(instances: int = 1, agent_payload: int = 1024) -> AsyncIterator[None]:
    """Start the emulator child, point this process's boto3 at it, stop it afterwards."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        str(instances),
        str(agent_payload),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    env = json.loads(await child.stdout.readline())
    os.environ.update(env)
    os.environ["AWS_PROFILE"] = PROFILE
    try:
        yield
    finally:
        child.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        await child.wait()


def session_api() -> object:
    from ssm_tui.aws.nodes import Pair
    from ssm_tui.aws.sessions_api import SessionApi

    return SessionApi(Pair(profile=PROFILE, region=REGION))


# -- the measurements ----------------------------------------------------------------------


async def download(port: int, size: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(b"D" + struct.pack("!Q", size))
    remaining = size
    while remaining:
        data = await reader.read(1 << 20)
        if not data:
            raise RuntimeError(f"connection closed with {remaining} bytes missing")
        remaining -= len(data)
    writer.close()


async def upload(port: int, size: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"U" + struct.pack("!Q", size))
    view = memoryview(BLOCK)
    remaining = size
    while remaining:
        piece = view[: min(remaining, len(view))]
        writer.write(piece)
        remaining -= len(piece)
        await writer.drain()
    if await reader.readexactly(2) != b"ok":
        raise RuntimeError("the sink did not confirm the upload")
    writer.close()


async def measure(label: str, total: int, jobs: list[Coroutine[Any, Any, None]]) -> None:
    """Run ``jobs`` together; print wall MB/s and this (client) process's CPU per MB."""
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*jobs)
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label:<38} {total / MB:>5.0f} MB {elapsed:>6.2f} s {total / MB / elapsed:>7.1f} MB/s"
        f"   client CPU {used:>5.2f} s ({total / MB / used:>5.0f} MB per CPU-second)"
    )


async def main(size_mb: int, chunk: int | None, agent_chunk: int) -> None:
    from ssm_tui.sessions.base import SessionOptions
    from ssm_tui.sessions.forward import DEFAULT_UPLOAD_CHUNK, PortForward

    payload = chunk or DEFAULT_UPLOAD_CHUNK
    async with emulator_process(agent_payload=agent_chunk):
        forward = PortForward(
            session_api(),  # type: ignore[arg-type]
            INSTANCE,
            9000,
            options=SessionOptions(max_payload_size=payload),
        )
        await forward.start()
        await forward.started.wait()
        port = forward.local_port
        size = size_mb * MB
        print(
            f"forward mode {forward.mode and forward.mode.value}, client payload {payload} bytes,"
            f" emulator agent payload {agent_chunk} bytes"
        )
        await measure("download, 1 connection", size, [download(port, size)])
        await measure("upload, 1 connection", size, [upload(port, size)])
        share = size // 16
        downloads = [download(port, share) for _ in range(16)]
        await measure("download, 16 connections in parallel", share * 16, downloads)
        uploads = [upload(port, share) for _ in range(16)]
        await measure("upload, 16 connections in parallel", share * 16, uploads)
        await forward.terminate()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(int(sys.argv[2]), int(sys.argv[3])))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200, help="megabytes per direction")
    parser.add_argument("--chunk", type=int, default=None, help="client payload size in bytes")
    parser.add_argument(
        "--agent-chunk",
        type=int,
        default=1024,
        help="the emulator agent's payload size (real agents: 1024; larger measures the client)",
    )
    options = parser.parse_args()
    asyncio.run(main(options.mb, options.chunk, options.agent_chunk))

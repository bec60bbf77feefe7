"""Run an EmulatorServer on its own event loop in a background thread, for sync callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

from ssm_tui.emulator.faults import Faults
from ssm_tui.emulator.fleet import Fleet
from ssm_tui.emulator.server import EmulatorServer

T = TypeVar("T")


class EmulatorThread:
    """``with EmulatorThread() as server:`` — a started server whose loop runs in a thread."""

    def __init__(
        self,
        fleet: Fleet | None = None,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.server = EmulatorServer(fleet=fleet, faults=faults, host=host, port=port)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="ssm-tui-emulator", daemon=True)

    @property
    def endpoint_url(self) -> str:
        """The server's ``http://127.0.0.1:PORT``."""
        return self.server.endpoint_url

    def start(self) -> EmulatorServer:
        """Start the thread and the server; raise what ``server.start()`` raised (e.g. OSError)."""
        self._thread.start()
        self.call(self.server.start())
        return self.server

    def stop(self) -> None:
        """Stop the server, then the loop and the thread."""
        if not self._thread.is_alive():
            return
        try:
            self.call(self.server.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        """Run a coroutine on the emulator's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def __enter__(self) -> EmulatorServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

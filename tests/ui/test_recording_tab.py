"""Recording shell tabs from the app against the in-process emulator: toggle, files, replay."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from asciinema import asciicast
from textual.pilot import Pilot

from ssm_tui.aws.sessions_api import SessionApi, SessionTicket
from ssm_tui.config import Config
from ssm_tui.emulator import EmulatorServer
from ssm_tui.ui.session_tab import SessionTab
from ssm_tui.ui.tab_recording_switch import REC_MARK
from tests.conftest import AwsEnv
from tests.sessions.test_recording import cast_lines, replay
from tests.ui.live import (
    SIZE,
    LiveApp,
    listed,
    notifications,
    open_shell,
    run,
    screen_text,
    until,
)


class TicketsSeen(SessionApi):
    """The real SessionApi, remembering every ticket StartSession gave out."""

    tickets: list[SessionTicket] = []

    async def start_session(
        self,
        target: str,
        *,
        document_name: str | None = None,
        parameters: Mapping[str, Sequence[str]] | None = None,
        reason: str | None = None,
    ) -> SessionTicket:
        ticket = await super().start_session(
            target, document_name=document_name, parameters=parameters, reason=reason
        )
        self.tickets.append(ticket)
        return ticket


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where recordings go in this test: ``$XDG_STATE_HOME/ssm-tui/recordings``."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "ssm-tui" / "recordings"


@pytest.fixture
def make_app(emulator: EmulatorServer, aws_env: AwsEnv) -> Any:
    aws_env(emulator)
    TicketsSeen.tickets = []

    def make(**config: Any) -> LiveApp:
        return LiveApp(config=Config(**config), api_factory=lambda pair: TicketsSeen(pair))

    return make


@asynccontextmanager
async def shell_on(app: LiveApp, name: str) -> AsyncIterator[tuple[Pilot[None], SessionTab]]:
    """``app`` running, with a shell tab open on ``name`` at its prompt."""
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        yield pilot, await open_shell(pilot, name)


def title(app: LiveApp, tab: SessionTab) -> str:
    return app.workspace.tabs.tab_title(str(tab.parent.id if tab.parent else ""))


def one_recording(directory: Path) -> tuple[Path, Path]:
    (cast,) = directory.glob("*.cast")
    return cast, cast.with_suffix(".txt")


def prompts(tab: SessionTab) -> int:
    return screen_text(tab).count(f"ssm-user@{tab.node.name}")


class TestToggle:
    async def test_ctrl_f7_records_a_command_that_replays_to_the_tabs_screen(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app()
        async with shell_on(app, "web-1") as (pilot, tab):
            await until(pilot, lambda: title(app, tab) == "web-1 · live")
            await pilot.press("ctrl+f7")
            await until(pilot, lambda: title(app, tab) == f"{REC_MARK} web-1 · live")
            cast, text = one_recording(state)
            assert any(str(cast) in message for message in notifications(app))
            (ticket,) = TicketsSeen.tickets
            assert cast.name.startswith("web-1-") and ticket.session_id in cast.name
            await run(pilot, "echo recorded-$((6*7))")
            await until(pilot, lambda: "recorded-42" in screen_text(tab) and prompts(tab) == 2)
            await pilot.resize_terminal(100, 30)
            await until(pilot, lambda: tab.view.terminal.columns != SIZE[0])
            await run(pilot, "seq 3")
            await until(pilot, lambda: prompts(tab) == 3)
            await pilot.press("ctrl+f7")
            await until(pilot, lambda: title(app, tab) == "web-1 · live")
            assert any(str(text) in message for message in notifications(app))

            with asciicast.open_from_url(str(cast)) as opened:
                events = [list(event) for event in opened.events()]
            _, ours = cast_lines(cast)
            assert events == ours
            assert any(code == "r" for _, code, _ in ours)
            terminal = tab.view.terminal
            replayed = replay(cast)
            assert (replayed.columns, replayed.lines) == (terminal.columns, terminal.lines)
            assert replayed.display == terminal.display
            assert replayed.cursor == terminal.cursor
            log = text.read_text()
            assert "recorded-42" in log and "echo recorded-$((6*7))" in log
            assert (cast.stat().st_mode & 0o777) == 0o600

            await run(pilot, "echo after-$((2*2))")
            await until(pilot, lambda: "after-4" in screen_text(tab))
            assert "after-4" not in cast.read_text()  # stopped means stopped

    async def test_recording_a_tab_again_starts_a_new_file(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app()
        async with shell_on(app, "web-2") as (pilot, tab):
            for _ in range(2):
                await pilot.press("ctrl+f7")
                await until(pilot, lambda: tab.recording)
                await pilot.press("ctrl+f7")
                await until(pilot, lambda: not tab.recording)
                await pilot.pause(1.1)  # file names carry the second recording began
            assert len(list(state.glob("*.cast"))) == 2
            assert len(list(state.glob("*.txt"))) == 2

    async def test_the_palette_entry_toggles_recording_of_the_tab(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app()
        async with shell_on(app, "web-1") as (pilot, tab):
            await pilot.press("ctrl+right_square_bracket", "ctrl+p", *"Record web-1")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: tab.recording, "recording from the palette")
            assert list(state.glob("*.cast"))


class TestConfigDefault:
    async def test_record_true_records_from_the_first_output_with_no_token_in_the_files(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app(record=True, record_input=True)
        async with shell_on(app, "web-3") as (pilot, tab):
            await until(pilot, lambda: title(app, tab) == f"{REC_MARK} web-3 · live")
            await run(pilot, "env | sort; echo from-the-start-$((5*5))")
            await until(pilot, lambda: "from-the-start-25\n[ssm-user@web-3" in screen_text(tab))
            cast, text = one_recording(state)
        # Quitting the app closes the tab: the recording is finished and the log written.
        log = text.read_text()
        assert "from-the-start-25" in log and log.startswith("[ssm-user@web-3")
        header, events = cast_lines(cast)
        assert header["title"] == "web-3"
        typed = "".join(data for _, code, data in events if code == "i")
        assert "env | sort; echo from-the-start" in typed  # record_input = true
        (ticket,) = TicketsSeen.tickets
        for secret in (ticket.token_value, ticket.stream_url):
            assert secret and secret not in cast.read_text() and secret not in log

    async def test_closing_a_recording_tab_finishes_its_files(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app(record=True)
        async with shell_on(app, "web-2") as (pilot, tab):
            await until(pilot, lambda: tab.recording and bool(list(state.glob("*.cast"))))
            await pilot.press("ctrl+f4", "y")
            await until(pilot, lambda: app.shells == [])
            _, text = one_recording(state)
            assert text.read_text().startswith("[ssm-user@web-2")
            assert any(str(text) in message for message in notifications(app))

    async def test_the_idle_timer_puts_a_quiet_tabs_output_on_disk(
        self, make_app: Any, state: Path
    ) -> None:
        app = make_app(record=True)
        async with shell_on(app, "web-1") as (pilot, tab):
            await run(pilot, "echo flushed-$((3*3))")
            await until(pilot, lambda: "flushed-9" in screen_text(tab))
            cast, _ = one_recording(state)
            await until(pilot, lambda: "flushed-9" in cast.read_text(), "the idle flush")
            assert tab.recording

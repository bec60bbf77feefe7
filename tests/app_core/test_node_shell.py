"""NodeShell against the emulator: one session at a time, its state, its end, and again."""

from __future__ import annotations

import pytest

from ssm_tui.app_core.node_shell import NodeShell
from ssm_tui.aws.errors import AwsError
from ssm_tui.sessions import Phase
from ssm_tui.sessions.base import SessionEnd
from tests.app_core.services import lab_node, lab_services
from tests.loopback import eventually
from tests.sessions.lab import OFFLINE, SHELL, Lab

SIZE = (100, 30)


class Watched:
    """A NodeShell on ``instance_id`` and everything it reported."""

    def __init__(self, lab: Lab, instance_id: str) -> None:
        self.output = bytearray()
        self.ends: list[SessionEnd] = []
        self.changes = 0
        self.shell = NodeShell(
            lab_node(instance_id, "box"),
            lab_services(lab),
            on_output=self.output.extend,
            on_end=self.ends.append,
            on_change=self._changed,
        )

    def _changed(self) -> None:
        self.changes += 1


async def test_keys_sent_while_connecting_run_once_the_session_is_attached(lab: Lab) -> None:
    watched = Watched(lab, SHELL)
    shell = watched.shell
    session = shell.connect(SIZE)
    assert session is not None
    assert shell.live and shell.state.phase is Phase.CONNECTING
    assert shell.send(b"echo typed-early-$((3*3))\r")
    await shell.start(session)
    await eventually(lambda: b"typed-early-9" in watched.output)
    await eventually(lambda: shell.state.phase is Phase.LIVE)
    shell.close()
    await session.wait()


async def test_an_ended_shell_reports_its_end_once_and_starts_again(lab: Lab) -> None:
    watched = Watched(lab, SHELL)
    shell = watched.shell
    first = shell.connect(SIZE)
    assert first is not None
    assert shell.connect(SIZE) is None  # one live session at a time
    await shell.start(first)
    shell.send(b"exit\r")
    await eventually(lambda: shell.end is not None)
    assert watched.ends == [shell.end]
    assert shell.end is not None and shell.end.ok
    assert not shell.live and shell.state.ended
    assert not shell.send(b"ls\r")
    second = shell.connect(SIZE)
    assert second is not None and second is not first
    assert shell.end is None and shell.state.phase is Phase.CONNECTING
    await shell.start(second)
    shell.send(b"echo again-$((5+5))\r")
    await eventually(lambda: b"again-10" in watched.output)
    shell.close()
    await second.wait()
    assert watched.changes >= 4


async def test_a_refused_start_ends_the_shell_saying_why_and_raises(lab: Lab) -> None:
    watched = Watched(lab, OFFLINE)
    shell = watched.shell
    session = shell.connect(SIZE)
    assert session is not None
    with pytest.raises(AwsError):
        await shell.start(session)
    (end,) = watched.ends
    assert not end.ok
    assert "not connected" in end.reason
    assert shell.state.ended and not shell.live


async def test_a_closed_shell_terminates_its_session_and_cannot_connect(lab: Lab) -> None:
    watched = Watched(lab, SHELL)
    shell = watched.shell
    session = shell.connect(SIZE)
    assert session is not None
    await shell.start(session)
    shell.close()
    end = await session.wait()
    assert end.ok
    assert shell.closed
    assert shell.connect(SIZE) is None

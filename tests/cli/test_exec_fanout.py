"""``ssm-tui exec`` over many nodes: prefixed lines, the summary, JSON, both engines, Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import signal

from ssm_tui.emulator.sessions import EmulatedSession
from tests.sessions.cli_process import CLI, run_cli, spawn_in_pty
from tests.sessions.lab import OFFLINE, SHELL, Lab

EVERY_NODE = "tag:Name"  # every lab node has a Name tag; dark-1 is offline
ONLINE = ("box-1", "web-1", "old-1", "vault-1", "flaky-1")
# Fails on box-1 only: each instance's home directory is named after its id.
FAIL_ON_BOX = f'case "$HOME" in *{SHELL}) echo broken >&2; exit 4;; esac; echo fine'


def _lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


async def test_each_line_is_prefixed_with_its_node_name_padded_to_the_longest(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "box-1", "vault-1", "--", "echo one; echo two")
    assert done.returncode == 0, done.stderr
    lines = _lines(done.stdout)
    assert sorted(lines) == sorted(
        ["box-1   │ one", "box-1   │ two", "vault-1 │ one", "vault-1 │ two"]
    )
    assert lines.index("box-1   │ one") < lines.index("box-1   │ two")
    assert b"\x1b[" not in done.stdout  # no colour on a pipe


async def test_a_failing_node_fails_the_run_and_the_others_still_finish(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "box-1", "web-1", "old-1", "--", FAIL_ON_BOX)
    assert done.returncode == 1
    assert sorted(_lines(done.stdout)) == ["old-1 │ fine", "web-1 │ fine"]
    errors = _lines(done.stderr)
    assert "box-1 │ broken" in errors
    rows = {line.split()[0]: line.split()[1:] for line in errors if "│" not in line}
    assert rows["box-1"][0] == "failed" and rows["box-1"][-2:] == ["exit", "4"]
    assert rows["web-1"][0] == "ok" and rows["web-1"][-2:] == ["exit", "0"]
    assert errors[-1] == "3 nodes: 2 ok, 1 failed"


async def test_offline_nodes_matching_the_filter_are_reported_not_run(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "--filter", EVERY_NODE, "--", "echo hi")
    assert done.returncode == 0, done.stderr
    assert sorted(line.split()[0] for line in _lines(done.stdout)) == sorted(ONLINE)
    errors = _lines(done.stderr)
    assert any(line.split()[:2] == ["dark-1", "offline"] for line in errors)
    assert errors[-1] == "6 nodes: 5 ok, 1 offline"
    assert all(s.target != OFFLINE for s in lab.server.sessions)


async def test_an_offline_target_named_on_the_command_line_fails_the_run(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "box-1", "dark-1", "--", "true")
    assert done.returncode == 1
    assert _lines(done.stderr)[-1] == "2 nodes: 1 ok, 1 offline"


async def test_json_gives_one_object_per_node(lab: Lab) -> None:
    done = await run_cli(
        lab.env, "exec", "--json", "--filter", EVERY_NODE, "--", "echo out; echo err >&2; exit 2"
    )
    assert done.returncode == 1
    records = {r["name"]: r for r in map(json.loads, _lines(done.stdout))}
    assert set(records) == {*ONLINE, "dark-1"}
    box = records["box-1"]
    assert set(box) == {
        "name",
        "instance_id",
        "profile",
        "region",
        "state",
        "exit_code",
        "duration",
        "stdout",
        "stderr",
        "reason",
    }
    assert (box["instance_id"], box["state"], box["exit_code"]) == (SHELL, "failed", 2)
    assert (box["stdout"], box["stderr"]) == ("out\n", "err\n")
    assert isinstance(box["duration"], float) and box["duration"] > 0
    dark = records["dark-1"]
    assert (dark["state"], dark["exit_code"], dark["stdout"]) == ("offline", None, "")


async def test_no_more_sessions_run_at_once_than_max_concurrency(lab: Lab) -> None:
    live: set[str] = set()
    peak = 0

    def started(session: EmulatedSession) -> None:
        nonlocal peak
        live.add(session.session_id)
        peak = max(peak, len(live))

    lab.server.sessions.on_start(started)
    lab.server.sessions.on_terminate(lambda s: live.discard(s.session_id))
    done = await run_cli(
        lab.env, "exec", "--max-concurrency", "2", "--filter", EVERY_NODE, "--", "sleep 0.5"
    )
    assert done.returncode == 0, done.stderr
    assert len(lab.server.sessions) == len(ONLINE)
    assert peak == 2


async def test_more_nodes_than_max_sessions_go_through_run_command(lab: Lab) -> None:
    done = await run_cli(
        lab.env,
        "exec",
        "--max-sessions",
        "2",
        "--filter",
        EVERY_NODE,
        "--",
        'echo "on $AWS_SSM_INSTANCE_ID"; ' + FAIL_ON_BOX,
    )
    assert done.returncode == 1
    assert len(lab.server.sessions) == 0  # no websocket was opened
    lines = _lines(done.stdout)
    for name in ONLINE:
        node = lab.server.fleet.instances[[i.name for i in lab.server.fleet.instances].index(name)]
        assert f"{name.ljust(7)} │ on {node.instance_id}" in lines
    errors = _lines(done.stderr)
    assert "box-1   │ broken" in errors
    assert errors[-1] == "6 nodes: 4 ok, 1 failed, 1 offline"


async def test_via_forces_run_command_for_a_few_named_nodes(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "--via", "run-command", "box-1", "--", "echo hi")
    assert done.returncode == 0, done.stderr
    assert _lines(done.stdout) == ["box-1 │ hi"]
    assert len(lab.server.sessions) == 0


async def test_ctrl_c_terminates_every_session_and_exits_130(lab: Lab) -> None:
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "exec",
        "box-1",
        "web-1",
        "old-1",
        "--",
        "echo started; sleep 30",
        env=lab.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    async with asyncio.timeout(30):
        for _ in range(3):
            assert b"started" in await process.stdout.readline()
        process.send_signal(signal.SIGINT)
        errors = await process.stderr.read()
        assert await process.wait() == 130
    assert _lines(errors)[-1] == "3 nodes: 3 cancelled"
    assert not any(s.active for s in lab.server.sessions)


async def test_colour_only_on_a_terminal_and_never_with_no_color(lab: Lab) -> None:
    for extra, coloured in (({}, True), ({"NO_COLOR": "1"}, False)):
        child = await spawn_in_pty({**lab.env, **extra}, "exec", "box-1", "web-1", "--", "echo hi")
        try:
            await child.expect_text(b"nodes: 2 ok")
            assert (b"\x1b[3" in bytes(child.output)) is coloured
        finally:
            child.close()


async def test_a_filter_matching_nothing_is_one_line_and_exit_1(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "--filter", "tag:Role=none", "--", "true")
    assert done.returncode == 1
    (line,) = _lines(done.stderr)
    assert line.startswith("ssm-tui: no managed nodes match 'tag:Role=none'")


async def test_targets_and_a_filter_together_are_refused(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "--filter", EVERY_NODE, "box-1", "--", "true")
    assert done.returncode == 1
    assert _lines(done.stderr) == ["ssm-tui: give TARGETs or --filter, not both"]


async def test_an_option_after_the_targets_is_named_in_the_error(lab: Lab) -> None:
    done = await run_cli(lab.env, "exec", "box-1", "--json", "--", "true")
    assert done.returncode == 1
    assert _lines(done.stderr) == ["ssm-tui: --json: options go before the TARGETs"]

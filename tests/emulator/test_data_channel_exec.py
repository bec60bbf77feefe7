"""NonInteractiveCommands: stdout as Output, stderr as StdErr, then the ExitCode payload."""

from __future__ import annotations

from tests.emulator.fleet_harness import SHELL, running_fleet

NON_INTERACTIVE = "AWS-StartNonInteractiveCommand"


async def test_exit_code_and_separate_stderr_arrive_before_channel_closed() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(
            SHELL, NON_INTERACTIVE, command="echo out-1; echo err-1 >&2; echo out-2; exit 7"
        )
        await client.wait_closed()
        assert client.started is not None
        assert client.started.session_type == "NonInteractiveCommands"
        assert bytes(client.output) == b"out-1\nout-2\n"
        assert bytes(client.stderr) == b"err-1\n"
        assert client.exit_code == 7


async def test_successful_command_reports_exit_code_zero() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL, NON_INTERACTIVE, command="printf 'no newline'")
        await client.wait_closed()
        assert bytes(client.output) == b"no newline"
        assert client.stderr == b""
        assert client.exit_code == 0


async def test_large_output_arrives_complete_and_in_order() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL, NON_INTERACTIVE, command="seq 1 20000")
        await client.wait_closed()
        expected = "".join(f"{n}\n" for n in range(1, 20001)).encode()
        assert bytes(client.output) == expected
        assert client.exit_code == 0


async def test_command_killed_by_a_signal_reports_128_plus_signal() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL, NON_INTERACTIVE, command="kill -TERM $$")
        await client.wait_closed()
        assert client.exit_code == 143


async def test_command_runs_in_the_instance_working_directory() -> None:
    async with running_fleet() as fleet:
        client = await fleet.open(SHELL, NON_INTERACTIVE, command="pwd; echo $TERM")
        await client.wait_closed()
        cwd = fleet.endpoint.workdir_root / SHELL
        assert bytes(client.output) == f"{cwd}\nxterm-256color\n".encode()

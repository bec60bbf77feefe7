"""RunCommandApi against the local fleet: batches of 50, statuses, results and errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.run_command import InvocationResult, RunCommandApi, parse_elapsed
from ssm_tui.emulator import EmulatorServer, generate_fleet
from tests.conftest import AwsEnv

PAIR = Pair(profile="account1", region="us-east-1")


@pytest.fixture
async def fleet_120(aws_env: AwsEnv) -> AsyncIterator[tuple[RunCommandApi, list[str]]]:
    fleet = generate_fleet(120, accounts=1, regions=1)
    async with EmulatorServer(fleet=fleet) as server:
        aws_env(server)
        online = [i.instance_id for i in fleet.instances if i.online]
        yield RunCommandApi(PAIR), online


async def _all_final(api: RunCommandApi, command_id: str) -> list[InvocationResult]:
    async with asyncio.timeout(60):
        while True:
            found = await api.statuses(command_id)
            if all(s.final for s in found):
                return found
            await asyncio.sleep(0.1)


async def test_more_than_50_nodes_are_sent_in_batches_and_all_report(
    fleet_120: tuple[RunCommandApi, list[str]],
) -> None:
    api, online = fleet_120
    assert len(online) > 100
    command_ids = await api.send(online, "echo $AWS_SSM_INSTANCE_ID")
    assert len(command_ids) == (len(online) + 49) // 50
    reported = []
    for command_id in command_ids:
        statuses = await _all_final(api, command_id)
        assert len(statuses) <= 50
        assert {s.status for s in statuses} == {"Success"}
        assert {s.response_code for s in statuses} == {0}
        reported += [s.instance_id for s in statuses]
    assert sorted(reported) == sorted(online)
    last = await api.result(command_ids[-1], online[-1])
    assert (last.status, last.response_code, last.stdout) == ("Success", 0, online[-1] + "\n")
    assert last.elapsed is not None and last.elapsed >= 0


async def test_a_failed_script_has_its_exit_code_and_stderr(
    fleet_120: tuple[RunCommandApi, list[str]],
) -> None:
    api, online = fleet_120
    (command_id,) = await api.send(online[:1], "echo nope >&2; exit 7", execution_timeout=60)
    await _all_final(api, command_id)
    result = await api.result(command_id, online[0])
    assert (result.status, result.status_details, result.response_code) == ("Failed", "Failed", 7)
    assert result.stderr == "nope\n"


async def test_an_unknown_invocation_is_an_aws_error_with_its_code(
    fleet_120: tuple[RunCommandApi, list[str]],
) -> None:
    api, online = fleet_120
    (command_id,) = await api.send(online[:1], "true")
    with pytest.raises(AwsError) as error:
        await api.result(command_id, online[1])
    assert error.value.code == "InvocationDoesNotExist"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT0.052S", 0.052), ("PT1M2.5S", 62.5), ("PT2H", 7200.0), ("", None), ("soon", None)],
)
def test_execution_elapsed_time_is_read_as_seconds(text: str, seconds: float | None) -> None:
    assert parse_elapsed(text) == seconds

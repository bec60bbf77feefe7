"""Fleet discovery: every SSM managed node across (profile, region) pairs, with EC2 tags."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ssm_tui.aws import ec2_slim, ssm_slim
from ssm_tui.aws.errors import CallContext, explain
from ssm_tui.aws.nodes import FleetSnapshot, ManagedNode, Pair, PairError
from ssm_tui.aws.profiles import ClientPool, SessionFactory, default_session_factory

if TYPE_CHECKING:
    from mypy_boto3_ssm.type_defs import InstanceInformationTypeDef

#: How many pairs are listed at once (each pair is one worker thread doing sequential calls).
DEFAULT_CONCURRENCY = 16
# DescribeInstanceInformation returns at most 50 per page; EC2 accepts up to 200 values
# per filter, and a filter (unlike InstanceIds) tolerates ids EC2 does not know.
_SSM_PAGE_SIZE = 50
_EC2_BATCH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class PairProgress:
    """Where one pair's listing stands: nodes found so far, and whether it has finished."""

    pair: Pair
    found: int
    done: bool = False
    error: PairError | None = None
    nodes: tuple[ManagedNode, ...] = field(default=(), repr=False)  # set when done


ProgressCallback = Callable[[PairProgress], None]


@dataclass(slots=True)
class _PairResult:
    nodes: list[ManagedNode]
    error: PairError | None = None
    warning: PairError | None = None


async def discover(
    pairs: Iterable[Pair],
    *,
    session_factory: SessionFactory = default_session_factory,
    progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    clients: ClientPool | None = None,
) -> FleetSnapshot:
    """List every managed node in ``pairs`` concurrently; a failing pair becomes a PairError.

    boto3 runs in worker threads (never on the event loop). ``progress`` is called on the
    event loop's thread after each page and when each pair finishes. Nodes come back sorted
    by name (unnamed last), then profile, region and id; errors in the order the pairs were given.
    """
    unique = list(dict.fromkeys(pairs))
    if not unique:
        return FleetSnapshot()
    pool = clients or ClientPool(session_factory)
    loop = asyncio.get_running_loop()

    def report(update: PairProgress) -> None:
        if progress is not None:
            loop.call_soon_threadsafe(progress, update)

    executor = ThreadPoolExecutor(
        max_workers=max(1, min(concurrency, len(unique))), thread_name_prefix="ssm-tui-fleet"
    )
    try:
        results = await asyncio.gather(
            *(loop.run_in_executor(executor, _list_pair, pool, pair, report) for pair in unique)
        )
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    nodes = [node for result in results for node in result.nodes]
    nodes.sort(key=_sort_key)
    return FleetSnapshot(
        nodes=tuple(nodes),
        errors=tuple(r.error for r in results if r.error is not None),
        warnings=tuple(r.warning for r in results if r.warning is not None),
        pairs=tuple(unique),
    )


def _sort_key(node: ManagedNode) -> tuple[bool, str, str, str, str]:
    # Named nodes first, by name; unnamed ones after them, by id.
    return (not node.name, node.label.lower(), node.profile or "", node.region, node.instance_id)


def _list_pair(pool: ClientPool, pair: Pair, report: Callable[[PairProgress], None]) -> _PairResult:
    """List one pair (runs in a worker thread); never raises."""
    result = _PairResult(nodes=[])
    context = CallContext(
        profile=pair.profile, region=pair.region, action="ssm:DescribeInstanceInformation"
    )
    try:
        infos: list[InstanceInformationTypeDef] = []
        for page in _ssm_pages(pool, pair):
            infos.extend(page)
            report(PairProgress(pair=pair, found=len(infos)))
        tags, states, warning = _ec2_details(pool, pair, infos)
        result.warning = warning
        result.nodes = [_node(pair, info, tags, states) for info in infos]
    except Exception as error:  # every failure of a pair is reported, never raised
        result.nodes = []
        result.error = PairError(pair=pair, message=explain(error, context))
    report(
        PairProgress(
            pair=pair,
            found=len(result.nodes),
            done=True,
            error=result.error,
            nodes=tuple(result.nodes),
        )
    )
    return result


def _ssm_pages(pool: ClientPool, pair: Pair) -> Iterator[list[InstanceInformationTypeDef]]:
    ssm = pool.client("ssm", pair.profile, pair.region)
    ssm_slim.install(ssm)
    paginator = ssm.get_paginator("describe_instance_information")
    pages = iter(paginator.paginate(PaginationConfig={"PageSize": _SSM_PAGE_SIZE}))
    while True:
        with ssm_slim.slimmed():  # only around the call: the caller runs between pages
            page = next(pages, None)
        if page is None:
            return
        yield page.get("InstanceInformationList", [])


def _ec2_details(
    pool: ClientPool, pair: Pair, infos: Sequence[InstanceInformationTypeDef]
) -> tuple[dict[str, dict[str, str]], dict[str, str], PairError | None]:
    """EC2 tags and states by instance id; a failure here is a warning, not a lost pair."""
    ids = [i["InstanceId"] for i in infos if i.get("InstanceId", "").startswith("i-")]
    tags: dict[str, dict[str, str]] = {}
    states: dict[str, str] = {}
    if not ids:
        return tags, states, None
    try:
        ec2 = pool.client("ec2", pair.profile, pair.region)
        ec2_slim.install(ec2)
        paginator = ec2.get_paginator("describe_instances")
        for start in range(0, len(ids), _EC2_BATCH):
            batch = ids[start : start + _EC2_BATCH]
            filters: Any = [{"Name": "instance-id", "Values": batch}]
            with ec2_slim.slimmed():
                pages = list(paginator.paginate(Filters=filters))
            for page in pages:
                for reservation in page.get("Reservations", []):
                    for instance in reservation.get("Instances", []):
                        instance_id = instance.get("InstanceId", "")
                        tags[instance_id] = {
                            t["Key"]: t.get("Value", "")
                            for t in instance.get("Tags", [])
                            if "Key" in t
                        }
                        states[instance_id] = instance.get("State", {}).get("Name", "")
    except Exception as error:
        context = CallContext(
            profile=pair.profile, region=pair.region, action="ec2:DescribeInstances"
        )
        message = f"nodes listed without EC2 tags: {explain(error, context)}"
        return {}, {}, PairError(pair=pair, message=message)
    return tags, states, None


def _node(
    pair: Pair,
    info: InstanceInformationTypeDef,
    tags: dict[str, dict[str, str]],
    states: dict[str, str],
) -> ManagedNode:
    instance_id = info.get("InstanceId", "")
    node_tags = tags.get(instance_id, {})
    # Hybrid (mi-) nodes have no EC2 record; their activation gives them a Name instead.
    name = node_tags.get("Name") or info.get("Name", "")
    return ManagedNode(
        instance_id=instance_id,
        profile=pair.profile,
        region=pair.region,
        name=name,
        platform_type=info.get("PlatformType", ""),
        platform_name=info.get("PlatformName", ""),
        ping_status=info.get("PingStatus", ""),
        agent_version=info.get("AgentVersion", ""),
        ip_address=info.get("IPAddress", ""),
        computer_name=info.get("ComputerName", ""),
        state=states.get(instance_id, ""),
        tags=node_tags,
    )

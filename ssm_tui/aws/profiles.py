"""Profiles and boto3 sessions: the standard AWS config files and environment, nothing more.

boto3 already honours ``AWS_PROFILE``, ``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``,
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` (botocore's
config provider); the only addition here is ``AWS_REGION``, which the AWS CLI v2 and most
SDKs read but botocore does not.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import botocore.session
from botocore.config import Config

from ssm_tui.aws.botocore_sharing import share_loader, sharing_into
from ssm_tui.aws.nodes import Pair

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

#: Builds the boto3 session for a profile (``None`` = the default credential chain).
SessionFactory = Callable[[str | None], "boto3.Session"]

# Listing is many small calls; keep retries short so a dead endpoint fails in seconds.
_CLIENT_CONFIG = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=16,
)


def default_session_factory(profile: str | None) -> boto3.Session:
    """A boto3 session for ``profile``; ``None`` lets boto3 pick ``AWS_PROFILE`` or the default."""
    # Imported on first use: boto3 (with s3transfer) costs ~80 ms that the app's first
    # frame should not wait for.
    import boto3

    return boto3.Session(profile_name=profile)


def profile_label(profile: str | None) -> str:
    """The profile name as a user would know it (``None`` = ``AWS_PROFILE`` or ``default``)."""
    return profile or os.environ.get("AWS_PROFILE") or "default"


def list_profiles() -> list[str]:
    """Every profile named in the config and credentials files, sorted."""
    return sorted(botocore.session.Session().available_profiles)


def default_region(profile: str | None = None) -> str | None:
    """The region to use with ``profile`` when none is given, as the AWS CLI v2 picks it.

    ``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then the profile's ``region`` setting.
    """
    if os.environ.get("AWS_REGION"):
        return os.environ["AWS_REGION"]
    try:
        region: str | None = default_session_factory(profile).region_name
    except Exception:  # ProfileNotFound and friends: the caller reports the profile itself
        region = None
    return region or None


def pairs_for(
    profiles: Sequence[str | None] | None, regions: Sequence[str] | None
) -> tuple[list[Pair], list[str]]:
    """The (profile, region) pairs ``--profile``/``--region`` ask for, and why any are missing.

    No profile means the default chain (``AWS_PROFILE`` or ``default``); no region means
    each profile's own default (:func:`default_region`). A profile without one is reported
    as a problem line instead of a pair.
    """
    chosen_profiles: list[str | None] = list(dict.fromkeys(profiles or [None]))
    chosen_regions = [r for r in dict.fromkeys(regions or []) if r]
    if chosen_regions:
        return [Pair(profile=p, region=r) for p in chosen_profiles for r in chosen_regions], []
    pairs: list[Pair] = []
    problems: list[str] = []
    known: list[str] | None = None
    for profile in chosen_profiles:
        named = profile or os.environ.get("AWS_PROFILE")
        if named:
            known = known if known is not None else list_profiles()
            if named not in known:
                problems.append(f"profile {named} is not in the AWS config")
                continue
        region = default_region(profile)
        if region is None:
            problems.append(
                f"no region for profile {profile_label(profile)}: pass --region, "
                "set AWS_REGION, or set `region` in the AWS config"
            )
        else:
            pairs.append(Pair(profile=profile, region=region))
    return pairs, problems


class ClientPool:
    """boto3 clients per (profile, region, service), safe to use from many threads.

    boto3 sessions are not thread-safe but the clients they make are: clients are built
    under one lock and cached; the API calls themselves then run in parallel.

    Building a client is slow (~15 ms): botocore makes a fresh service model and a fresh
    client class (one method per operation, ~700 for EC2) every time. A fleet listing
    needs one client per (profile, region, service), so the pool builds the model and the
    class once per (profile, service) and every region's client shares them; the profiles'
    sessions share one loader, so each service's JSON model is read once per process (and
    kept: ~20 MiB for SSM and EC2, against ~0.15 s to decode them again on each refresh).
    The sharing reaches into botocore's internals, all of it in ``botocore_sharing``.
    """

    def __init__(self, session_factory: SessionFactory = default_session_factory) -> None:
        self._session_factory = session_factory
        self._lock = threading.Lock()
        self._sessions: dict[str | None, boto3.Session] = {}
        self._clients: dict[tuple[str | None, str, str], Any] = {}
        self._shared: dict[tuple[str | None, str], dict[str, Any]] = {}

    def session(self, profile: str | None) -> boto3.Session:
        """The (cached) session for ``profile``; raises what the factory raises."""
        with self._lock:
            return self._session(profile)

    def _session(self, profile: str | None) -> boto3.Session:
        session = self._sessions.get(profile)
        if session is None:
            session = self._session_factory(profile)
            share_loader(session)
            self._sessions[profile] = session
        return session

    @overload
    def client(self, service: Literal["ssm"], profile: str | None, region: str) -> SSMClient: ...
    @overload
    def client(self, service: Literal["ec2"], profile: str | None, region: str) -> EC2Client: ...
    @overload
    def client(self, service: Literal["kms"], profile: str | None, region: str) -> KMSClient: ...
    @overload
    def client(self, service: Literal["sts"], profile: str | None, region: str) -> STSClient: ...

    def client(self, service: str, profile: str | None, region: str) -> Any:
        """The (cached) ``service`` client for ``profile`` in ``region``."""
        key = (profile, region, service)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                session = self._session(profile)
                with sharing_into(self._shared.setdefault((profile, service), {})):
                    client = session.client(  # type: ignore[call-overload]
                        service, region_name=region, config=_CLIENT_CONFIG
                    )
                self._clients[key] = client
            return client

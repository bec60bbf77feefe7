"""Profiles and boto3 sessions: the standard AWS config files and environment, nothing more.

boto3 already honours ``AWS_PROFILE``, ``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``,
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` (botocore's
config provider); the only addition here is ``AWS_REGION``, which the AWS CLI v2 and most
SDKs read but botocore does not.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import botocore.client
import botocore.loaders
import botocore.session
from botocore.config import Config

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
            _share_loader(session)
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
                _install_reuse()
                _reuse.shared = self._shared.setdefault((profile, service), {})
                try:
                    client = session.client(  # type: ignore[call-overload]
                        service, region_name=region, config=_CLIENT_CONFIG
                    )
                finally:
                    _reuse.shared = None
                self._clients[key] = client
            return client


class _Reuse(threading.local):
    # While ClientPool builds a client on this thread: the service model and client class
    # already built for the same (profile, service), or an empty dict to keep them in.
    shared: dict[str, Any] | None = None


_reuse = _Reuse()
_install_lock = threading.Lock()
_installed = False
# One botocore loader per search path list, shared by the sessions ClientPool makes.
_loaders: dict[tuple[str, ...], Any] = {}


def _install_reuse() -> None:
    """Wrap botocore's ClientCreator so clients built by a ClientPool share model and class.

    Outside ``ClientPool.client`` (``_reuse.shared`` unset) botocore behaves as before. If a
    botocore release renames these internals, nothing is wrapped and clients are built the
    slow way.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        creator: Any = botocore.client.ClientCreator
        load_model = getattr(creator, "_load_service_model", None)
        make_class = getattr(creator, "_create_client_class", None)
        if load_model is None or make_class is None:
            return

        def _load_service_model(self: Any, service_name: str, api_version: Any = None) -> Any:
            shared = _reuse.shared
            if shared is None or api_version is not None:
                return load_model(self, service_name, api_version)
            key = f"model:{service_name}"
            if key not in shared:
                shared[key] = load_model(self, service_name, api_version)
            return shared[key]

        def _create_client_class(self: Any, service_name: str, service_model: Any) -> Any:
            shared = _reuse.shared
            if shared is None or shared.get(f"model:{service_name}") is not service_model:
                return make_class(self, service_name, service_model)
            key = f"class:{service_name}"
            if key not in shared:
                shared[key] = make_class(self, service_name, service_model)
            return shared[key]

        creator._load_service_model = _load_service_model
        creator._create_client_class = _create_client_class


def _share_loader(session: Any) -> None:
    """Point ``session`` at the loader already used by sessions with the same data paths.

    Each boto3 session otherwise reads and decodes each service's JSON model (~0.1 s for
    EC2) again. The shared loader decodes into plain dicts rather than botocore's
    OrderedDicts: nothing in botocore needs the subclass, and plain dicts of strings are
    untracked by the garbage collector, which halves the cost of every full collection
    while the models are loaded (an EC2 model is ~50 000 containers). Anything that is
    not a plain boto3 session is left alone.
    """
    core = getattr(session, "_session", None)
    if not isinstance(core, botocore.session.Session):
        return
    loader = core.get_component("data_loader")
    key = tuple(getattr(loader, "search_paths", ()))
    with _install_lock:
        shared = _loaders.get(key)
        if shared is None:
            shared = _loaders[key] = loader
            if type(getattr(loader, "file_loader", None)) is botocore.loaders.JSONFileLoader:
                loader.file_loader = _PlainJsonFileLoader()
    if shared is not loader:
        core.register_component("data_loader", shared)


class _PlainJsonFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSON model loader, decoding objects as plain dicts."""

    def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as file:
            return json.loads(file.read().decode("utf-8"))

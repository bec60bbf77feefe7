"""The one place that reaches into botocore's internals: sharing models, classes and loaders.

botocore builds a fresh service model and client class (one method per operation, ~700
for EC2) for every client, and every session decodes each service's JSON model again.
A fleet listing makes one client per (profile, region, service), so ``ClientPool`` asks
this module to share them. Everything here depends on private botocore names
(``ClientCreator._load_service_model``, ``ClientCreator._create_client_class``,
``boto3.Session._session``, ``JSONFileLoader._load_file``); when a botocore release
renames one, the matching sharing is skipped and botocore builds clients its own way.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import botocore.client
import botocore.loaders
import botocore.session

__all__ = ["install_model_sharing", "share_loader", "sharing_into"]


class _Sharing(threading.local):
    # While a client is built inside ``sharing_into`` on this thread: the model and class
    # already built for the same (profile, service), or an empty dict to keep them in.
    shared: dict[str, Any] | None = None


_sharing = _Sharing()
_lock = threading.Lock()
_wrapped: dict[type, bool] = {}
# One botocore loader per search-path list, shared by every session handed to share_loader.
_loaders: dict[tuple[str, ...], Any] = {}


@contextlib.contextmanager
def sharing_into(shared: dict[str, Any]) -> Iterator[None]:
    """Clients built on this thread inside the block share the model and class kept in ``shared``.

    Pass the same dict for clients of one (profile, service). Outside the block botocore
    behaves as usual.
    """
    install_model_sharing()
    _sharing.shared = shared
    try:
        yield
    finally:
        _sharing.shared = None


def install_model_sharing(creator: type = botocore.client.ClientCreator) -> bool:
    """Wrap ``creator``'s model loading and class building once; ``False`` if it can't.

    ``creator`` is a parameter so the degraded path (a botocore without these methods) is
    testable without touching the real class.
    """
    with _lock:
        if creator in _wrapped:
            return _wrapped[creator]
        load_model: Callable[..., Any] | None = creator.__dict__.get("_load_service_model")
        make_class: Callable[..., Any] | None = creator.__dict__.get("_create_client_class")
        if not callable(load_model) or not callable(make_class):
            _wrapped[creator] = False
            return False
        _wrapped[creator] = True

        def _load_service_model(self: Any, service_name: str, api_version: Any = None) -> Any:
            shared = _sharing.shared
            if shared is None or api_version is not None:
                return load_model(self, service_name, api_version)
            key = f"model:{service_name}"
            if key not in shared:
                shared[key] = load_model(self, service_name, api_version)
            return shared[key]

        def _create_client_class(self: Any, service_name: str, service_model: Any) -> Any:
            shared = _sharing.shared
            if shared is None or shared.get(f"model:{service_name}") is not service_model:
                return make_class(self, service_name, service_model)
            key = f"class:{service_name}"
            if key not in shared:
                shared[key] = make_class(self, service_name, service_model)
            return shared[key]

        setattr(creator, "_load_service_model", _load_service_model)  # noqa: B010
        setattr(creator, "_create_client_class", _create_client_class)  # noqa: B010
        return True


def share_loader(session: Any) -> bool:
    """Point a boto3 ``session`` at the loader already used by sessions with the same paths.

    The shared loader decodes models into plain dicts rather than botocore's OrderedDicts:
    nothing in botocore needs the subclass, and plain dicts of strings are untracked by the
    garbage collector, which halves the cost of every full collection while the models are
    loaded (an EC2 model is ~50 000 containers). Returns ``False`` (and changes nothing)
    for anything that is not a plain boto3 session.
    """
    core = getattr(session, "_session", None)
    if not isinstance(core, botocore.session.Session):
        return False
    loader = core.get_component("data_loader")
    key = tuple(getattr(loader, "search_paths", ()))
    with _lock:
        shared = _loaders.get(key)
        if shared is None:
            shared = _loaders[key] = loader
            if type(getattr(loader, "file_loader", None)) is botocore.loaders.JSONFileLoader:
                loader.file_loader = _PlainJsonFileLoader()
    if shared is not loader:
        core.register_component("data_loader", shared)
    return True


class _PlainJsonFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSON model loader, decoding objects as plain dicts."""

    def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as file:
            return json.loads(file.read().decode("utf-8"))

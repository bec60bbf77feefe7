"""A botocore ``before-parse`` hook that lets a fast reader stand in for the generic parser.

Shared by :mod:`ec2_slim` and :mod:`ssm_slim`: each names its operation and a ``read``
function. While :meth:`ParseHook.slimmed` is active on the calling thread, a successful
response body goes to ``read``, which returns the parsed result and the body left for
botocore (usually just the pagination token); anything ``read`` rejects is left to
botocore untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Parses a body into (the result for ``key``, or None to set nothing; the rest for botocore).
Reader = Callable[[bytes], tuple[Any, bytes]]


class ParseHook:
    """The ``before-parse`` hook for one operation, active only inside :meth:`slimmed`."""

    def __init__(
        self,
        event: str,
        *,
        unique_id: str,
        key: str,
        read: Reader,
        errors: tuple[type[Exception], ...] = (ValueError,),
    ) -> None:
        self._event = event
        self._unique_id = unique_id
        self._key = key
        self._read = read
        self._errors = errors
        self._state = threading.local()

    @contextmanager
    def slimmed(self) -> Iterator[None]:
        """Within this block (on this thread), responses are read by the fast reader."""
        previous = getattr(self._state, "active", False)
        self._state.active = True
        try:
            yield
        finally:
            self._state.active = previous

    def install(self, client: Any) -> None:
        """Register the hook on a client (idempotent; inert outside :meth:`slimmed`)."""
        client.meta.events.register(self._event, self.read_response, unique_id=self._unique_id)

    def read_response(
        self, response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
    ) -> None:
        """The handler botocore calls with the raw response, before its own parser runs."""
        if not getattr(self._state, "active", False) or response_dict.get("status_code") != 200:
            return
        body = response_dict.get("body")
        if not isinstance(body, bytes):
            return
        try:
            parsed, rest = self._read(body)
        except self._errors:
            return  # botocore will report whatever this is
        if parsed is not None:
            customized_response_dict[self._key] = parsed
        response_dict["body"] = rest

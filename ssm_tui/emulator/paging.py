"""Opaque NextToken pagination shared by the list APIs."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from ssm_tui.emulator.errors import AwsError

T = TypeVar("T")


def paginate(
    items: Sequence[T],
    *,
    token: str | None,
    size: int | None,
    query: object,
    invalid: Callable[[], AwsError],
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token for the next; ``query`` ties a token to its request.

    A token replayed with different filters (or one we never issued) raises ``invalid()``,
    as AWS refuses a NextToken that does not belong to the request.
    """
    fingerprint = hashlib.sha256(repr(query).encode()).hexdigest()[:16]
    start = 0 if not token else _offset(token, fingerprint, invalid)
    if start > len(items):
        raise invalid()
    end = len(items) if size is None else start + size
    next_token = _token(end, fingerprint) if end < len(items) else None
    return list(items[start:end]), next_token


def _token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "q": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _offset(token: str, fingerprint: str, invalid: Callable[[], AwsError]) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = data["o"]
        if data["q"] != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ValueError("token does not belong to this request")
    except (ValueError, KeyError, TypeError):
        raise invalid() from None
    return offset

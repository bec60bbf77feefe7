"""The protocol's error types: who broke the rules, the caller or the peer."""

from __future__ import annotations


class ProtocolError(Exception):
    """Base class of every error the protocol core raises on purpose."""


class LocalProtocolError(ProtocolError):
    """The caller misused the API (e.g. sent on a closed channel, an empty payload)."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something the protocol does not allow (malformed frame, bad JSON...)."""

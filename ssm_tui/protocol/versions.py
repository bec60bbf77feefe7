"""The version gates both ends apply to each other's version strings (protocol.md §10.4).

The client (session-manager-plugin) and the agent compare versions by different rules,
and the difference matters: reproduce each one exactly, including its quirks.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "CLIENT_VERSION",
    "LOCAL_PORT_FORWARDING",
    "agent_sends_keepalive",
    "agent_uses_mux",
    "client_sends_keepalive",
    "client_sends_terminate_flag",
    "client_uses_mux",
    "compare_by_agent_rule",
    "greater_by_plugin_rule",
]

# The ClientVersion we report in OpenDataChannel and HandshakeResponse. It must be above
# 1.2.331.0: an agent keeps smux keepalive on for older clients, and its smux server then
# closes the session after 30 s without a NOP. aws/session-manager-plugin#93 is exactly
# that: a plugin built from source reports 1.2.0.0, the agent keeps keepalive on while the
# plugin (talking to a modern agent) sends none, and idle port sessions die. 1.2.677.0 is
# the official release matching the source we follow (§0).
CLIENT_VERSION = "1.2.677.0"

LOCAL_PORT_FORWARDING = "LocalPortForwarding"

# Thresholds, named as the official code names them ("... after this version").
MUX_AFTER_AGENT_VERSION = "3.0.196.0"
KEEPALIVE_DISABLED_AFTER_AGENT_VERSION = "3.1.1511.0"
TERMINATE_FLAG_AFTER_AGENT_VERSION = "2.3.722.0"
MUX_FROM_CLIENT_VERSION = "1.1.70"
KEEPALIVE_DISABLED_AFTER_CLIENT_VERSION = "1.2.331.0"

_INT64_MAX = 2**63 - 1
_GO_INT = re.compile(r"[+-]?[0-9]+")  # what Go's strconv.Atoi accepts
_DIGITS = re.compile(r"[0-9]+")  # what a semver number must be
_SEMVER_IDENTIFIERS = re.compile(r"[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*")


# -- the plugin's rule ----------------------------------------------------------------


def greater_by_plugin_rule(version: str, than: str) -> bool:
    """Whether ``version`` is strictly greater than ``than`` as the official plugin decides.

    Both are split on dots and must have the same number of components; components are
    compared left to right as Go integers (``strconv.Atoi``). Every failure (empty string,
    3 vs 4 components, a component that is not an integer) means "not greater", which is
    how the plugin treats its own errors. Quirk kept on purpose: components after the first
    difference are never parsed, so ``4.0.0.x`` is greater than ``3.0.196.0``.
    """
    left, right = version.split("."), than.split(".")
    if len(left) != len(right):
        return False
    for left_part, right_part in zip(left, right, strict=True):
        left_number, right_number = _go_atoi(left_part), _go_atoi(right_part)
        if left_number is None or right_number is None:
            return False
        if left_number != right_number:
            return left_number > right_number
    return False


def client_uses_mux(agent_version: str, port_type: str) -> bool:
    """The client multiplexes port forwarding with smux (else basic forwarding, §11.2)."""
    return port_type == LOCAL_PORT_FORWARDING and greater_by_plugin_rule(
        agent_version, MUX_AFTER_AGENT_VERSION
    )


def client_sends_keepalive(agent_version: str) -> bool:
    """The client's smux sends NOPs: the agent is 3.1.1511.0 or older, or unparseable."""
    return not greater_by_plugin_rule(agent_version, KEEPALIVE_DISABLED_AFTER_AGENT_VERSION)


def client_sends_terminate_flag(agent_version: str) -> bool:
    """Ctrl-C in basic forwarding sends the TerminateSession flag (else the API call)."""
    return greater_by_plugin_rule(agent_version, TERMINATE_FLAG_AFTER_AGENT_VERSION)


# -- the agent's rule -----------------------------------------------------------------


def compare_by_agent_rule(this: str, other: str) -> int:
    """Compare as the agent does (strict sort): negative, zero or positive like ``cmp``.

    Semantic-versioning precedence if both parse as semver (exactly three numbers, so a
    four-part version never does); otherwise component by component, numerically when
    both components are integers, else as text, with fewer components the smaller. An
    empty version is therefore lower than any real one.
    """
    this_semver, other_semver = _parse_semver(this), _parse_semver(other)
    if this_semver is not None and other_semver is not None:
        return _compare_semver(this_semver, other_semver)
    this_parts, other_parts = this.split("."), other.split(".")
    for left, right in zip(this_parts, other_parts, strict=False):
        left_number, right_number = _go_atoi(left), _go_atoi(right)
        if left_number is not None and right_number is not None:
            result = _cmp(left_number, right_number)
        else:
            result = _cmp(left, right)  # code-point order is Go's UTF-8 byte order
        if result:
            return result
    return _cmp(len(this_parts), len(other_parts))


def agent_uses_mux(client_version: str, port_type: str) -> bool:
    """The agent runs an smux server for this client (ClientVersion ≥ 1.1.70)."""
    return (
        port_type == LOCAL_PORT_FORWARDING
        and compare_by_agent_rule(client_version, MUX_FROM_CLIENT_VERSION) >= 0
    )


def agent_sends_keepalive(client_version: str) -> bool:
    """The agent's smux sends NOPs and enforces the 30 s timeout (client ≤ 1.2.331.0)."""
    return compare_by_agent_rule(client_version, KEEPALIVE_DISABLED_AFTER_CLIENT_VERSION) <= 0


# -- helpers --------------------------------------------------------------------------

_Semver = tuple[tuple[int, int, int], list[str]]


def _parse_semver(version: str) -> _Semver | None:
    """Parse ``MAJOR.MINOR.PATCH[-pre][+build]`` like the agent's semver library."""
    core, _, build = version.partition("+")
    core, _, pre = core.partition("-")
    if build and not _SEMVER_IDENTIFIERS.fullmatch(build):
        return None
    if pre and not _SEMVER_IDENTIFIERS.fullmatch(pre):
        return None
    numbers = core.split(".")
    if len(numbers) != 3 or not all(_DIGITS.fullmatch(number) for number in numbers):
        return None
    major, minor, patch = (int(number) for number in numbers)
    if max(major, minor, patch) > _INT64_MAX:
        return None
    return (major, minor, patch), pre.split(".") if pre else []


def _compare_semver(this: _Semver, other: _Semver) -> int:
    if this[0] != other[0]:
        return _cmp(this[0], other[0])
    this_pre, other_pre = this[1], other[1]
    if not this_pre or not other_pre:  # a release outranks its pre-releases
        return _cmp(not this_pre, not other_pre)
    for left, right in zip(this_pre, other_pre, strict=False):
        left_number, right_number = _go_atoi(left), _go_atoi(right)
        if left_number is not None and right_number is not None:
            result = _cmp(left_number, right_number)
        elif left_number is not None or right_number is not None:
            result = -1 if left_number is not None else 1  # numeric identifiers sort first
        else:
            result = _cmp(left, right)
        if result:
            return result
    return _cmp(len(this_pre), len(other_pre))


def _go_atoi(text: str) -> int | None:
    """The integer Go's ``strconv.Atoi`` would read, or None where it fails."""
    if not _GO_INT.fullmatch(text):
        return None
    number = int(text)
    return number if -_INT64_MAX - 1 <= number <= _INT64_MAX else None


def _cmp(left: Any, right: Any) -> int:
    return int(left > right) - int(left < right)

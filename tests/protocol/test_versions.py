"""The §10.4 version gates, each side with its own comparison rule."""

from __future__ import annotations

import pytest

from ssm_tui.protocol.versions import (
    CLIENT_VERSION,
    agent_sends_keepalive,
    agent_uses_mux,
    client_sends_keepalive,
    client_sends_terminate_flag,
    client_uses_mux,
    compare_by_agent_rule,
    greater_by_plugin_rule,
)

LPF = "LocalPortForwarding"


class TestPluginRule:
    @pytest.mark.parametrize(
        ("version", "than", "expected"),
        [
            ("3.0.196.1", "3.0.196.0", True),
            ("3.0.196.0", "3.0.196.0", False),
            ("3.0.195.99", "3.0.196.0", False),
            ("3.0.1000.0", "3.0.196.0", True),  # numeric, not textual
            ("10.0.0.0", "9.9.9.9", True),
            ("+4.0.0.0", "3.0.196.0", True),  # Go's Atoi takes a sign
        ],
    )
    def test_compares_components_numerically(self, version: str, than: str, expected: bool) -> None:
        assert greater_by_plugin_rule(version, than) is expected

    @pytest.mark.parametrize(
        "version",
        ["3.1", "3.1.0", "4.0.0.0.0", "", "latest", "3.x.0.0", "3.0.196.0-beta", " 4.0.0.0"],
    )
    def test_different_component_counts_and_garbage_are_not_greater(self, version: str) -> None:
        assert greater_by_plugin_rule(version, "3.0.196.0") is False

    def test_components_after_the_first_difference_are_never_parsed(self) -> None:
        assert greater_by_plugin_rule("4.0.0.x", "3.0.196.0") is True
        assert greater_by_plugin_rule("3.0.196.0", "4.0.0.x") is False

    def test_a_garbage_threshold_makes_nothing_greater(self) -> None:
        assert greater_by_plugin_rule("3.0.196.0", "") is False

    def test_integers_beyond_int64_are_parse_errors(self) -> None:
        assert greater_by_plugin_rule("9223372036854775808.0.0.0", "3.0.196.0") is False
        assert greater_by_plugin_rule("9223372036854775807.0.0.0", "3.0.196.0") is True


class TestAgentRule:
    @pytest.mark.parametrize(
        ("this", "other", "sign"),
        [
            ("1.2.677.0", "1.1.70", 1),
            ("1.1.70", "1.1.70", 0),
            ("1.1.69", "1.1.70", -1),
            ("1.1.70.0", "1.1.70", 1),  # not semver: more components is greater
            ("1.1.70", "1.1.70.0", -1),
            ("1.2.331.0", "1.2.331.0", 0),
            ("1.2.331.1", "1.2.331.0", 1),
            ("", "1.1.70", -1),  # empty ClientVersion is lower
            ("", "", 0),
            ("1.b.0.0", "1.a.0.0", 1),  # non-numeric components compare as text
            ("1.10.0.0", "1.9.0.0", 1),
            ("1.1.70-beta", "1.1.70", -1),  # semver: a pre-release is below its release
            ("1.1.70", "1.1.70-beta", 1),
            ("1.1.70-beta", "1.1.70-beta", 0),
            ("1.1.70-alpha", "1.1.70-beta", -1),
            ("1.1.70-2", "1.1.70-10", -1),  # numeric identifiers compare as numbers
            ("1.1.70-1", "1.1.70-alpha", -1),  # ...and sort before alphanumeric ones
            ("1.1.70-alpha", "1.1.70-1", 1),
            ("1.1.70-alpha.1", "1.1.70-alpha", 1),  # more identifiers is greater
            ("1.1.70+build.5", "1.1.70", 0),  # build metadata is ignored
            ("1.1.71+build", "1.1.70", 1),
            ("2.0.0", "10.0.0", -1),
        ],
    )
    def test_compare_by_agent_rule(self, this: str, other: str, sign: int) -> None:
        result = compare_by_agent_rule(this, other)
        assert (result > 0) - (result < 0) == sign

    @pytest.mark.parametrize(
        ("version", "sign"),
        [
            ("1.1.70-", 0),  # an empty pre-release is still semver: the release itself
            ("1.1.70+", 0),
            ("1.1.70-a..b", 1),  # not semver: "70-a" > "70" as text
            ("1.1.70+a_b", 1),
            ("1.1", -1),
            ("v1.1.70", 1),  # "v1" > "1" as text
        ],
    )
    def test_edge_semver_spellings(self, version: str, sign: int) -> None:
        result = compare_by_agent_rule(version, "1.1.70")
        assert (result > 0) - (result < 0) == sign

    def test_semver_numbers_beyond_int64_are_not_semver(self) -> None:
        huge = "99999999999999999999.0.0"
        assert compare_by_agent_rule(huge, "1.0.0") > 0  # text compare: "9" > "1"
        assert compare_by_agent_rule("1.0.0", huge) < 0


class TestGates:
    def test_client_uses_mux_only_for_local_port_forwarding_after_3_0_196_0(self) -> None:
        assert client_uses_mux("3.0.196.1", LPF)
        assert client_uses_mux("3.3.1142.0", LPF)
        assert not client_uses_mux("3.0.196.0", LPF)
        assert not client_uses_mux("3.3.1142.0", "")  # AWS-StartSSHSession: stdio
        assert not client_uses_mux("3.3", LPF)

    def test_client_sends_keepalive_to_agents_up_to_3_1_1511_0(self) -> None:
        assert client_sends_keepalive("3.1.1511.0")
        assert client_sends_keepalive("3.0.196.1")
        assert not client_sends_keepalive("3.1.1511.1")
        assert client_sends_keepalive("garbage")  # unparseable is "not greater"

    def test_client_sends_terminate_flag_after_2_3_722_0(self) -> None:
        assert client_sends_terminate_flag("2.3.722.1")
        assert not client_sends_terminate_flag("2.3.722.0")

    def test_agent_uses_mux_from_client_1_1_70(self) -> None:
        assert agent_uses_mux("1.1.70", LPF)
        assert agent_uses_mux("1.2.0.0", LPF)
        assert not agent_uses_mux("1.1.69", LPF)
        assert not agent_uses_mux("", LPF)
        assert not agent_uses_mux("1.2.677.0", "Standard_Stream")

    def test_agent_sends_keepalive_to_clients_up_to_1_2_331_0(self) -> None:
        assert agent_sends_keepalive("1.2.331.0")
        assert agent_sends_keepalive("1.2.0.0")  # issue #93: a source build
        assert agent_sends_keepalive("")
        assert not agent_sends_keepalive("1.2.331.1")

    def test_our_client_version_gets_mux_without_keepalive(self) -> None:
        assert agent_uses_mux(CLIENT_VERSION, LPF)
        assert not agent_sends_keepalive(CLIENT_VERSION)

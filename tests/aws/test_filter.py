"""The fleet filter language: examples of each term, and properties over arbitrary input."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from ssm_tui.aws.filter import parse_filter
from ssm_tui.aws.nodes import ManagedNode

WEB = ManagedNode(
    instance_id="i-0123456789abcdef0",
    profile="prod",
    region="eu-west-1",
    name="web-1",
    platform_type="Linux",
    platform_name="Amazon Linux",
    ip_address="10.0.1.17",
    computer_name="ip-10-0-1-17.eu-west-1.compute.internal",
    tags={"Name": "web-1", "Env": "Production", "Cost Center": "web team 1"},
)
DB = ManagedNode(
    instance_id="i-0fedcba9876543210",
    profile=None,
    region="us-east-1",
    name="db",
    platform_type="Windows",
    ip_address="10.9.9.9",
    tags={"Name": "db", "Env": "staging"},
)
HYBRID = ManagedNode(instance_id="mi-0aaaabbbbccccdddd", profile="lab", region="us-east-1")
FLEET = [WEB, DB, HYBRID]


def names(text: str) -> list[str]:
    return [n.label for n in parse_filter(text).apply(FLEET)]


def test_empty_filter_matches_everything() -> None:
    assert names("") == ["web-1", "db", "mi-0aaaabbbbccccdddd"]
    assert names("   \t ") == names("")
    assert parse_filter("").empty


def test_bare_word_is_a_case_insensitive_substring_of_any_field() -> None:
    assert names("WEB") == ["web-1"]
    assert names("0fedcba") == ["db"]
    assert names("10.9.9") == ["db"]
    assert names("windows") == ["db"]
    assert names("amazon") == ["web-1"]
    assert names("prod") == ["web-1"]  # profile and tag value
    assert names("us-east") == ["db", "mi-0aaaabbbbccccdddd"]
    assert names("compute.internal") == ["web-1"]
    assert names("staging") == ["db"]  # a tag value


def test_node_without_profile_matches_default() -> None:
    assert names("default") == ["db"]


def test_terms_are_anded() -> None:
    assert names("us-east-1 windows") == ["db"]
    assert names("web windows") == []


def test_bang_negates_a_term() -> None:
    assert names("!web") == ["db", "mi-0aaaabbbbccccdddd"]
    assert names("us-east-1 !windows") == ["mi-0aaaabbbbccccdddd"]
    assert names("!!web") == ["web-1"]


def test_tag_key_and_value() -> None:
    assert names("tag:env=prod") == ["web-1"]
    assert names("tag:Env=STAG") == ["db"]
    assert names("tag:env") == ["web-1", "db"]
    assert names("!tag:env") == ["mi-0aaaabbbbccccdddd"]
    assert names("tag:name=db") == ["db"]
    assert names("tag:missing") == []


def test_tag_key_alone_with_equals_means_present() -> None:
    assert names("tag:env=") == ["web-1", "db"]


def test_tag_with_empty_key_searches_every_tag_value() -> None:
    assert names("tag:=staging") == ["db"]


def test_quoted_values_keep_their_spaces() -> None:
    assert names('tag:"Cost Center"="team 1"') == ["web-1"]
    assert names('tag:"cost center"="team 2"') == []
    assert names('"web team"') == ["web-1"]
    assert names("'web team'") == ["web-1"]
    assert names('!"web team"') == ["db", "mi-0aaaabbbbccccdddd"]


def test_a_field_match_never_spans_two_fields() -> None:
    # name "db" followed by the id: "db i-0f" exists only across a field boundary.
    assert names('"db i-0f"') == []


def test_incomplete_terms_are_ignored_while_typing() -> None:
    assert names("!") == names("")
    assert names("tag:") == names("")
    assert names("!tag:") == names("")
    assert names('"') == names("")
    assert names('""') == names("")
    assert names("web !") == ["web-1"]


def test_unclosed_quote_runs_to_the_end() -> None:
    assert names('"web team') == ["web-1"]
    assert names('tag:Name="web') == ["web-1"]


# --- properties ---------------------------------------------------------------------------

words = st.text(alphabet=string.ascii_letters + string.digits + "-.", min_size=1, max_size=8)
nodes = st.builds(
    ManagedNode,
    instance_id=st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True),
    profile=st.one_of(st.none(), words),
    region=words,
    name=st.text(max_size=12),
    ip_address=st.text(max_size=12),
    platform_type=st.text(max_size=8),
    tags=st.dictionaries(st.text(max_size=6), st.text(max_size=8), max_size=4),
)


@given(st.text(), nodes)
def test_any_input_parses_and_matches_without_raising(text: str, node: ManagedNode) -> None:
    assert parse_filter(text).matches(node) in (True, False)


@given(words, nodes)
def test_negation_is_the_complement(word: str, node: ManagedNode) -> None:
    assert parse_filter(f"!{word}").matches(node) is not parse_filter(word).matches(node)


@given(words, words, nodes)
def test_two_terms_match_when_both_match(a: str, b: str, node: ManagedNode) -> None:
    both = parse_filter(f"{a} {b}").matches(node)
    assert both == (parse_filter(a).matches(node) and parse_filter(b).matches(node))


@given(words, nodes)
def test_case_does_not_matter(word: str, node: ManagedNode) -> None:
    assert parse_filter(word.upper()).matches(node) == parse_filter(word.lower()).matches(node)


@given(nodes)
def test_a_node_matches_its_own_instance_id_and_region(node: ManagedNode) -> None:
    assert parse_filter(node.instance_id).matches(node)
    assert parse_filter(f"{node.instance_id.upper()} {node.region}").matches(node)


@given(nodes, st.data())
def test_a_node_matches_each_of_its_tags(node: ManagedNode, data: st.DataObject) -> None:
    simple = {k: v for k, v in node.tags.items() if k and '"' not in k + v and "=" not in k}
    if not simple:
        return
    key = data.draw(st.sampled_from(sorted(simple)))
    assert parse_filter(f'tag:"{key}"="{simple[key]}"').matches(node)
    assert parse_filter(f'tag:"{key}"').matches(node)

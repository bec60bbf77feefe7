"""Workspace files: what is saved loads back equal, bad names and bad files get one clear error."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssm_tui.app_core.workspace_file import (
    SavedForward,
    SavedTab,
    Workspace,
    WorkspaceError,
    check_name,
    list_names,
    load,
    save,
    toml_string,
    workspace_dir,
)
from ssm_tui.aws.nodes import Pair

DEV = Pair(profile="dev", region="eu-west-1")
DEFAULT = Pair(profile=None, region="us-east-1")
TAB = SavedTab(pair=DEV, instance_id="i-0123456789abcdef0", name="web-1", title="logs")
FORWARD = SavedForward(
    pair=DEFAULT,
    instance_id="i-0fedcba9876543210",
    name="db-proxy",
    remote_host="db.internal",
    remote_port=5432,
    local_port=15432,
)

# Any text a title or Name tag can hold (lone surrogates are not Unicode: see below).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
names = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="/\\"),
    min_size=1,
    max_size=40,
).filter(lambda n: n == n.strip() and not n.startswith("."))
pairs = st.builds(Pair, profile=st.none() | texts.filter(bool), region=texts.filter(bool))
targets = {"pair": pairs, "instance_id": texts.filter(bool), "name": texts}  # SavedTarget
tabs = st.builds(SavedTab, **targets, document=texts, title=texts)
forwards = st.builds(
    SavedForward,
    **targets,
    remote_host=texts,
    remote_port=st.integers(1, 65535),
    local_port=st.integers(0, 65535),
    bind=texts.filter(bool),
)
workspaces = st.builds(
    Workspace,
    name=names,
    tabs=st.lists(tabs, max_size=4).map(tuple),
    forwards=st.lists(forwards, max_size=4).map(tuple),
)


class TestRoundTrip:
    @settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(workspace=workspaces)
    def test_a_saved_workspace_loads_back_equal(self, tmp_path: Path, workspace: Workspace) -> None:
        save(workspace, tmp_path)
        assert load(workspace.name, tmp_path) == workspace

    def test_the_file_is_readable_toml_in_the_documented_shape(self, tmp_path: Path) -> None:
        path = save(Workspace(name="prod", tabs=(TAB,), forwards=(FORWARD,)), tmp_path)
        assert path == tmp_path / "prod.toml"
        data = tomllib.loads(path.read_text())
        assert data["tabs"] == [
            {
                "profile": "dev",
                "region": "eu-west-1",
                "instance_id": "i-0123456789abcdef0",
                "name": "web-1",
                "document": "",
                "title": "logs",
            }
        ]
        assert "profile" not in data["forwards"][0]  # the default credential chain
        assert data["forwards"][0]["remote_port"] == 5432

    def test_saving_again_replaces_the_workspace_whole(self, tmp_path: Path) -> None:
        save(Workspace(name="w", tabs=(TAB, TAB)), tmp_path)
        save(Workspace(name="w", forwards=(FORWARD,)), tmp_path)
        assert load("w", tmp_path) == Workspace(name="w", forwards=(FORWARD,))
        assert [p.name for p in tmp_path.iterdir()] == ["w.toml"]

    def test_saved_entries_name_the_node_to_reopen(self) -> None:
        assert TAB.node.key == ("dev", "eu-west-1", "i-0123456789abcdef0")
        assert (TAB.node.label, FORWARD.node.label) == ("web-1", "db-proxy")

    @pytest.mark.parametrize(
        "text",
        ['say "hi"', "back\\slash", "new\nline", "tab\tcr\r", "\x00\x1b\x7f", "中文 ✓", "'''"],
    )
    def test_strings_are_escaped_so_toml_reads_them_back(self, text: str) -> None:
        assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text

    def test_a_lone_surrogate_is_saved_as_a_replacement_character(self) -> None:
        assert tomllib.loads("v = " + toml_string("a\ud800b"))["v"] == "a\ufffdb"


class TestNames:
    @pytest.mark.parametrize(
        "name", ["", " padded ", "../up", "a/b", "a\\b", ".hidden", "line\nbreak", "x" * 61]
    )
    def test_a_bad_name_is_refused_before_touching_the_disk(
        self, tmp_path: Path, name: str
    ) -> None:
        with pytest.raises(WorkspaceError, match="workspace name"):
            save(Workspace(name=name), tmp_path / "ws")
        with pytest.raises(WorkspaceError, match="workspace name"):
            load(name, tmp_path)
        assert not (tmp_path / "ws").exists()

    def test_names_may_hold_spaces_quotes_and_unicode(self) -> None:
        assert check_name('prod "eu" débogage') == 'prod "eu" débogage'

    def test_list_names_shows_saved_workspaces_only(self, tmp_path: Path) -> None:
        assert list_names(tmp_path / "absent") == []
        for name in ("zeta", "alpha"):
            save(Workspace(name=name), tmp_path)
        (tmp_path / "notes.txt").write_text("")
        (tmp_path / ".zeta.toml.partial").write_text("")
        (tmp_path / "sub.toml").mkdir()
        assert list_names(tmp_path) == ["alpha", "zeta"]

    def test_workspaces_live_under_the_config_dir(self) -> None:
        assert workspace_dir({"XDG_CONFIG_HOME": "/c"}) == Path("/c/ssm-tui/workspaces")


class TestBadFiles:
    def write(self, directory: Path, text: str) -> Path:
        path = directory / "bad.toml"
        path.write_text(text, encoding="utf-8")
        return path

    def test_a_missing_workspace_says_so(self, tmp_path: Path) -> None:
        with pytest.raises(WorkspaceError, match="no workspace named 'gone'"):
            load("gone", tmp_path)

    def test_broken_toml_names_the_file_and_line(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, '[[tabs]]\nregion = "x"\ninstance_id = "i-1\n')
        with pytest.raises(WorkspaceError) as caught:
            load("bad", tmp_path)
        message = str(caught.value)
        assert message.startswith(f"{path}: not valid TOML")
        assert "line 3" in message

    @pytest.mark.parametrize(
        ("text", "complaint"),
        [
            ('[[tabs]]\nregion = "r"\n', "line 1: tabs[0]: 'instance_id' is missing"),
            (
                '[[tabs]]\nregion = "r"\ninstance_id = "i-1"\n\n[[tabs]]\ninstance_id = "i-2"\n',
                "line 5: tabs[1]: 'region' is missing",
            ),
            (
                '[[forwards]]\nregion = "r"\ninstance_id = "i"\nremote_port = 70000\n',
                "line 1: forwards[0]: 'remote_port' must be a port number 1-65535",
            ),
            (
                '[[forwards]]\nregion = "r"\ninstance_id = "i"\nremote_port = 1\nlocal_port = "80"',
                "'local_port' must be a port number 0-65535",
            ),
            ('[[tabs]]\nregion = "r"\ninstance_id = "i"\ntitle = 3\n', "'title' must be a string"),
            ('[[tabs]]\nregion = "r"\ninstance_id = "i"\ncolour = "red"\n', "unknown key 'colour'"),
            ('tabs = "all of them"\n', "'tabs' must be [[tabs]] tables"),
            ('name = "x"\n', "unknown key 'name'"),
        ],
    )
    def test_a_wrong_entry_names_the_file_line_and_problem(
        self, tmp_path: Path, text: str, complaint: str
    ) -> None:
        path = self.write(tmp_path, text)
        with pytest.raises(WorkspaceError, match=str(path)) as caught:
            load("bad", tmp_path)
        assert complaint in str(caught.value)

    def test_a_file_that_is_not_utf8_is_one_clear_error(self, tmp_path: Path) -> None:
        (tmp_path / "bad.toml").write_bytes(b"title = \xff\n")
        with pytest.raises(WorkspaceError, match="not UTF-8"):
            load("bad", tmp_path)

    def test_an_unwritable_directory_is_one_clear_error(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("")
        with pytest.raises(WorkspaceError, match="cannot save"):
            save(Workspace(name="w"), tmp_path / "file")

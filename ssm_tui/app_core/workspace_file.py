"""Named workspaces on disk: the tabs and forwards to reopen, as TOML under the config dir.

A workspace is data only; reopening it goes through the same entry points as a user's
keys (open a shell on a node, add a forward). The file is ``<config dir>/workspaces/
<name>.toml``::

    [[tabs]]
    profile = "dev"            # absent: the default credential chain
    region = "eu-west-1"
    instance_id = "i-0123456789abcdef0"
    name = "web-1"
    document = ""              # empty: the account's default shell document
    title = "logs"

    [[forwards]]
    region = "eu-west-1"
    instance_id = "i-0123456789abcdef0"
    name = "web-1"
    remote_host = "db.internal"  # empty: the node itself
    remote_port = 5432
    local_port = 15432           # 0: pick a free port
    bind = "127.0.0.1"

tomllib reads it; the few lines that write this flat shape are below.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssm_tui.aws.nodes import ManagedNode, Pair
from ssm_tui.config import config_dir

SUFFIX = ".toml"
MAX_NAME = 60  # characters: at most 240 bytes of UTF-8, within NAME_MAX with ".toml"

_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\ud800-\udfff]')


class WorkspaceError(Exception):
    """A workspace name, file or value is unusable; the message says which file and line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedTarget:
    """The node a saved tab opens a shell on, or a saved forward goes through."""

    pair: Pair
    instance_id: str
    name: str = ""  # the node's Name tag when saved

    @property
    def node(self) -> ManagedNode:
        """The node, as far as the file knows it."""
        return ManagedNode(
            instance_id=self.instance_id,
            profile=self.pair.profile,
            region=self.pair.region,
            name=self.name,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedTab(SavedTarget):
    """A shell tab to reopen: where the node is, which document, the title the user gave."""

    document: str = ""  # empty: the account's default shell document
    title: str = ""  # empty: the tab's usual title


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedForward(SavedTarget):
    """A port forward to reopen: ``bind:local_port`` through the node to host:remote_port."""

    remote_port: int
    remote_host: str = ""  # empty: the node itself
    local_port: int = 0  # 0: the system picks a free port
    bind: str = "127.0.0.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """A named set of tabs and forwards, in the order they were open."""

    name: str
    tabs: tuple[SavedTab, ...] = ()
    forwards: tuple[SavedForward, ...] = ()


def workspace_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where workspaces live: ``$XDG_CONFIG_HOME/ssm-tui/workspaces``."""
    return config_dir(environ) / "workspaces"


def check_name(name: str) -> str:
    """``name`` if it can name a file in the workspace directory, else WorkspaceError."""
    if not name or name != name.strip() or len(name) > MAX_NAME:
        raise WorkspaceError(
            f"workspace name {name!r}: 1 to {MAX_NAME} characters, no outer spaces"
        )
    if name.startswith(".") or _BAD_NAME.search(name):
        raise WorkspaceError(
            f"workspace name {name!r}: no leading dot, slashes or control characters"
        )
    return name


def list_names(directory: Path) -> list[str]:
    """The workspaces saved in ``directory``, sorted; none when it does not exist."""
    try:
        files = list(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise WorkspaceError(f"{directory}: cannot list: {exc.strerror}") from None
    names = []
    for path in files:
        if path.suffix == SUFFIX and path.is_file():
            try:
                names.append(check_name(path.stem))
            except WorkspaceError:
                continue  # not one of ours
    return sorted(names)


def save(workspace: Workspace, directory: Path) -> Path:
    """Write ``workspace`` to ``directory/<name>.toml``, replacing it whole; the path."""
    path = directory / (check_name(workspace.name) + SUFFIX)
    partial = path.with_name(f".{path.name}.partial")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial.write_text(dumps(workspace), encoding="utf-8")
        os.replace(partial, path)  # a crash leaves the old file or the new, never half
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot save: {exc.strerror}") from None
    return path


def load(name: str, directory: Path) -> Workspace:
    """Read the workspace ``name`` from ``directory``."""
    path = directory / (check_name(name) + SUFFIX)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkspaceError(f"no workspace named {name!r} in {directory}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise WorkspaceError(f"{path}: cannot read: {reason}") from None
    return loads(text, name=name, source=str(path))


# -- writing ----------------------------------------------------------------------------


def dumps(workspace: Workspace) -> str:
    """The TOML text of ``workspace`` (its name is the file's, so not written)."""
    blocks = ["# ssm-tui workspace: the tabs and forwards to reopen\n"]
    for tab in workspace.tabs:
        fields = _place(tab.pair, tab.instance_id, tab.name)
        fields += [("document", tab.document), ("title", tab.title)]
        blocks.append(_table("tabs", fields))
    for forward in workspace.forwards:
        fields = _place(forward.pair, forward.instance_id, forward.name)
        fields += [
            ("remote_host", forward.remote_host),
            ("remote_port", forward.remote_port),
            ("local_port", forward.local_port),
            ("bind", forward.bind),
        ]
        blocks.append(_table("forwards", fields))
    return "\n".join(blocks)


_Fields = list[tuple[str, str | int]]


def _place(pair: Pair, instance_id: str, name: str) -> _Fields:
    profile: _Fields = [] if pair.profile is None else [("profile", pair.profile)]
    return [*profile, ("region", pair.region), ("instance_id", instance_id), ("name", name)]


def _table(array: str, fields: Iterable[tuple[str, str | int]]) -> str:
    lines = [f"[[{array}]]"]
    for key, value in fields:
        lines.append(f"{key} = {value if isinstance(value, int) else toml_string(value)}")
    return "\n".join(lines) + "\n"


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string; a lone surrogate (not Unicode) becomes U+FFFD."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


# -- reading ----------------------------------------------------------------------------


def loads(text: str, *, name: str, source: str = "workspace") -> Workspace:
    """Parse a workspace file's ``text``; errors name ``source`` and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"tabs", "forwards"})
    if unknown:
        raise WorkspaceError(f"{source}: unknown key {unknown[0]!r} (known: forwards, tabs)")
    reader = _Reader(text, source)
    tabs = tuple(reader.tab(entry, n) for n, entry in enumerate(reader.array(data, "tabs")))
    forwards = tuple(
        reader.forward(entry, n) for n, entry in enumerate(reader.array(data, "forwards"))
    )
    return Workspace(name=name, tabs=tabs, forwards=forwards)


class _Reader:
    """Checks each ``[[tabs]]``/``[[forwards]]`` entry, pointing errors at its header line."""

    _TAB_KEYS = frozenset({"profile", "region", "instance_id", "name", "document", "title"})
    _FORWARD_KEYS = frozenset(
        {"profile", "region", "instance_id", "name", "remote_host", "remote_port"}
        | {"local_port", "bind"}
    )

    def __init__(self, text: str, source: str) -> None:
        self._source = source
        self._headers: dict[str, list[int]] = {"tabs": [], "forwards": []}
        for number, line in enumerate(text.splitlines(), start=1):
            header = re.fullmatch(r"\s*\[\[\s*(tabs|forwards)\s*\]\]\s*(#.*)?", line)
            if header:
                self._headers[header.group(1)].append(number)

    def array(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise WorkspaceError(f"{self._source}: {key!r} must be [[{key}]] tables")
        return value

    def tab(self, entry: Mapping[str, Any], index: int) -> SavedTab:
        where = self._where("tabs", index)
        self._known(entry, self._TAB_KEYS, where)
        return SavedTab(
            pair=self._pair(entry, where),
            instance_id=self._text(entry, "instance_id", where, required=True),
            name=self._text(entry, "name", where),
            document=self._text(entry, "document", where),
            title=self._text(entry, "title", where),
        )

    def forward(self, entry: Mapping[str, Any], index: int) -> SavedForward:
        where = self._where("forwards", index)
        self._known(entry, self._FORWARD_KEYS, where)
        return SavedForward(
            pair=self._pair(entry, where),
            instance_id=self._text(entry, "instance_id", where, required=True),
            name=self._text(entry, "name", where),
            remote_host=self._text(entry, "remote_host", where),
            remote_port=self._port(entry, "remote_port", where, lowest=1),
            local_port=self._port(entry, "local_port", where, lowest=0),
            bind=self._text(entry, "bind", where) or "127.0.0.1",
        )

    def _where(self, array: str, index: int) -> str:
        lines = self._headers[array]
        line = f"line {lines[index]}: " if index < len(lines) else ""
        return f"{self._source}: {line}{array}[{index}]"

    def _known(self, entry: Mapping[str, Any], known: frozenset[str], where: str) -> None:
        unknown = sorted(set(entry) - known)
        if unknown:
            raise WorkspaceError(f"{where}: unknown key {unknown[0]!r}")

    def _pair(self, entry: Mapping[str, Any], where: str) -> Pair:
        profile = self._text(entry, "profile", where) or None
        return Pair(profile=profile, region=self._text(entry, "region", where, required=True))

    def _text(
        self, entry: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise WorkspaceError(f"{where}: {key!r} must be a string")
        if required and not value:
            raise WorkspaceError(f"{where}: {key!r} is missing")
        return value

    def _port(self, entry: Mapping[str, Any], key: str, where: str, *, lowest: int) -> int:
        value = entry.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= 65535:
            raise WorkspaceError(f"{where}: {key!r} must be a port number {lowest}-65535")
        return value

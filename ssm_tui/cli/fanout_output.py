"""How ``ssm-tui exec`` shows a fan-out: ``name │ line`` per output line, JSON, a summary."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import BinaryIO, TextIO

from ssm_tui.aws.nodes import ManagedNode
from ssm_tui.aws.profiles import profile_label
from ssm_tui.sessions.fanout_events import FanOutEvent, NodeFinished, NodeOutput, NodeState

SEPARATOR = " │ "
# Foreground colours for node names (green, yellow, blue, magenta, cyan and bright ones).
_COLOURS = (32, 33, 34, 35, 36, 92, 93, 94, 95, 96)
_RESET = "\x1b[0m"

NodeKey = tuple[str | None, str, str]


def use_colour(stream: BinaryIO | TextIO) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def labels(nodes: Sequence[ManagedNode]) -> dict[NodeKey, str]:
    """A unique, printable label per node: its Name, with the id added when names repeat."""
    names = [_printable(n.label) for n in nodes]
    repeated = {name for name in names if names.count(name) > 1}
    return {
        n.key: f"{name} ({n.instance_id})" if name in repeated else name
        for n, name in zip(nodes, names, strict=True)
    }


class LineOutput:
    """Writes every output line of every node with its name in front, names aligned.

    Lines are assembled per node and stream (chunks split anywhere); an unterminated
    last line is written when its node finishes. Stdout goes to ``stdout``, stderr to
    ``stderr``. If the reader of a stream goes away, that stream's output is dropped.
    """

    def __init__(
        self,
        nodes: Sequence[ManagedNode],
        *,
        stdout: BinaryIO,
        stderr: BinaryIO,
        colour_stdout: bool = False,
        colour_stderr: bool = False,
    ) -> None:
        names = labels(nodes)
        width = max((len(name) for name in names.values()), default=0)
        self._prefixes: dict[tuple[NodeKey, bool], bytes] = {}
        for index, node in enumerate(nodes):
            padded = names[node.key].ljust(width)
            colour = _COLOURS[index % len(_COLOURS)]
            for stderr_stream, coloured in ((False, colour_stdout), (True, colour_stderr)):
                text = (
                    f"\x1b[{colour}m{padded}{SEPARATOR}{_RESET}" if coloured else padded + SEPARATOR
                )
                self._prefixes[(node.key, stderr_stream)] = text.encode()
        self._streams = {False: stdout, True: stderr}
        self._partial: dict[tuple[NodeKey, bool], bytes] = {}
        self._closed: set[bool] = set()

    def __call__(self, event: FanOutEvent) -> None:
        """Write what ``event`` adds (the fan-out runner's ``on_event``)."""
        if isinstance(event, NodeOutput):
            key = (event.node.key, event.stderr)
            lines = (self._partial.pop(key, b"") + event.data).split(b"\n")
            if lines[-1]:
                self._partial[key] = lines[-1]
            self._write(key, lines[:-1])
        elif isinstance(event, NodeFinished):
            for stderr in (False, True):
                key = (event.node.key, stderr)
                rest = self._partial.pop(key, b"")
                if rest:
                    self._write(key, [rest])

    def _write(self, key: tuple[NodeKey, bool], lines: list[bytes]) -> None:
        stderr = key[1]
        if not lines or stderr in self._closed:
            return
        prefix = self._prefixes.get(key, b"? " + SEPARATOR.encode())
        stream = self._streams[stderr]
        try:
            stream.write(b"".join(prefix + line + b"\n" for line in lines))
            stream.flush()
        except BrokenPipeError:
            self._closed.add(stderr)


class JsonOutput:
    """One JSON object per node on its own line, written when the node finishes."""

    def __init__(self, stdout: TextIO) -> None:
        self._stdout = stdout
        self._output: dict[tuple[NodeKey, bool], bytearray] = {}
        self._closed = False

    def __call__(self, event: FanOutEvent) -> None:
        """Collect output; write the node's object on `NodeFinished`."""
        if isinstance(event, NodeOutput):
            self._output.setdefault((event.node.key, event.stderr), bytearray()).extend(event.data)
        elif isinstance(event, NodeFinished) and not self._closed:
            record = node_record(
                event,
                stdout=bytes(self._output.pop((event.node.key, False), b"")),
                stderr=bytes(self._output.pop((event.node.key, True), b"")),
            )
            try:
                self._stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                self._stdout.flush()
            except BrokenPipeError:
                self._closed = True


def node_record(result: NodeFinished, *, stdout: bytes, stderr: bytes) -> dict[str, object]:
    """The JSON object for one node's result (stable keys for scripts)."""
    node = result.node
    return {
        "name": node.name,
        "instance_id": node.instance_id,
        "profile": profile_label(node.profile),
        "region": node.region,
        "state": result.state.value,
        "exit_code": result.exit_code,
        "duration": round(result.duration, 3),
        "stdout": stdout.decode("utf-8", "replace"),
        "stderr": stderr.decode("utf-8", "replace"),
        "reason": result.reason,
    }


def summary(results: Sequence[NodeFinished]) -> str:
    """One line per node (state, exit code or reason, seconds), then the totals."""
    names = labels([r.node for r in results])
    width = max((len(name) for name in names.values()), default=0)
    lines = []
    for result in results:
        detail = f"exit {result.exit_code}" if result.exit_code is not None else result.reason
        seconds = f"{result.duration:6.2f}s" if result.state is not NodeState.OFFLINE else " " * 7
        row = f"{names[result.node.key].ljust(width)}  {result.state.value:<9} {seconds}  {detail}"
        lines.append(row.rstrip())
    counts = [(state, sum(1 for r in results if r.state is state)) for state in NodeState]
    totals = ", ".join(f"{count} {state.value}" for state, count in counts if count)
    noun = "node" if len(results) == 1 else "nodes"
    lines.append(f"{len(results)} {noun}: {totals}")
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text).strip() or "-"

"""The fleet filter language shared by ``ssm-tui list --filter`` and the app's ``/``.

Whitespace-separated terms are ANDed. A bare word is a case-insensitive substring of the
name, instance id, IP, platform, profile, region, computer name or any tag value;
``tag:k=v`` means tag ``k`` (any case) has a value containing ``v``; ``tag:k`` means tag
``k`` is present; ``!term`` negates a term; quotes group words (``tag:Name="web 1"``).
Parsing never fails: whatever the user typed means something, possibly nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ssm_tui.aws.nodes import ManagedNode

_QUOTES = "\"'"
_TAG_PREFIX = "tag:"


@dataclass(frozen=True, slots=True)
class _Text:
    needle: str

    def matches(self, node: ManagedNode) -> bool:
        return self.needle in node.search_text


@dataclass(frozen=True, slots=True)
class _Tag:
    key: str  # "" = any key
    value: str | None  # None = the key is present

    def matches(self, node: ManagedNode) -> bool:
        for key, value in node.search_tags:
            if (not self.key or key == self.key) and (self.value is None or self.value in value):
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Not:
    term: _Term

    def matches(self, node: ManagedNode) -> bool:
        return not self.term.matches(node)


_Term = _Text | _Tag | _Not


@dataclass(frozen=True, slots=True)
class NodeFilter:
    """A parsed filter: ``matches(node)`` is true when every term holds for the node."""

    text: str
    terms: tuple[_Term, ...]
    # The terms split by kind, so the common case (plain words) is bare substring tests.
    _include: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _other: tuple[_Term, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        include = [t.needle for t in self.terms if isinstance(t, _Text)]
        exclude = [
            t.term.needle for t in self.terms if isinstance(t, _Not) and isinstance(t.term, _Text)
        ]
        other = [
            t
            for t in self.terms
            if not isinstance(t, _Text) and not (isinstance(t, _Not) and isinstance(t.term, _Text))
        ]
        object.__setattr__(self, "_include", tuple(include))
        object.__setattr__(self, "_exclude", tuple(exclude))
        object.__setattr__(self, "_other", tuple(other))

    @property
    def empty(self) -> bool:
        """True when the filter matches everything."""
        return not self.terms

    def matches(self, node: ManagedNode) -> bool:
        """Whether ``node`` satisfies every term."""
        text = node.search_text
        for needle in self._include:
            if needle not in text:
                return False
        for needle in self._exclude:
            if needle in text:
                return False
        return all(term.matches(node) for term in self._other)

    def apply(self, nodes: Iterable[ManagedNode]) -> list[ManagedNode]:
        """The nodes that match, in their original order."""
        if not self.terms:
            return list(nodes)
        matches = self.matches
        return [node for node in nodes if matches(node)]


def parse_filter(text: str) -> NodeFilter:
    """Parse ``text`` into a filter; never raises (empty or meaningless terms are ignored)."""
    terms = []
    for token in _tokens(text):
        term = _term(token)
        if term is not None:
            terms.append(term)
    return NodeFilter(text=text, terms=tuple(terms))


def _term(token: str) -> _Term | None:
    if token.startswith("!"):
        inner = _term(token[1:])
        return None if inner is None else _Not(inner)
    lowered = token.lower()
    if lowered.startswith(_TAG_PREFIX):
        spec = lowered[len(_TAG_PREFIX) :]
        key, equals, value = spec.partition("=")
        if not key and not equals:
            return None  # a lone "tag:" says nothing yet (the user is still typing)
        return _Tag(key=key, value=value if equals else None)
    if not lowered:
        return None
    return _Text(lowered)


def _tokens(text: str) -> list[str]:
    """Split on whitespace outside quotes; quotes are removed, an unclosed one runs to the end."""
    tokens: list[str] = []
    current: list[str] = []
    started = False  # a token can be empty but present: ""
    quote = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in _QUOTES:
            quote = char
            started = True
        elif char.isspace():
            if started or current:
                tokens.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
    if started or current or quote:
        tokens.append("".join(current))
    return tokens

"""Turn composed YAML nodes into plain data, recording the position of every node.

Plain scalars are typed by the YAML 1.2 core schema here rather than by ruamel's resolver;
aliases are expanded under a node budget (a "billion laughs" file fails fast), nesting is
bounded, and each value is bounded in size.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.tag import Tag

from generator.diagnostics import Diagnostic, Location
from generator.errors import SpecInvalid
from generator.spec.positions import Path, PositionIndex

#: Nodes produced by alias expansion beyond this many (or 10x the file's own) is an attack.
ALIAS_NODE_BUDGET = 100_000
MAX_DEPTH = 200
#: Longest single value: a description or a runbook step is a few KiB; a multi-megabyte
#: string is a paste accident that every generated page and script would copy.
MAX_VALUE_BYTES = 64 * 1024

_TAG = "tag:yaml.org,2002:"
# Plain scalars are typed here, by the YAML 1.2 core schema, instead of by ruamel's
# resolver: the same result at a fraction of the cost on large specs.
_PLAIN = "deployplan:plain"
_NULL = re.compile(r"^(~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(
    r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$"
)


_RESOLVED = frozenset({_PLAIN, _TAG + "str", _TAG + "seq", _TAG + "map"})
_TAGS = {name: Tag(suffix=name) for name in _RESOLVED}


def _tag(node: Node) -> str:
    """The node's tag; the resolver's own tags are read without ruamel's slow conversion."""
    ctag = node.ctag
    if ctag is None:
        return ""
    if ctag.handle is None and ctag.suffix in _RESOLVED:
        return str(ctag.suffix)
    return str(ctag)


class DeferredResolver(BaseResolver):
    """Tags plain scalars as "plain" and leaves their typing to the converter."""

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        # ruamel passes `loader` to the pure-Python resolver and `loadumper` to the C one.
        del version
        super().__init__(loadumper=loadumper if loadumper is not None else loader)

    @property
    def processing_version(self) -> tuple[int, int]:
        """The pure-Python parser asks; specs are YAML 1.2."""
        return (1, 2)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
        del value
        if kind is ScalarNode:
            return _TAGS[_PLAIN if implicit[0] else _TAG + "str"]
        return _TAGS[_TAG + ("seq" if kind is SequenceNode else "map")]


class Converter:
    """Turns composed nodes into plain values, recording positions and problems."""

    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.text = text
        self.positions = PositionIndex(label)
        self.problems: list[Diagnostic] = []
        self.produced = 0
        self.uses: dict[int, int] = {}  # node id -> times converted (more than once: aliased)
        self.active: set[int] = set()
        self.stack: list[Node] = []

    def convert(self, node: Node, path: Path) -> Any:
        self.positions.values[path] = self._loc(node)
        self.produced += 1
        self.uses[id(node)] = self.uses.get(id(node), 0) + 1
        if self.produced > max(ALIAS_NODE_BUDGET, 10 * len(self.uses)):
            raise SpecInvalid([self._alias_bomb(path)])
        if id(node) in self.active:
            raise SpecInvalid([self._recursive_alias(node, path)])
        if len(path) > MAX_DEPTH:
            raise SpecInvalid(
                [
                    Diagnostic(
                        "too-deep",
                        f"the spec nests deeper than {MAX_DEPTH} levels",
                        self._loc(node),
                        path,
                        hint="a deployment plan is a few levels deep; check the indentation",
                    )
                ]
            )
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if _tag(node) not in (_TAG + "map", _TAG + "seq", "!"):
            self.problems.append(
                Diagnostic(
                    "unsupported-tag",
                    f"YAML tag `{(node.tag or '').replace(_TAG, '!!')}` is not supported here",
                    self._loc(node),
                    path,
                    hint="remove the tag; sections are plain mappings and lists",
                )
            )
        self.active.add(id(node))
        self.stack.append(node)
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            assert isinstance(node, SequenceNode)
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))
            self.stack.pop()

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        pairs = []
        # Merged mappings (`<<: *base`) first, so that explicit keys override both their
        # values and their recorded positions.
        for key_node, value_node in node.value:
            if key_node.value == "<<" and _tag(key_node) == _PLAIN:
                self._merge_into(result, value_node, path)
            else:
                pairs.append((key_node, value_node))
        first_seen: dict[str, Location] = {}
        for key_node, value_node in pairs:
            key = self._key(key_node, path)
            if key is None:
                continue
            key_loc = self._loc(key_node)
            if key in first_seen:
                self.problems.append(
                    Diagnostic(
                        "duplicate-key",
                        f"duplicate key `{key}`",
                        key_loc,
                        (*path, key),
                        hint="each key may appear once in a mapping; merge the two entries",
                        notes=(("first defined here", first_seen[key]),),
                    )
                )
                continue
            first_seen[key] = key_loc
            self.positions.keys[(*path, key)] = key_loc
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _merge_into(self, result: dict[str, Any], source: Node, path: Path) -> None:
        """YAML merge keys (``<<: *base`` or ``<<: [*a, *b]``): earlier sources win."""
        sources = source.value if isinstance(source, SequenceNode) else [source]
        for item in sources:
            if id(item) in self.active:
                raise SpecInvalid([self._recursive_alias(item, path)])
            if not isinstance(item, MappingNode):
                self.problems.append(
                    Diagnostic(
                        "yaml-syntax",
                        "`<<` must merge a mapping",
                        self._loc(item),
                        path,
                        hint="write `<<: *anchor` where the anchor names a mapping",
                    )
                )
                continue
            self.active.add(id(item))
            try:
                extra = self._mapping(item, path)
            finally:
                self.active.discard(id(item))
            for key, value in extra.items():
                result.setdefault(key, value)

    def _key(self, node: Node, path: Path) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problems.append(
                Diagnostic(
                    "complex-key",
                    "mapping keys must be plain names, not lists or mappings",
                    self._loc(node),
                    path,
                )
            )
            return None
        self._check_length(node, path)
        return str(node.value)

    def _check_length(self, node: ScalarNode, path: Path) -> None:
        value: str = node.value
        # The character count bounds the UTF-8 size, so short values are never encoded.
        if len(value) * 4 <= MAX_VALUE_BYTES or len(value.encode()) <= MAX_VALUE_BYTES:
            return
        self.problems.append(
            Diagnostic(
                "value-too-long",
                f"this value is {len(value.encode()):,} bytes; one value may hold at most "
                f"{MAX_VALUE_BYTES // 1024} KiB",
                self._loc(node),
                path,
                hint="keep long prose in a page of the docs site and link it; "
                "a spec holds descriptions of a paragraph or a few",
            )
        )

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        value: str = node.value
        self._check_length(node, path)
        tag = _tag(node)
        if tag == _PLAIN:
            typed = plain_scalar(value)
            if isinstance(typed, bool | int | float):
                self.positions.plain[path] = value
            return typed
        if tag in ("!", _TAG + "str"):
            return value
        typed = plain_scalar(value)
        expected = {_TAG + "int": int, _TAG + "float": float, _TAG + "bool": bool}.get(tag)
        if tag == _TAG + "null" and typed is None:
            return None
        if expected is not None and type(typed) is expected:
            return typed
        self.problems.append(
            Diagnostic(
                "unsupported-tag",
                f"YAML tag `{tag.replace(_TAG, '!!')}` is not supported here",
                self._loc(node),
                path,
                hint="remove the tag; values are plain strings, numbers and booleans",
            )
        )
        return value

    def _alias_bomb(self, path: Path) -> Diagnostic:
        """Report at the outermost collection whose items are aliases being expanded."""
        site = next(
            (
                parent
                for parent, child in zip(self.stack, self.stack[1:], strict=False)
                if self.uses[id(child)] > 1
            ),
            self.stack[0] if self.stack else None,
        )
        budget = max(ALIAS_NODE_BUDGET, 10 * len(self.uses))
        return Diagnostic(
            "alias-limit",
            f"expanding the YAML aliases here produces more than {budget:,} nodes; "
            "refusing to continue",
            self._loc(site) if site is not None else Location(self.label, 1, 1),
            path,
            hint="a spec this size is almost certainly an alias bomb; write values out",
        )

    def _recursive_alias(self, node: Node, path: Path) -> Diagnostic:
        """Report at the alias inside an anchored node that refers back to that node."""
        location = self._loc(node)
        text = self.text
        start, end = node.start_mark.index, node.end_mark.index
        # The node's mark is at its anchor (`&name`), or just after it.
        anchor = re.match(r"&([^\s,\[\]{}]+)", text[start:]) or re.search(
            r"&([^\s,\[\]{}]+)\s*$", text[max(0, start - 200) : start]
        )
        if anchor:
            alias = text.find("*" + anchor.group(1), start + 1, max(end, start))
            if alias >= 0:
                line = text.count("\n", 0, alias) + 1
                column = alias - (text.rfind("\n", 0, alias) + 1) + 1
                location = Location(self.label, line, column)
        return Diagnostic(
            "recursive-alias",
            "this alias refers to a node that contains it, which would never end",
            location,
            path,
            hint="an alias may only repeat a node defined elsewhere, not one of its parents",
        )

    def _loc(self, node: Node) -> Location:
        return Location(self.label, node.start_mark.line + 1, node.start_mark.column + 1)


def plain_scalar(value: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT.match(value):
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if _FLOAT.match(value):
        lowered = value.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(value)
    return value

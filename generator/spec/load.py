"""Read a spec file into plain data plus the position of every node.

The YAML is composed (not constructed) so that every node's mark survives, and so that
aliases can be expanded under a budget: a "billion laughs" file fails fast here. Which
parser reads the text, and when each is trusted, is :mod:`generator.spec.parse`.

One file is one :class:`LoadedSpec`. Every position carries its file's label, and
``sources`` maps labels to texts, so a layer that reads several files (includes,
overlays) can merge their data and positions into one LoadedSpec before ``extends`` is
resolved, and diagnostics and source excerpts still name the file each node came from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path as FsPath
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.tag import Tag

from generator.diagnostics import Diagnostic, Location
from generator.errors import SpecInvalid, UsageProblem
from generator.spec.positions import Path, PositionIndex

#: Nodes produced by alias expansion beyond this many (or 10x the file's own) is an attack.
ALIAS_NODE_BUDGET = 100_000
MAX_DEPTH = 200
#: Largest spec file read. The benchmark's 5,000-service spec is about 7.3 MB; four times
#: that leaves room for real plans, while a runaway file fails before it is read.
DEFAULT_MAX_SPEC_BYTES = 32 * 1024 * 1024
MAX_SPEC_BYTES_VARIABLE = "DEPLOYPLAN_MAX_SPEC_BYTES"
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


class _DeferredResolver(BaseResolver):
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


@dataclass(frozen=True)
class SourceFile:
    """The text of a spec, kept for showing source lines in diagnostics."""

    label: str
    text: str

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its ending; empty past the end."""
        starts = self._line_starts
        if not 0 < number <= len(starts):
            return ""
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        return self.text[starts[number - 1] : end].rstrip("\r\n")

    @cached_property
    def _line_starts(self) -> list[int]:
        # found once per file, so that a diagnostic's excerpt costs one line, not the file
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        if starts[-1] == len(self.text) and len(starts) > 1:
            starts.pop()
        return starts


@dataclass(frozen=True)
class Origin:
    """How a file other than the spec itself came in: ``include``, ``overlay`` or ``set``.

    ``via`` is the ``include`` entry that named it (for an include).
    """

    kind: str
    via: Location | None = None


@dataclass
class LoadedSpec:
    """A spec's data and positions; ``source`` is the file it was read from, ``sources``
    every file that contributed (includes, overlays, ``--set``), ``origins`` how each of
    those came in, and ``inputs`` the file names and glob patterns read, for watchers."""

    source: SourceFile
    data: dict[str, Any]
    positions: PositionIndex
    sources: dict[str, SourceFile] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sources.setdefault(self.source.label, self.source)


def read_source(path: FsPath, label: str) -> SourceFile:
    """Read and decode a spec file, with clean errors for unreadable or binary input."""
    limit = max_spec_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            raise SpecInvalid([_too_large(label, size, limit)])
        with path.open("rb") as stream:
            # Bounded even where stat cannot tell (a pipe, a growing file).
            raw = stream.read(limit + 1)
    except OSError as exc:
        hint = _missing_spec_hint(path) if isinstance(exc, FileNotFoundError) else None
        raise SpecInvalid(
            [_problem(label, 1, 1, "unreadable", f"cannot read the spec: {exc.strerror}", hint)]
        ) from None
    if len(raw) > limit:
        raise SpecInvalid([_too_large(label, None, limit)])
    if b"\0" in raw:
        line, col = _line_col(raw, raw.index(b"\0"))
        raise SpecInvalid(
            [_problem(label, line, col, "binary-file", "the spec is a binary file, not YAML text")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise SpecInvalid(
            [
                _problem(
                    label,
                    line,
                    col,
                    "not-utf8",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    hint="save the spec as UTF-8",
                )
            ]
        ) from None
    return SourceFile(label, text.removeprefix("\ufeff"))


def _missing_spec_hint(path: FsPath) -> str:
    """What to do when there is no spec where one was looked for."""
    from generator.suggest import closest

    folder = path.parent
    if folder.is_dir():
        nearby = [p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml")]
        match = closest(path.name, nearby)
        if match is not None:
            return f"did you mean `{(folder / match).as_posix()}`?"
    return (
        "create one with `deployplan init`, or name the spec to read: the SPEC argument "
        "(`deployplan validate path/to/spec.yaml`), or `--spec PATH` for `sync` and `docs`"
    )


def max_spec_bytes() -> int:
    """The spec size limit: ``$DEPLOYPLAN_MAX_SPEC_BYTES`` bytes, else 32 MiB."""
    setting = os.environ.get(MAX_SPEC_BYTES_VARIABLE, "").strip()
    if not setting:
        return DEFAULT_MAX_SPEC_BYTES
    if not setting.isdigit() or int(setting) == 0:
        raise UsageProblem(
            f"{MAX_SPEC_BYTES_VARIABLE} must be a positive number of bytes, not `{setting}` "
            f"(e.g. {MAX_SPEC_BYTES_VARIABLE}={2 * DEFAULT_MAX_SPEC_BYTES})"
        )
    return int(setting)


def within_size_limit(path: FsPath) -> bool:
    """Whether ``path`` is a file small enough to read again (for showing source lines).

    A device or a pipe has no size to check (``/dev/zero`` never ends), so it is not.
    """
    try:
        return path.is_file() and path.stat().st_size <= max_spec_bytes()
    except (OSError, UsageProblem):
        return False


def _too_large(label: str, size: int | None, limit: int) -> Diagnostic:
    measured = f"{_mib(size)} ({size:,} bytes)" if size is not None else "larger than that"
    return _problem(
        label,
        1,
        1,
        "spec-too-large",
        f"the spec `{label}` is {measured}; the limit is {_mib(limit)} ({limit:,} bytes)",
        hint=f"a plan of 5,000 services is about 8 MB; if this file is meant to be read, "
        f"raise the limit with {MAX_SPEC_BYTES_VARIABLE}=<bytes>, "
        f"e.g. {MAX_SPEC_BYTES_VARIABLE}={2 * max(limit, DEFAULT_MAX_SPEC_BYTES)}",
    )


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def load_spec(path: FsPath, label: str) -> LoadedSpec:
    """Load ``path``; raises :class:`SpecInvalid` with every problem found at this stage."""
    source = read_source(path, label)
    return load_text(source)


def load_text(source: SourceFile) -> LoadedSpec:
    """Compose and convert already-decoded spec text."""
    root, judged = _compose(source)
    converter, data = _convert(source, root)
    if not judged:
        from generator.spec.parse import confirm

        # ruamel misreads a few valid texts; then the data py-yaml12 reads is used.
        located = confirm(source.label, source.text, data)
        if located is not None:
            root = located
            converter, data = _convert(source, root)
    if not isinstance(data, dict):
        kind = _yaml_type_name(data)
        raise SpecInvalid(
            [
                _problem(
                    source.label,
                    root.start_mark.line + 1,
                    root.start_mark.column + 1,
                    "root-not-mapping",
                    f"the spec must be a mapping of sections, not {kind}",
                    hint="start with `project:`, `services:` and `environments:`",
                )
            ]
        )
    return LoadedSpec(source, data, converter.positions)


def _convert(source: SourceFile, root: Node) -> tuple[_Converter, Any]:
    converter = _Converter(source.label, source.text)
    try:
        data = converter.convert(root, ())
    except RecursionError:
        raise SpecInvalid(
            [_problem(source.label, 1, 1, "too-deep", "the spec nests too deeply to read")]
        ) from None
    if converter.problems:
        raise SpecInvalid(converter.problems)
    return converter, data


def _compose(source: SourceFile) -> tuple[Node, bool]:
    from generator.spec.parse import compose

    node, judged = compose(source.label, source.text, _DeferredResolver)
    if node is None:
        raise SpecInvalid(
            [
                _problem(
                    source.label,
                    1,
                    1,
                    "empty-spec",
                    "the spec is empty",
                    hint="run `deployplan init` for a starting point",
                )
            ]
        )
    return node, judged


class _Converter:
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
            typed = _plain_scalar(value)
            if isinstance(typed, bool | int | float):
                self.positions.plain[path] = value
            return typed
        if tag in ("!", _TAG + "str"):
            return value
        typed = _plain_scalar(value)
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


def _plain_scalar(value: str) -> Any:
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


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _yaml_type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "a scalar"
    )


def _problem(
    label: str, line: int, col: int, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(code, message, Location(label, line, col), hint=hint)

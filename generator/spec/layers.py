"""A spec in several files: ``include:``, overlays (``-f``) and ``--set``, merged in order.

The spec file comes first, then each file its ``include:`` list names (relative paths or
globs under the spec's own folder, matches in sorted order; an included file may include
more), then each overlay with its own includes, then each ``--set``. A later layer merges
into what came before with the rules of ``extends``: mappings merge deeply, a scalar or a
plain list replaces the earlier one. Lists of named items (``services``, stages, …) are
the exception: from includes they are concatenated (the same name twice is the usual
``duplicate-name`` error, naming both files); from overlays and ``--set`` an item merges
into the earlier item of the same name, so an overlay can change one service. Every node
keeps the file:line:col it was written at.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, TypeVar

from generator.diagnostics import Diagnostic, Location
from generator.errors import SpecInvalid, UsageProblem
from generator.spec.load import LoadedSpec, Origin, SourceFile, load_spec
from generator.spec.positions import Path, PositionIndex

INCLUDE_KEY = "include"
_ABSENT = object()
T = TypeVar("T")


@dataclass(frozen=True)
class Layers:
    """What the command line puts on top of the spec: overlay files and ``--set`` values."""

    overlays: tuple[FsPath, ...] = ()
    settings: tuple[str, ...] = ()


#: No overlays, no settings: the spec and its includes alone.
NO_LAYERS = Layers()


class LayersInvalid(SpecInvalid):
    """Problems in one of several files; ``sources`` has every file read so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: dict[str, SourceFile]):
        super().__init__(diagnostics)
        self.sources = sources


def load_layered(path: FsPath, label: str, layers: Layers = NO_LAYERS) -> LoadedSpec:
    """The spec at ``path`` with its includes, overlays and settings merged in."""
    reader = _Reader()
    spec = reader.tree(path, label, None)
    for overlay in layers.overlays:
        layer = reader.tree(overlay, file_label(overlay), None, kind="overlay")
        if spec is not None and layer is not None:
            _merge_layer(spec, layer, by_name=True)
    if reader.problems or spec is None:
        raise LayersInvalid(reader.problems, reader.sources)
    for setting in layers.settings:
        apply_setting(spec, setting)
    spec.sources.update(reader.sources)
    spec.inputs = reader.inputs
    return spec


class _Reader:
    """Reads a file and everything it includes, collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[Diagnostic] = []
        self.sources: dict[str, SourceFile] = {}
        self.origins: dict[str, Origin] = {}
        self.inputs: list[str] = []
        self.seen: set[FsPath] = set()

    def tree(
        self,
        path: FsPath,
        label: str,
        via: Location | None,
        *,
        kind: str = "include",
        stack: tuple[FsPath, ...] = (),
    ) -> LoadedSpec | None:
        self.inputs.append(str(path.resolve()))
        try:
            spec = load_spec(path, label)
        except SpecInvalid as exc:
            self.problems.extend(exc.diagnostics)
            self.sources[label] = SourceFile(label, _text_for_excerpts(path))
            return None
        self.sources[label] = spec.source
        self.seen.add(path.resolve())
        if via is not None or kind != "include":
            self.origins[label] = Origin(kind, via)
        spec.origins = self.origins
        for entry, at in self._entries(spec):
            for found in self._matches(path, entry, at, (*stack, path.resolve())):
                child_label = posixpath.normpath(
                    posixpath.join(
                        posixpath.dirname(label), found.relative_to(path.parent).as_posix()
                    )
                )
                child = self.tree(found, child_label, at, stack=(*stack, path.resolve()))
                if child is not None:
                    _merge_layer(spec, child, by_name=False)
        return spec

    def _entries(self, spec: LoadedSpec) -> list[tuple[str, Location]]:
        entries = spec.data.pop(INCLUDE_KEY, None)
        if entries is None:
            return []
        at = spec.positions.value((INCLUDE_KEY,))
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            self.problems.append(
                Diagnostic(
                    "invalid-include",
                    "`include` must be a list of file names or glob patterns",
                    at,
                    (INCLUDE_KEY,),
                    hint="e.g. `include: [services/*.yaml, environments/*.yaml]`",
                )
            )
            return []
        return [(e, spec.positions.value((INCLUDE_KEY, i))) for i, e in enumerate(entries)]

    def _matches(
        self, including: FsPath, entry: str, at: Location, stack: tuple[FsPath, ...]
    ) -> list[FsPath]:
        folder = including.parent
        parts = entry.replace("\\", "/").split("/")
        if not entry.strip():
            self._problem("include-missing", "an empty `include` entry names no file", at)
            return []
        if entry.startswith(("/", "~")) or ".." in parts or ":" in parts[0]:
            self._problem(
                "include-outside",
                f"`{entry}` is outside the spec's folder; includes are relative paths below it",
                at,
                "write the path relative to the including file, without `..`",
            )
            return []
        self.inputs.append(str(folder.resolve() / entry))
        root = folder.resolve()
        try:
            files = sorted(p for p in folder.glob(entry) if p.is_file())
        except (ValueError, IndexError, OSError):  # what pathlib raises for a bad pattern
            self._problem(
                "invalid-include",
                f"`{entry}` is not a file name or a glob pattern",
                at,
                "e.g. `services/*.yaml`; `**` matches whole folders only (`**/*.yaml`)",
            )
            return []
        if not files:
            self._problem(
                "include-missing",
                f"`{entry}` matches no file in {folder.as_posix() or '.'}",
                at,
                "check the spelling; patterns are relative to the including file",
            )
        kept = []
        for file in files:
            real = file.resolve()
            if not real.is_relative_to(root):
                self._problem(
                    "include-outside", f"`{file.as_posix()}` leads outside the spec's folder", at
                )
            elif real in stack:
                cycle = [*stack[stack.index(real) :], real]
                shown = " -> ".join(_shown(p, stack[0].parent) for p in cycle)
                self._problem(
                    "include-cycle",
                    f"files include each other in a cycle: {shown}",
                    at,
                    "a file may not include itself or a file that includes it",
                )
            elif real not in self.seen:
                kept.append(file)
        return kept

    def _problem(self, code: str, message: str, at: Location, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, at, (INCLUDE_KEY,), hint=hint))


def _text_for_excerpts(path: FsPath) -> str:
    """A file that failed to load, read again only to show its lines (if it is small)."""
    from generator.spec.load import within_size_limit

    try:
        return path.read_bytes().decode("utf-8", "replace") if within_size_limit(path) else ""
    except OSError:
        return ""


def _shown(path: FsPath, folder: FsPath) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


def file_label(path: FsPath) -> str:
    """How a file is named in diagnostics: relative to the working directory if it can be."""
    try:
        return path.resolve().relative_to(FsPath.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _merge_layer(spec: LoadedSpec, layer: LoadedSpec, *, by_name: bool) -> None:
    _Merger(spec.positions, layer.positions, by_name).mapping(spec.data, layer.data, (), ())
    spec.sources.update(layer.sources)


class _Merger:
    def __init__(self, into: PositionIndex, source: PositionIndex, by_name: bool) -> None:
        self.into = into
        self.source = source
        self.by_name = by_name

    def mapping(self, base: dict[str, Any], extra: dict[str, Any], path: Path, src: Path) -> None:
        for key, value in extra.items():
            here, there = (*path, key), (*src, key)
            old = base.get(key)
            if isinstance(old, dict) and isinstance(value, dict):
                self.mapping(old, value, here, there)
            elif isinstance(old, list) and _named(old) and _named(value):
                self.named_list(old, value, here, there)
            else:
                if key in base:
                    self.into.replaced[here] = self.into.value(here)
                    _drop(self.into, here, isinstance(old, dict | list))
                base[key] = value
                self.copy(there, here)

    def named_list(self, base: list[Any], extra: list[Any], path: Path, src: Path) -> None:
        index = {item["name"]: i for i, item in enumerate(base)}
        for j, item in enumerate(extra):
            at = index.get(item["name"]) if self.by_name else None
            if at is not None:
                self.mapping(base[at], item, (*path, at), (*src, j))
                continue
            base.append(item)
            self.copy((*src, j), (*path, len(base) - 1))

    def copy(self, source: Path, target: Path) -> None:
        _copy_table(self.into.values, self.source.values, source, target)
        _copy_table(self.into.keys, self.source.keys, source, target)
        _copy_table(self.into.plain, self.source.plain, source, target)


def _copy_table(mine: dict[Path, T], theirs: dict[Path, T], source: Path, target: Path) -> None:
    size = len(source)
    for path in [p for p in theirs if p[:size] == source]:
        mine[(*target, *path[size:])] = theirs[path]


def _named(value: Any) -> bool:
    """A list whose items are all mappings with a ``name``: merged by name, not replaced."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in value)
    )


def _drop(positions: PositionIndex, path: Path, below: bool) -> None:
    """Forget the positions of ``path``, and of every node ``below`` it if it has any
    (a scan of the whole index, so only for a replaced list or mapping)."""
    for table in (positions.values, positions.keys, positions.plain):
        _drop_table(table, path, below)


def _drop_table(table: dict[Path, Any], path: Path, below: bool) -> None:
    if not below:
        table.pop(path, None)
        return
    size = len(path)
    for stale in [p for p in table if p[:size] == path]:
        del table[stale]


def apply_setting(spec: LoadedSpec, setting: str) -> None:
    """``--set PATH=VALUE``: the value (a YAML scalar) replaces or adds the node at PATH."""
    from generator.spec.address import AddressError, parse_address

    address, equals, text = setting.partition("=")
    if not equals or not address:
        raise UsageProblem(f"--set {setting}: expected PATH=VALUE, e.g. services.web.port=8080")
    label = f"--set {address}"
    source = SourceFile(label, f"--set {setting}")
    try:
        parts = parse_address(address)
        path = _settable(spec.data, parts)
    except AddressError as exc:
        from generator.suggest import did_you_mean

        hint = did_you_mean(str(exc).split("`")[1].rsplit(".", 1)[-1], exc.options)
        raise UsageProblem(f"--set {setting}: {exc}" + (f"; {hint}" if hint else "")) from None
    value = _scalar(text)
    parent: Any = spec.data
    for part in path[:-1]:
        parent = parent[part]
    positions = spec.positions
    old: Any = parent.get(path[-1], _ABSENT) if isinstance(parent, dict) else parent[path[-1]]
    if old is not _ABSENT:
        positions.replaced[path] = positions.value(path)
        _drop(positions, path, isinstance(old, dict | list))
    parent[path[-1]] = value
    positions.values[path] = Location(label, 1, len("--set ") + len(address) + 2)
    positions.keys[path] = Location(label, 1, len("--set ") + 1)
    positions.plain.pop(path, None)
    if not isinstance(value, str) and value is not None:
        positions.plain[path] = text.strip()
    spec.sources[label] = source
    spec.origins[label] = Origin("set")


def _settable(data: Any, parts: list[str | int]) -> Path:
    """The path ``--set`` writes: an existing node, or a new key in an existing mapping."""
    from generator.spec.address import find

    path = find(data, parts[:-1]) if len(parts) > 1 else ()
    node = data
    for part in path:
        node = node[part]
    last = parts[-1]
    if isinstance(node, dict):
        return (*path, str(last))
    return find(data, parts)


def _scalar(text: str) -> Any:
    from generator.spec.convert import plain_scalar

    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
        return stripped[1:-1]
    return plain_scalar(stripped)

"""Read a spec file into plain data plus the position of every node.

The YAML is composed (not constructed) so that every node's mark survives, and so that
aliases can be expanded under a budget: a "billion laughs" file fails fast here. Which
parser reads the text, and when each is trusted, is :mod:`generator.spec.parse`; reading
the file within its size limit is :mod:`generator.spec.source`, and turning the composed
nodes into data is :mod:`generator.spec.convert`.

One file is one :class:`LoadedSpec`. Every position carries its file's label, and
``sources`` maps labels to texts, so a layer that reads several files (includes,
overlays) can merge their data and positions into one LoadedSpec before ``extends`` is
resolved, and diagnostics and source excerpts still name the file each node came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from ruamel.yaml.nodes import Node

from generator.diagnostics import Location
from generator.errors import SpecInvalid
from generator.spec.convert import Converter, DeferredResolver
from generator.spec.positions import PositionIndex
from generator.spec.source import DEFAULT_MAX_SPEC_BYTES as DEFAULT_MAX_SPEC_BYTES
from generator.spec.source import SourceFile as SourceFile
from generator.spec.source import problem, read_source
from generator.spec.source import within_size_limit as within_size_limit


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
                problem(
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


def _convert(source: SourceFile, root: Node) -> tuple[Converter, Any]:
    converter = Converter(source.label, source.text)
    try:
        data = converter.convert(root, ())
    except RecursionError:
        raise SpecInvalid(
            [problem(source.label, 1, 1, "too-deep", "the spec nests too deeply to read")]
        ) from None
    if converter.problems:
        raise SpecInvalid(converter.problems)
    return converter, data


def _compose(source: SourceFile) -> tuple[Node, bool]:
    from generator.spec.parse import compose

    node, judged = compose(source.label, source.text, DeferredResolver)
    if node is None:
        raise SpecInvalid(
            [
                problem(
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


def _yaml_type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "a scalar"
    )

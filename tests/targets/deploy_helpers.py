"""Which generated deploy scripts shellcheck has to see: one per distinct shape.

Most scripts differ only in the values the renderer quoted into them: names, URLs, numbers.
A script's *shape* is its template rendered with the structure of its context (which keys
it reads, whether each list is empty, what kinds of items it holds, the values templates
compare, such as the engine and strategy) and every other value replaced by the form the
renderer gives it: a bare word, a single-quoted one, or ``$'…'``. Scripts of one shape
differ only in literal words, so shellcheck finds the same in all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import jinja2.runtime

from generator.artifact import Artifact
from generator.paths import builtin_templates_dir
from generator.render import OutputKind, make_environment, shell_join


class _Read(dict[str, Any]):
    """A mapping that remembers the keys a template asked for, present or not."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__({key: _watched(value) for key, value in data.items()})
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def _watched(value: Any) -> Any:
    if isinstance(value, dict):
        return _Read(value)
    if isinstance(value, list):
        return [_watched(item) for item in value]
    return value


class _Recording(jinja2.runtime.Context):
    """Remembers the top-level names a template (and what it includes) resolves."""

    def resolve_or_missing(self, key: str) -> Any:
        self.environment.names_read.add(key)  # type: ignore[attr-defined]
        return super().resolve_or_missing(key)


@cache
def _environment() -> jinja2.Environment:
    # an overlay: the renderer's shared environment stays as it is
    env = make_environment(OutputKind.SHELL, [builtin_templates_dir()]).overlay()
    env.context_class = _Recording
    return env


@cache
def compared() -> frozenset[str]:
    """Keys whose values deploy templates compare or include by: they shape the output."""
    env = _environment()
    names: set[str] = set()
    for name in env.list_templates(filter_func=lambda n: n.startswith("deploy/")):
        tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        nodes: Iterable[jinja2.nodes.Node] = [
            *tree.find_all(jinja2.nodes.Compare),
            *tree.find_all(jinja2.nodes.Include),
        ]
        names |= {n.attr for node in nodes for n in node.find_all(jinja2.nodes.Getattr)}
    return frozenset(names)


def _form(value: object, keep: bool) -> object:
    if isinstance(value, _Read):
        return {
            k: _form(dict.get(value, k, "<absent>"), k in compared()) for k in sorted(value.read)
        }
    if isinstance(value, list):
        return sorted({json.dumps(_form(item, False), sort_keys=True) for item in value})
    if keep:
        return value
    word = str(shell_join([value]))
    return "$'" if word.startswith("$'") else "word"


def shape(artifact: Artifact) -> str:
    """The template of ``artifact`` and the structure of what it reads."""
    env = _environment()
    env.names_read = set()  # type: ignore[attr-defined]
    context = {key: _watched(value) for key, value in artifact.context.items()}
    env.get_template(artifact.template).render(context)
    read = sorted(env.names_read & set(context))  # type: ignore[attr-defined]
    return artifact.template + json.dumps({key: _form(context[key], False) for key in read})


def representatives(scripts: Iterable[tuple[Artifact, Path]]) -> list[Path]:
    """A script of each shape, chosen so that their lib.sh files cover every lib shape too:
    checked with ``shellcheck -x -a``, each reads its lib.sh and reports what is wrong there.
    A lib shape none of them brings in comes with the smallest script next to it."""
    libs: dict[Path, str] = {}
    groups: dict[str, list[Path]] = {}
    for artifact, path in sorted(scripts, key=lambda pair: str(pair[1])):
        if path.name == "lib.sh":
            libs[path.parent] = shape(artifact)
        else:
            groups.setdefault(shape(artifact), []).append(path)
    chosen: list[Path] = []
    read: set[str | None] = set()
    for members in sorted(groups.values(), key=len):  # the fewest choices first
        pick = next((p for p in members if libs.get(p.parent) not in read), members[0])
        chosen.append(pick)
        read.add(libs.get(pick.parent))
    for folder, lib in libs.items():
        if lib not in read:
            nearby = [p for members in groups.values() for p in members if p.parent == folder]
            chosen.append(min(nearby, key=lambda p: p.stat().st_size))
            read.add(lib)
    return chosen

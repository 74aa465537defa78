"""Environment inheritance: ``extends`` merges a parent environment into its child.

Mappings merge deeply; lists and scalars of the child replace the parent's. Every value a
child inherits keeps the position where the parent defined it, plus a note of the
``extends`` that brought it in.
"""

from __future__ import annotations

from typing import Any, TypeVar

from generator.diagnostics import Diagnostic
from generator.spec.load import LoadedSpec
from generator.spec.positions import Inheritance, Path, PositionIndex
from generator.suggest import did_you_mean

T = TypeVar("T")


def resolve_extends(spec: LoadedSpec) -> list[Diagnostic]:
    """Resolve ``extends`` in place; return problems (unknown parents, cycles)."""
    environments = spec.data.get("environments")
    if not isinstance(environments, dict):
        return []
    resolver = _Resolver(environments, spec.positions)
    for name in environments:
        resolver.resolve(name, ())
    return resolver.problems


class _Resolver:
    def __init__(self, environments: dict[str, Any], positions: PositionIndex) -> None:
        self.environments = environments
        self.positions = positions
        self.done: set[str] = set()
        self.cyclic: set[str] = set()
        self.problems: list[Diagnostic] = []

    def resolve(self, name: str, chain: tuple[str, ...]) -> None:
        env = self.environments.get(name)
        if name in self.done or not isinstance(env, dict):
            return
        parent = env.get("extends")
        extends_path: Path = ("environments", name, "extends")
        if not isinstance(parent, str):
            self.done.add(name)
            return
        if name in chain or parent == name:
            cycle = [*chain[chain.index(name) :], name] if name in chain else [name, name]
            self._report_cycle(cycle)
            return
        if parent not in self.environments:
            self.problems.append(_unknown_parent(parent, self.environments, extends_path, self))
            self.done.add(name)
            return
        self.resolve(parent, (*chain, name))
        if parent in self.cyclic or name in self.cyclic:
            self.done.add(name)  # already reported as a cycle; nothing sound to merge
            return
        parent_env = self.environments[parent]
        if isinstance(parent_env, dict):
            inheritance = Inheritance(parent, self.positions.value(extends_path))
            merged = self._merge(
                parent_env, env, ("environments", parent), ("environments", name), inheritance
            )
            self.environments[name] = merged
        self.done.add(name)

    def _merge(
        self,
        parent: dict[str, Any],
        child: dict[str, Any],
        parent_path: Path,
        child_path: Path,
        inheritance: Inheritance,
    ) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for key, value in parent.items():
            if key == "extends":
                continue
            if key not in child:
                merged[key] = value
                self._copy_positions((*parent_path, key), (*child_path, key), inheritance)
            elif isinstance(value, dict) and isinstance(child[key], dict):
                merged[key] = self._merge(
                    value, child[key], (*parent_path, key), (*child_path, key), inheritance
                )
        for key, value in child.items():
            merged.setdefault(key, value)
        return merged

    def _copy_positions(self, source: Path, target: Path, inheritance: Inheritance) -> None:
        positions = self.positions
        for table in (positions.values, positions.keys):
            _copy_subtree(table, source, target)
        _copy_subtree(positions.plain, source, target)
        positions.inherited[target] = inheritance

    def _report_cycle(self, cycle: list[str]) -> None:
        start = cycle[0]
        self.done.update(cycle)
        self.cyclic.update(cycle)
        self.problems.append(
            Diagnostic(
                "extends-cycle",
                "environments inherit from each other in a cycle: " + " -> ".join(cycle),
                self.positions.value(("environments", start, "extends")),
                ("environments", start, "extends"),
                hint="remove `extends` from one of these environments",
            )
        )


def _copy_subtree(table: dict[Path, T], source: Path, target: Path) -> None:
    size = len(source)
    for path in [p for p in table if p[:size] == source]:
        table[(*target, *path[size:])] = table[path]


def _unknown_parent(
    parent: str, environments: dict[str, Any], path: Path, resolver: _Resolver
) -> Diagnostic:
    return Diagnostic(
        "unknown-reference",
        f"`extends` names environment `{parent}`, which is not defined",
        resolver.positions.value(path),
        path,
        hint=did_you_mean(parent, environments) or "extends must name another environment",
    )

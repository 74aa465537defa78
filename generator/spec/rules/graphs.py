"""Dependencies form no cycle: stages, services, training modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.diagnostics import Diagnostic
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext, select


def acyclic(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Stages, service dependencies and module prerequisites form no cycle."""
    stage_edges = {
        stage.name: list(stage.depends_on)
        for stage in (ctx.plan.deployment_flow.stages if ctx.plan.deployment_flow else [])
    }
    yield from _cycles(
        ctx, stage_edges, "stages", lambda n: _index_path(ctx, "stage", n, "depends_on")
    )
    service_edges: dict[str, list[str]] = {}
    for dep in ctx.plan.deployment_flow.dependencies if ctx.plan.deployment_flow else []:
        if not dep.external:
            service_edges.setdefault(dep.service, []).append(dep.requires)
    yield from _cycles(
        ctx,
        service_edges,
        "services",
        lambda n: _dependency_path(ctx, n),
    )
    module_edges = {m.name: list(m.prerequisites) for m in ctx.plan.training.training_modules}
    yield from _cycles(
        ctx, module_edges, "training modules", lambda n: _index_path(ctx, "module", n, "name")
    )


def _cycles(
    ctx: RuleContext,
    edges: dict[str, list[str]],
    label: str,
    where: Callable[[str], Path],
) -> Iterator[Diagnostic]:
    reported: set[frozenset[str]] = set()
    for cycle in find_cycles(edges):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        path = where(cycle[0])
        yield ctx.at(
            path,
            "dependency-cycle",
            f"{label} depend on each other in a cycle: " + " -> ".join(cycle),
            hint="remove one of these dependencies",
        )


def find_cycles(edges: dict[str, list[str]]) -> Iterator[list[str]]:
    """Each elementary cycle found by depth-first search, as ``[a, b, ..., a]``."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    stack: list[str] = []

    def visit(node: str) -> Iterator[list[str]]:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                yield [*stack[stack.index(nxt) :], nxt]
            elif nxt not in state:
                yield from visit(nxt)
        stack.pop()
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            yield from visit(start)


def _index_path(ctx: RuleContext, kind: str, name: str, leaf: str) -> Path:
    return (*ctx.names[kind][name][:-1], leaf)


def _dependency_path(ctx: RuleContext, service: str) -> Path:
    for path, dep in select(ctx.data, ("deployment_flow", "dependencies", "*")):
        if dep.get("service") == service:
            return (*path, "requires")
    return ("deployment_flow", "dependencies")

"""Reference pages: the environment matrix and the spec reference."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import DeploymentEnvironment
from generator.spec.model.types import cpu_millicores, size_bytes
from generator.spec.schema import validation_schema
from generator.targets.context import PlanContext
from generator.targets.docs.overview import OVERVIEW
from generator.targets.docs.site import Page, Site
from generator.targets.docs.traceability import REFERENCE
from generator.targets.reference import reference_sections


def pages(site: Site) -> list[Page]:
    """The environment matrix and the spec reference."""
    context = site.context
    return [
        site.page(
            "reference/environments.md",
            "environments.md.j2",
            (OVERVIEW,),
            environments=environment_matrix(context),
            services=context.plan.services,
        ),
        site.page(
            "reference/spec.md",
            "spec-reference.md.j2",
            (REFERENCE,),
            sections=reference_sections(validation_schema()),
        ),
    ]


def environment_matrix(context: PlanContext) -> list[dict[str, Any]]:
    """One column per environment: its type, capacity, reachability and allocations."""
    spec = context.plan
    return [_column(context, spec, name, env) for name, env in spec.environments.items()]


def _other_file(context: PlanContext, path: tuple[str, ...]) -> str:
    """The file ``path`` was written in, when it is not the main spec file."""
    written = context.positions.value(path).file
    return "" if written == context.positions.file else written


def _column(
    context: PlanContext, spec: DeploymentPlan, name: str, env: DeploymentEnvironment
) -> dict[str, Any]:
    compute = env.infrastructure.compute_resources
    inherited = context.positions.inherited
    return {
        "name": name,
        "env": env,
        "line": context.source_line("environments", name),
        # an environment written in an included file names that file
        "file": _other_file(context, ("environments", name)),
        "cpu_total": _cpu(sum(cpu_millicores(p.cpu) * p.count for p in compute.node_pools)),
        "memory_total": _memory(sum(size_bytes(p.memory) * p.count for p in compute.node_pools)),
        "nodes": sum(p.count for p in compute.node_pools),
        "inherited": sorted(
            ".".join(str(part) for part in path[2:])
            for path in inherited
            if path[:2] == ("environments", name)
        ),
        "targets": {s.name: s.targets.get(name) for s in spec.services},
        "allocations": compute.allocations,
    }


def _cpu(millicores: float) -> str:
    cores = millicores / 1000
    return f"{cores:g}"


def _memory(total: float) -> str:
    for unit, factor in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20)):
        if total >= factor:
            return f"{total / factor:g} {unit}"
    return f"{total:g} B"

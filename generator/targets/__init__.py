"""Target families: each turns the validated plan into a list of artifacts to render.

Adding a family means adding a module with ``plan(context) -> list[Artifact]``, its
templates under ``templates/<family>/``, and one line in :data:`FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.artifact import Artifact
from generator.targets import (
    backups,
    compliance,
    configuration,
    deploy,
    docs,
    environments,
    gitops,
    kubernetes,
    monitoring,
    pipelines,
    recovery,
)
from generator.targets.context import PlanContext

Planner = Callable[[PlanContext], list[Artifact]]

FAMILIES: dict[str, Planner] = {
    "backups": backups.plan,
    "compliance": compliance.plan,
    "configuration": configuration.plan,
    "deploy": deploy.plan,
    "docs": docs.plan,
    "environments": environments.plan,
    "gitops": gitops.plan,
    "kubernetes": kubernetes.plan,
    "monitoring": monitoring.plan,
    "pipelines": pipelines.plan,
    "recovery": recovery.plan,
}


def plan_family(name: str, context: PlanContext) -> list[Artifact]:
    """One family's artifacts, planned once per run."""
    if name not in context.planned:
        context.planned[name] = FAMILIES[name](context)
    return context.planned[name]


def plan_all(context: PlanContext, families: frozenset[str] | None = None) -> list[Artifact]:
    """Artifacts of the chosen families (all when ``None``), in a stable order."""
    artifacts: list[Artifact] = []
    for name in sorted(FAMILIES):
        if families is None or name in families:
            artifacts.extend(plan_family(name, context))
    return artifacts

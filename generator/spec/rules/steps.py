"""Actions in the manuals' steps act on something that can take them.

The references themselves (a service, environment or backup that exists) are checked with
every other reference; these rules check that the pair makes sense: the service runs in
that environment, a failover goes to a disaster-recovery environment, a restore reads a
backup taken there, a scale reaches an engine that can scale from an operator's machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Diagnostic
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.gitops import Delivery
from generator.spec.model.project import Engine
from generator.spec.positions import Path
from generator.spec.rules.catalog import STEP_LISTS
from generator.spec.rules.context import RuleContext, select

#: Engines whose instance count an operator changes directly.
SCALABLE = frozenset({Engine.KUBERNETES, Engine.HELM})
_ON_SERVICE = ("rollback", "deploy", "healthcheck", "scale")


def _actions(ctx: RuleContext) -> Iterator[tuple[Path, dict[str, Any]]]:
    for where in STEP_LISTS:
        for path, step in select(ctx.data, where):
            if isinstance(step, dict):
                yield path, step


def action_targets(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A service action names an environment the service is deployed to."""
    services = {s.name: s for s in ctx.plan.services}
    for path, step in _actions(ctx):
        key = next((k for k in _ON_SERVICE if k in step), None)
        service = services.get(step.get(key, "")) if key else None
        environment = step.get("environment")
        if service is None or environment not in ctx.plan.environments:
            continue  # unknown names are reported as references
        if environment not in service.targets:
            deployed = ", ".join(f"`{e}`" for e in service.targets)
            yield ctx.at(
                (*path, "environment"),
                "step-target",
                f"{key}: service `{service.name}` is not deployed to `{environment}`",
                hint=f"`{service.name}` is deployed to {deployed}",
            )
        elif key == "scale":
            yield from _scalable(ctx, path, service.name, service.targets[environment])


def _scalable(ctx: RuleContext, path: Path, service: str, target: Any) -> Iterator[Diagnostic]:
    if target.engine not in SCALABLE:
        yield ctx.at(
            (*path, "scale"),
            "step-target",
            f"scale: `{service}` runs on {target.engine.value}, which has no instance count "
            "to change from here",
            hint="scale kubernetes or helm services; on VMs add hosts to the target instead",
        )
    elif target.engine is Engine.KUBERNETES and target.delivery is Delivery.GITOPS:
        yield ctx.at(
            (*path, "scale"),
            "step-target",
            f"scale: `{service}` is delivered by GitOps, so a kubectl change would be undone "
            "by the next sync",
            hint="change `replicas` of its allocation in the spec and promote the release",
        )


def action_environments(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A failover goes to a disaster-recovery environment; a restore reads a backup that
    is taken in its environment."""
    recovery = ctx.plan.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
    backups = {b.name: b for b in ctx.plan.backup_strategy.backup_types}
    for path, step in _actions(ctx):
        failover = step.get("failover")
        planned = ctx.plan.disaster_recovery
        if failover in recovery and not (planned.recovery_procedures or planned.failover_strategy):
            yield ctx.at(
                (*path, "failover"),
                "step-target",
                f"failover: no failover script is generated for `{failover}`",
                hint="declare `disaster_recovery.failover_strategy` or its recovery procedures",
            )
        if failover in ctx.plan.environments and failover not in recovery:
            listed = ", ".join(f"`{e}`" for e in recovery) or "none is declared"
            yield ctx.at(
                (*path, "failover"),
                "step-target",
                f"failover: `{failover}` is not a disaster-recovery environment",
                hint=f"disaster-recovery environments: {listed}",
            )
        backup = backups.get(step.get("restore", ""))
        environment = step.get("environment")
        if (
            backup is not None
            and environment in ctx.plan.environments
            and environment not in backup.environments
        ):
            taken = ", ".join(f"`{e}`" for e in backup.environments)
            yield ctx.at(
                (*path, "environment"),
                "step-target",
                f"restore: backup `{backup.name}` is not taken in `{environment}`",
                hint=f"`{backup.name}` is taken in {taken}",
            )


STEP_RULES = (action_targets, action_environments)

"""A training module teaches only concepts the spec has material for.

A lesson is drawn from the spec; one with nothing to draw from would teach a part of the
system that does not exist (a canary lesson after the last canary rollout was removed), so
the module is reported where it names the concept, as a dangling reference would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model import DeploymentPlan
from generator.spec.model.manuals import Concept
from generator.spec.model.project import Strategy
from generator.spec.rules.context import RuleContext


def _strategy(plan: DeploymentPlan, strategy: Strategy) -> bool:
    return any(t.strategy is strategy for s in plan.services for t in s.targets.values())


#: Concept -> (the spec has material for it, what is missing, where to add it).
MATERIAL: dict[Concept, tuple[Callable[[DeploymentPlan], bool], str, str]] = {
    Concept.STAGES_AND_GATES: (
        lambda p: p.deployment_flow is not None,
        "the plan has no deployment_flow",
        "add `deployment_flow.stages`",
    ),
    Concept.ROLLBACK: (
        lambda p: p.deployment_flow is not None,
        "the plan has no deployment_flow, whose rollback policy it explains",
        "add `deployment_flow.stages` (and `rollback`)",
    ),
    Concept.FREEZE_WINDOWS: (
        lambda p: bool(p.version_management and p.version_management.release_policy.freeze_windows),
        "the plan declares no freeze windows",
        "add `version_management.release_policy.freeze_windows`",
    ),
    Concept.APPROVALS: (
        lambda p: bool(p.version_management and p.version_management.release_policy.approvals),
        "the plan declares no deploy approvals",
        "add `version_management.release_policy.approvals`",
    ),
    Concept.CANARY: (
        lambda p: _strategy(p, Strategy.CANARY),
        "no service target uses the canary strategy",
        "give a target `strategy: canary` with `canary_steps`",
    ),
    Concept.BLUE_GREEN: (
        lambda p: _strategy(p, Strategy.BLUE_GREEN),
        "no service target uses the blue_green strategy",
        "give a target `strategy: blue_green`",
    ),
    Concept.BACKUPS_AND_RESTORES: (
        lambda p: bool(p.backup_strategy.backup_types),
        "the plan declares no backups",
        "add `backup_strategy.backup_types`",
    ),
    Concept.DISASTER_RECOVERY: (
        lambda p: p.disaster_recovery.failover_strategy is not None,
        "the plan has no failover strategy",
        "add `disaster_recovery.failover_strategy`",
    ),
    Concept.ALERTS: (
        lambda p: bool(p.health_check.alert_thresholds.thresholds),
        "the plan declares no alert thresholds",
        "add `health_check.alert_thresholds.thresholds`",
    ),
    Concept.ESCALATION: (
        lambda p: bool(p.operations.escalation_paths),
        "the plan declares no escalation paths",
        "add `operations.escalation_paths`",
    ),
    Concept.INCIDENT_ROLES: (
        lambda p: bool(p.operations.incident_response and p.operations.incident_response.roles),
        "the plan declares no incident roles",
        "add `operations.incident_response.roles`",
    ),
    Concept.SECRETS: (
        lambda p: bool(
            p.configuration_management.secrets_management
            and p.configuration_management.secrets_management.secrets
        ),
        "the plan declares no secrets",
        "add `configuration_management.secrets_management.secrets`",
    ),
    Concept.OBSERVABILITY: (
        lambda p: bool(p.monitoring.monitoring_tools),
        "the plan declares no monitoring tools",
        "add `monitoring.monitoring_tools`",
    ),
    Concept.MAINTENANCE_WINDOWS: (
        lambda p: bool(p.operations.maintenance_procedures),
        "the plan declares no maintenance procedures",
        "add `operations.maintenance_procedures`",
    ),
}


def concepts_taught(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each concept of a module has material in the spec to draw its lesson from."""
    for index, module in enumerate(ctx.plan.training.training_modules):
        for position, concept in enumerate(module.concepts):
            present, missing, where = MATERIAL[concept]
            if present(ctx.plan):
                continue
            yield ctx.at(
                ("training", "training_modules", index, "concepts", position),
                "training-concept",
                f"training module `{module.name}` teaches `{concept.value}`, but {missing}",
                hint=f"{where}, or remove `{concept.value}` from the module's concepts",
            )

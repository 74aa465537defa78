"""Seed §10.1: a training module's concepts, each a lesson drawn from the spec.

A lesson holds the spec's real values (stages, windows, schedules, paths), the generated
scripts that act on them and the self-check questions whose answers are those values.
The templates word them (``docs/_lessons.md.j2``); here they are only gathered, so the
number of questions per module is known to the certification checklist too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.spec.model import EnvironmentType
from generator.spec.model.manuals import Concept, TrainingModule
from generator.targets.docs.lessons.common import Lesson
from generator.targets.docs.lessons.incidents import alerts, escalation, incident_roles
from generator.targets.docs.lessons.operations import maintenance_windows, observability, secrets
from generator.targets.docs.lessons.recovery import backups_and_restores, disaster_recovery
from generator.targets.docs.lessons.releases import (
    approvals,
    blue_green,
    canary,
    freeze_windows,
    rollback,
    stages_and_gates,
)
from generator.targets.docs.site import Site


def lessons(site: Site, module: TrainingModule) -> list[Lesson]:
    """The module's lessons, in the order its concepts are listed."""
    place = practice_environment(site, module)
    return [_BUILDERS[c](site, place) | {"concept": c.value} for c in module.concepts]


def questions(site: Site, module: TrainingModule) -> list[dict[str, Any]]:
    """The module's self-check: every lesson's questions, in lesson order."""
    return [q for lesson in lessons(site, module) for q in lesson["questions"]]


def practice_environment(site: Site, module: TrainingModule) -> str:
    """Where the module's commands are practised: its exercises' environment, else the
    first development, then staging environment, else the first one."""
    plan = site.plan
    for exercise in plan.training.hands_on_exercises:
        if exercise.module == module.name:
            return exercise.environment
    for kind in (EnvironmentType.DEVELOPMENT, EnvironmentType.STAGING):
        found = plan.environments_of_type(kind)
        if found:
            return found[0]
    return next(iter(plan.environments))


#: Where each concept's material is written in the spec, for the page's source lines.
SECTIONS: dict[Concept, tuple[str, ...]] = {
    Concept.STAGES_AND_GATES: ("deployment_flow", "stages"),
    Concept.ROLLBACK: ("deployment_flow", "rollback"),
    Concept.FREEZE_WINDOWS: ("version_management", "release_policy", "freeze_windows"),
    Concept.APPROVALS: ("version_management", "release_policy", "approvals"),
    Concept.CANARY: ("services",),
    Concept.BLUE_GREEN: ("services",),
    Concept.BACKUPS_AND_RESTORES: ("backup_strategy",),
    Concept.DISASTER_RECOVERY: ("disaster_recovery", "failover_strategy"),
    Concept.ALERTS: ("health_check", "alert_thresholds"),
    Concept.ESCALATION: ("operations", "escalation_paths"),
    Concept.INCIDENT_ROLES: ("operations", "incident_response", "roles"),
    Concept.SECRETS: ("configuration_management", "secrets_management", "secrets"),
    Concept.OBSERVABILITY: ("monitoring", "monitoring_tools"),
    Concept.MAINTENANCE_WINDOWS: ("operations", "maintenance_procedures"),
}

_BUILDERS: dict[Concept, Callable[[Site, str], Lesson]] = {
    Concept.STAGES_AND_GATES: stages_and_gates,
    Concept.ROLLBACK: rollback,
    Concept.FREEZE_WINDOWS: freeze_windows,
    Concept.APPROVALS: approvals,
    Concept.CANARY: canary,
    Concept.BLUE_GREEN: blue_green,
    Concept.BACKUPS_AND_RESTORES: backups_and_restores,
    Concept.DISASTER_RECOVERY: disaster_recovery,
    Concept.ALERTS: alerts,
    Concept.ESCALATION: escalation,
    Concept.INCIDENT_ROLES: incident_roles,
    Concept.SECRETS: secrets,
    Concept.OBSERVABILITY: observability,
    Concept.MAINTENANCE_WINDOWS: maintenance_windows,
}

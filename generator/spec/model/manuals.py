"""Seed §9 and §10: documentation, training and knowledge transfer."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field

from generator.spec.model.steps import Step
from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    Identifier,
    RoleRef,
    ServiceRef,
    SpecModel,
    TeamRef,
    Text,
    Url,
)


class _Guide(SpecModel):
    name: Identifier = Field(description="Unique name; becomes the page's file name.")
    title: Text = Field(description="Page title.")
    summary: Text = Field("", description="What the reader will have done at the end.")


class InstallationGuide(_Guide):
    """How to install a service into an environment (from the generated scripts)."""

    services: list[ServiceRef] = Field(min_length=1, description="Services installed.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Environments covered.")
    prerequisites: list[Text] = Field(default_factory=list, description="Needed beforehand.")
    notes: list[Text] = Field(default_factory=list, description="Things to watch out for.")


class ConfigurationGuide(_Guide):
    services: list[ServiceRef] = Field(min_length=1, description="Services configured.")
    notes: list[Text] = Field(default_factory=list, description="Advice on the settings.")


class TroubleshootingEntry(SpecModel):
    symptom: Text = Field(description="What the operator sees.")
    likely_cause: Text = Field(description="What usually causes it.")
    check: Step = Field(
        description="Command or observation that confirms the cause: text or an action "
        "such as `{healthcheck: SERVICE, environment: ENV}` or `{run: COMMAND, expect: TEXT}`."
    )
    fix: Step = Field(
        description="What resolves it: text or an action such as "
        "`{rollback: SERVICE, environment: ENV}` or `{scale: SERVICE, replicas: N, "
        "environment: ENV}`."
    )


class TroubleshootingGuide(_Guide):
    services: list[ServiceRef] = Field(min_length=1, description="Services covered.")
    entries: list[TroubleshootingEntry] = Field(min_length=1, description="Symptoms and fixes.")


class DeploymentDocumentation(SpecModel):
    """Seed §9.1 ``DeploymentDocumentation``."""

    installation_guides: list[InstallationGuide] = Field(
        default_factory=list, description="Guides that install services into environments."
    )
    configuration_guides: list[ConfigurationGuide] = Field(
        default_factory=list, description="Guides to each service's settings and secrets."
    )
    troubleshooting_guides: list[TroubleshootingGuide] = Field(
        default_factory=list, description="Symptom, cause, check and fix, per service."
    )


class OperationTask(SpecModel):
    name: Text = Field(description="Task name.")
    when: Text = Field(description="When the task is done.")
    steps: list[Step] = Field(
        min_length=1, description="Steps: text, or actions expanded into their commands."
    )
    command: Text | None = Field(None, description="Command, if one does it.")


class OperationManual(_Guide):
    service: ServiceRef = Field(description="Service the manual covers.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Environments covered.")
    tasks: list[OperationTask] = Field(min_length=1, description="Day-to-day tasks.")


class MaintenanceGuide(_Guide):
    procedure: Identifier = Field(description="The maintenance procedure it explains.")
    precautions: list[Step] = Field(
        default_factory=list, description="Checks before starting: text or actions."
    )
    verification: list[Step] = Field(
        default_factory=list,
        description="Checks when done: text or actions, e.g. "
        "`{healthcheck: SERVICE, environment: ENV}`.",
    )


class EmergencyProcedure(_Guide):
    trigger: Text = Field(description="When to use it.")
    severity: Identifier = Field(description="Incident severity it is for.")
    steps: list[Step] = Field(
        min_length=1,
        description="Steps, in order: text, or actions such as "
        "`{rollback: SERVICE, environment: ENV}` and `{failover: DR_ENV}` that the page "
        "expands into their exact commands.",
    )
    contacts: list[TeamRef] = Field(default_factory=list, description="Teams to involve.")


class OperationalDocumentation(SpecModel):
    """Seed §9.2 ``OperationalDocumentation``."""

    operation_manuals: list[OperationManual] = Field(
        default_factory=list, description="Day-to-day runbooks per service."
    )
    maintenance_guides: list[MaintenanceGuide] = Field(
        default_factory=list, description="How each maintenance procedure is carried out."
    )
    emergency_procedures: list[EmergencyProcedure] = Field(
        default_factory=list, description="What to do when things go badly wrong."
    )


class Concept(StrEnum):
    """A part of the system a training module teaches, drawn from the spec's own sections."""

    STAGES_AND_GATES = "stages_and_gates"
    ROLLBACK = "rollback"
    FREEZE_WINDOWS = "freeze_windows"
    APPROVALS = "approvals"
    CANARY = "canary"
    BLUE_GREEN = "blue_green"
    BACKUPS_AND_RESTORES = "backups_and_restores"
    DISASTER_RECOVERY = "disaster_recovery"
    ALERTS = "alerts"
    ESCALATION = "escalation"
    INCIDENT_ROLES = "incident_roles"
    SECRETS = "secrets"
    OBSERVABILITY = "observability"
    MAINTENANCE_WINDOWS = "maintenance_windows"


class TrainingModule(SpecModel):
    name: Identifier = Field(description="Unique module name.")
    title: Text = Field(description="Module title.")
    audience: list[RoleRef] = Field(min_length=1, description="Roles that take it.")
    objectives: list[Text] = Field(min_length=1, description="What learners can do after.")
    duration: Duration = Field(description="How long it takes.")
    prerequisites: list[Identifier] = Field(
        default_factory=list, description="Modules taken before."
    )
    topics: list[Text] = Field(
        default_factory=list, description="What it covers, in words, listed after the lessons."
    )
    concepts: list[Concept] = Field(
        default_factory=list,
        description="Parts of this system the module teaches, e.g. `[stages_and_gates, "
        "canary, freeze_windows]`: each becomes a lesson drawn from the spec (the real "
        "stages, windows, schedules and paths, with the commands and the pages that go "
        "deeper) and questions of the module's self-check. One of `stages_and_gates`, "
        "`rollback`, `freeze_windows`, `approvals`, `canary`, `blue_green`, "
        "`backups_and_restores`, `disaster_recovery`, `alerts`, `escalation`, "
        "`incident_roles`, `secrets`, `observability`, `maintenance_windows`; a concept the "
        "spec has nothing on is an error.",
    )


class Verification(SpecModel):
    command: Text = Field(description="Command run against the environment.")
    expect: Text = Field(description="What its output shows when the exercise is done.")


class Exercise(SpecModel):
    name: Identifier = Field(description="Unique exercise name.")
    module: Identifier = Field(description="Module it belongs to.")
    title: Text = Field(description="Exercise title.")
    environment: EnvironmentRef = Field(description="Where it is done (not production).")
    steps: list[Step] = Field(
        min_length=1,
        description="What the learner does: text, or actions such as "
        "`{deploy: SERVICE, environment: ENV, version: TAG}` expanded into commands.",
    )
    verification: Verification = Field(description="How completion is checked.")
    expected: Text = Field(
        "", description="What the learner sees while doing the steps when they work."
    )
    cleanup: list[Step] = Field(
        default_factory=list,
        description="What to undo afterwards, in order, so the environment is as it was: "
        "text, or actions such as `{scale: SERVICE, replicas: N, environment: ENV}`.",
    )
    duration: Duration | None = Field(None, description="How long the exercise takes.")


class RoleCertification(SpecModel):
    role: RoleRef = Field(description="Role certified.")
    modules: list[Identifier] = Field(min_length=1, description="Modules required.")
    exercises: list[Identifier] = Field(default_factory=list, description="Exercises required.")
    renewal: Duration = Field("365d", description="How often certification is renewed.")
    assessor: RoleRef | None = Field(None, description="Role that signs it off.")


class CertificationRequirements(SpecModel):
    roles: list[RoleCertification] = Field(default_factory=list, description="Per role.")
    passing_score: int = Field(80, ge=0, le=100, description="Score needed to pass.")


class OperationalTraining(SpecModel):
    """Seed §10.1 ``OperationalTraining``."""

    training_modules: list[TrainingModule] = Field(
        default_factory=list, description="Modules of the training course."
    )
    hands_on_exercises: list[Exercise] = Field(
        default_factory=list, description="Practical exercises with a verification command."
    )
    certification_requirements: CertificationRequirements = Field(
        default_factory=CertificationRequirements,
        description="What each role must complete to be certified.",
    )


class Article(SpecModel):
    title: Text = Field(description="Article title.")
    tags: list[Identifier] = Field(default_factory=list, description="Search tags.")
    body: Text = Field(description="The article.")
    link: Url | None = Field(None, description="Longer source.")


class KnowledgeBase(SpecModel):
    url: Url | None = Field(None, description="Where the wider knowledge base lives.")
    articles: list[Article] = Field(default_factory=list, description="Articles.")


class BestPractice(SpecModel):
    title: Text = Field(description="The practice.")
    area: Text = Field(description="Area it applies to.")
    description: Text = Field(description="Why and how.")
    tags: list[Identifier] = Field(default_factory=list, description="Search tags.")


class ActionItem(SpecModel):
    description: Text = Field(description="What will be done.")
    owner: TeamRef = Field(description="Team responsible.")
    due: dt.date | None = Field(None, description="Due date.")
    status: Literal["open", "in_progress", "done"] = Field("open", description="Progress.")


class LessonLearned(SpecModel):
    title: Text = Field(description="Incident title.")
    date: dt.date = Field(description="When it happened.")
    severity: Identifier = Field(description="Severity level.")
    services: list[ServiceRef] = Field(default_factory=list, description="Services affected.")
    summary: Text = Field(description="What happened.")
    root_cause: Text = Field(description="Why it happened.")
    action_items: list[ActionItem] = Field(default_factory=list, description="Follow-ups.")
    tags: list[Identifier] = Field(default_factory=list, description="Search tags.")


class KnowledgeTransfer(SpecModel):
    """Seed §10.2 ``KnowledgeTransfer``."""

    knowledge_base: KnowledgeBase = Field(
        default_factory=KnowledgeBase, description="Articles operators look things up in."
    )
    best_practices: list[BestPractice] = Field(
        default_factory=list, description="Practices the team follows."
    )
    lessons_learned: list[LessonLearned] = Field(
        default_factory=list, description="Post-incident reviews with action items."
    )

"""Steps of the manuals' procedures: free text, or an action the site expands into commands.

A step written as text is shown as written (backticks become inline code). A step written
as an action names what it acts on and where, e.g. ``{rollback: payments, environment:
production}``; the manual shows the exact command of the generated script, what its output
looks like when it worked, and the check that proves it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from generator.spec.model.types import EnvironmentRef, Identifier, ServiceRef, SpecModel, Text

#: The key that names an action; a step has exactly one of them.
ACTIONS = ("rollback", "deploy", "failover", "restore", "healthcheck", "scale", "run")


class _Action(SpecModel):
    note: Text = Field("", description="Why this step is taken, shown above its commands.")


class RollbackStep(_Action):
    """``{rollback: SERVICE, environment: ENV}``: the service's rollback.sh in ENV."""

    rollback: ServiceRef = Field(description="Service returned to an earlier release.")
    environment: EnvironmentRef = Field(description="Environment it is rolled back in.")
    to: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+@:-]{0,127}$",
        description="Release to return to (`rollback.sh --to`); default the one before.",
    )


class DeployStep(_Action):
    """``{deploy: SERVICE, environment: ENV, version: TAG}``: the service's deploy.sh."""

    deploy: ServiceRef = Field(description="Service deployed.")
    environment: EnvironmentRef = Field(description="Environment it is deployed to.")
    version: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+@:-]{0,127}$",
        description="Release deployed (`deploy.sh --version`); default `$VERSION`.",
    )


class FailoverStep(_Action):
    """``{failover: DR_ENV}``: the disaster-recovery environment's failover.sh."""

    failover: EnvironmentRef = Field(description="Disaster-recovery environment taking over.")
    drill: bool = Field(False, description="Run it as a drill (`failover.sh --drill`).")


class RestoreStep(_Action):
    """``{restore: BACKUP, environment: ENV}``: restore the newest copy of a backup."""

    restore: Identifier = Field(description="Backup (backup_strategy.backup_types) restored.")
    environment: EnvironmentRef = Field(description="Environment whose backup is restored.")


class HealthcheckStep(_Action):
    """``{healthcheck: SERVICE, environment: ENV}``: the service's healthcheck.sh."""

    healthcheck: ServiceRef = Field(description="Service checked.")
    environment: EnvironmentRef = Field(description="Environment it is checked in.")


class ScaleStep(_Action):
    """``{scale: SERVICE, replicas: N, environment: ENV}``: change the instance count."""

    scale: ServiceRef = Field(description="Service scaled (kubernetes, helm or compose).")
    replicas: int = Field(ge=0, le=1000, description="Instances it runs afterwards.")
    environment: EnvironmentRef = Field(description="Environment it is scaled in.")


class RunStep(_Action):
    """``{run: COMMAND, environment: ENV, expect: TEXT}``: a command of the team's own."""

    run: Text = Field(description="Shell command, run from an operator's machine.")
    environment: EnvironmentRef | None = Field(None, description="Environment it acts on.")
    expect: Text = Field("", description="What its output shows when all is well.")


def _kind(value: Any) -> str | None:
    # tags are not keys of the step, so that error locations name the step's own keys
    if isinstance(value, str):
        return "Text"
    keys = value if isinstance(value, dict) else vars(value)
    return next((_TAGS[key] for key in ACTIONS if key in keys), None)


_TAGS = {
    "rollback": "RollbackStep",
    "deploy": "DeployStep",
    "failover": "FailoverStep",
    "restore": "RestoreStep",
    "healthcheck": "HealthcheckStep",
    "scale": "ScaleStep",
    "run": "RunStep",
}

Step = Annotated[
    Annotated[Text, Tag("Text")]
    | Annotated[RollbackStep, Tag("RollbackStep")]
    | Annotated[DeployStep, Tag("DeployStep")]
    | Annotated[FailoverStep, Tag("FailoverStep")]
    | Annotated[RestoreStep, Tag("RestoreStep")]
    | Annotated[HealthcheckStep, Tag("HealthcheckStep")]
    | Annotated[ScaleStep, Tag("ScaleStep")]
    | Annotated[RunStep, Tag("RunStep")],
    Discriminator(
        _kind,
        custom_error_type="step",
        custom_error_message="a step is text or one action: rollback, deploy, failover, "
        "restore, healthcheck, scale or run",
    ),
    Field(
        description="Free text (backticks mark code), or an action expanded into its exact "
        "commands, expected output and check: `{rollback: SERVICE, environment: ENV}`, "
        "`{deploy: SERVICE, environment: ENV, version: TAG}`, `{failover: DR_ENV}`, "
        "`{restore: BACKUP, environment: ENV}`, `{healthcheck: SERVICE, environment: ENV}`, "
        "`{scale: SERVICE, replicas: N, environment: ENV}`, or "
        "`{run: COMMAND, environment: ENV, expect: TEXT}`; each may carry a `note`.",
        json_schema_extra={"x-actions": list(ACTIONS)},
    ),
]

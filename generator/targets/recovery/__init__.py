"""The ``recovery`` family: per disaster-recovery environment, the failover script that
follows the recovery procedures, failback, the scheduled DR drill, and the runbook page.

``output/disaster-recovery/<env>/`` holds ``failover.sh``, ``failback.sh``, ``drill.sh``,
the Route 53 change batches, and the drill schedule (crontab and systemd timer);
``site_docs/operations/disaster-recovery/<env>.md`` is the runbook operators read.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import EnvironmentType
from generator.targets.backups import INSTALL_ROOT
from generator.targets.calendar import on_calendar
from generator.targets.context import PlanContext
from generator.targets.docs.provenance import Provenance, provenance
from generator.targets.recovery.procedure import drill_checklist, recovery_plan

FAMILY = "recovery"
PAGES = PurePosixPath("operations", "disaster-recovery")


def plan(context: PlanContext) -> list[Artifact]:
    """Scripts, schedules and runbook of every disaster-recovery environment."""
    spec = context.plan
    recovery = spec.disaster_recovery
    if not recovery.recovery_procedures and recovery.failover_strategy is None:
        return []
    artifacts: list[Artifact] = []
    environments = spec.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
    for environment in environments:
        owned = provenance(context, [], ("disaster_recovery",), ("environments", environment))
        artifacts += _environment(spec, environment, owned)
    if environments:
        artifacts.append(_index(spec, environments))
    return artifacts


def runbook_path(environment: str) -> PurePosixPath:
    """The runbook page of ``environment`` under ``site_docs/``."""
    return PAGES / f"{environment}.md"


def _environment(spec: DeploymentPlan, environment: str, owned: Provenance) -> list[Artifact]:
    data = recovery_plan(spec, environment)
    data["checklist"] = drill_checklist(data)
    here = PurePosixPath("disaster-recovery", environment)
    install_dir = f"{INSTALL_ROOT}/{spec.project.name}/disaster-recovery/{environment}"
    dns = data["dns"]
    scripts = {"plan": data, "pairs": _pairs(dns, secondary=True)}
    artifacts = [
        _artifact(here / "failover.sh", "failover.sh.j2", scripts, environment, executable=True),
        _artifact(here / "drill.sh", "drill.sh.j2", scripts, environment, executable=True),
    ]
    if data["failover"] is not None:
        data["failback_steps"] = _failback_steps(data["failback"])
        back = {"plan": data, "pairs": _pairs(dns, secondary=False)}
        artifacts.append(
            _artifact(here / "failback.sh", "failback.sh.j2", back, environment, executable=True)
        )
    if dns and dns["automatic"]:
        for target, batch in ((environment, "to_secondary"), (data["primary"], "to_primary")):
            path = here / f"switch-to-{target}.json"
            artifacts.append(
                _artifact(path, "change-batch.json.j2", {"batch": dns[batch]}, environment)
            )
    artifacts += _drill_schedule(spec, data, here, install_dir)
    page = {
        "plan": data,
        "folder": f"output/{here}",
        "project_timezone": spec.project.timezone,
        "language": spec.project.docs_language.value,
        "provenance": owned,
    }
    artifacts.append(
        Artifact(
            root=Root.DOCS,
            path=runbook_path(environment),
            template="recovery/runbook.md.j2",
            family=FAMILY,
            context=page,
            environment=environment,
        )
    )
    return artifacts


def _pairs(dns: dict[str, Any] | None, *, secondary: bool) -> list[str]:
    """``record target record target …``: what each record must resolve like."""
    if not dns:
        return []
    side = "secondary" if secondary else "primary"
    return [value for t in dns["targets"] for value in (t.record, getattr(t, side))]


def _failback_steps(texts: list[str]) -> list[dict[str, Any]]:
    steps = [
        {"number": n, "name": f"failback_{n}", "text": text, "switch": False}
        for n, text in enumerate(texts, 1)
    ]
    steps.append(
        {
            "number": len(texts) + 1,
            "name": "traffic_back",
            "text": "Move traffic back to the primary environment.",
            "switch": True,
        }
    )
    return steps


#: The system user the DR drill's unit runs as.
DRILL_USER = "deployplan-dr"


def _drill_schedule(
    spec: DeploymentPlan, data: dict[str, Any], here: PurePosixPath, install_dir: str
) -> list[Artifact]:
    failover = data["failover"]
    if failover is None or failover.drill_schedule is None:
        return []
    environment = data["environment"]
    unit = f"deployplan-{spec.project.name}-dr-drill-{environment}"
    context = {
        "project": spec.project.name,
        "environment": environment,
        "install_dir": install_dir,
        "cron": failover.drill_schedule,
        "timezone": spec.project.timezone,
        "calendars": on_calendar(failover.drill_schedule, spec.project.timezone),
        "unit": unit,
        "user": DRILL_USER,
        "name": DRILL_USER,
        "users": [{"name": DRILL_USER, "description": "deployplan DR drills"}],
    }
    sysusers = here / "systemd" / "sysusers.conf"
    return [
        _artifact(here / "drill.crontab", "drill.crontab.j2", context, environment),
        _artifact(here / "systemd" / f"{unit}.service", "drill.service.j2", context, environment),
        _artifact(here / "systemd" / f"{unit}.timer", "drill.timer.j2", context, environment),
        Artifact(
            root=Root.OUTPUT,
            path=sysusers,
            template="backups/sysusers.conf.j2",
            family=FAMILY,
            context=context,
            environment=environment,
        ),
    ]


def _index(spec: DeploymentPlan, environments: list[str]) -> Artifact:
    pages = [
        {"environment": env, "page": f"{env}.md", "plan": recovery_plan(spec, env)}
        for env in environments
    ]
    return Artifact(
        root=Root.DOCS,
        path=PAGES / "index.md",
        template="recovery/index.md.j2",
        family=FAMILY,
        context={
            "pages": pages,
            "project": spec.project.name,
            "language": spec.project.docs_language.value,
        },
    )


def _artifact(
    path: PurePosixPath,
    template: str,
    context: dict[str, Any],
    environment: str,
    *,
    executable: bool = False,
) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=path,
        template=f"recovery/{template}",
        family=FAMILY,
        context=context,
        environment=environment,
        executable=executable,
    )

"""Seed §10.1: a training module's concepts, each a lesson drawn from the spec.

A lesson holds the spec's real values (stages, windows, schedules, paths), the generated
scripts that act on them and the self-check questions whose answers are those values.
The templates word them (``docs/_lessons.md.j2``); here they are only gathered, so the
number of questions per module is known to the certification checklist too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.manuals import Concept, TrainingModule
from generator.spec.model.process import ValidationPoint
from generator.spec.model.project import ServiceKind, Strategy
from generator.spec.model.types import duration_seconds
from generator.targets.docs.commands import OUTPUT, script, secret_location
from generator.targets.docs.site import Site
from generator.targets.monitoring.alert_rules import alert_name, incident_severity

Lesson = dict[str, Any]
_APPLICATIONS = (ServiceKind.WEB, ServiceKind.API, ServiceKind.WORKER)


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


def production(plan: DeploymentPlan) -> str | None:
    """The first production environment, if any."""
    return next(iter(plan.environments_of_type(EnvironmentType.PRODUCTION)), None)


def _first_service(site: Site, env: str) -> str | None:
    """The first service deployed to ``env``, an application before a data store: the
    one whose commands a lesson shows."""
    deployed = [n for n in site.service_order if env in site.plan.service(n).targets]
    apps = [n for n in deployed if site.plan.service(n).kind in _APPLICATIONS]
    return next(iter(apps or deployed), None)


def _gate(gate: ValidationPoint) -> dict[str, Any]:
    return {
        "name": gate.name,
        "after": gate.after_stage,
        "check": gate.check,
        "attempts": gate.retries + 1,
        "interval": gate.interval,
        "deadline": gate.deadline,
        "on_failure": gate.on_failure,
        "services": gate.services,
        "environments": gate.environments,
    }


def _deploy_commands(service: str, env: str) -> list[str]:
    return [
        script(service, env, "preflight.sh"),
        f'{script(service, env, "deploy.sh")} --dry-run --version "$VERSION"',
        f'{script(service, env, "deploy.sh")} --version "$VERSION"',
        script(service, env, "verify.sh"),
    ]


def stages_and_gates(site: Site, env: str) -> Lesson:
    """The stages in order with timeouts, the gates with their attempts and outcome."""
    flow = site.plan.deployment_flow
    stages = flow.stages if flow else []
    gates = [_gate(g) for g in (flow.validation_points if flow else [])]
    service = _first_service(site, env)
    deploy_stage = next((s for s in stages if s.action.value == "deploy"), stages[0])
    asked = gates[:1]
    asked += [g for g in gates if asked and g["on_failure"] != asked[0]["on_failure"]][:1]
    return {
        "stages": stages,
        "gates": gates,
        "service": service,
        "environment": env,
        "commands": _deploy_commands(service, env) if service else [],
        "questions": [
            {"kind": "stage_timeout", "stage": deploy_stage},
            *({"kind": "gate_failure", "gate": g} for g in asked),
        ],
    }


def rollback(site: Site, env: str) -> Lesson:
    """The rollback policy and the commands that roll back, to practise and in production."""
    flow = site.plan.deployment_flow
    assert flow is not None
    service = _first_service(site, env)
    prod = production(site.plan)
    prod_service = _first_service(site, prod) if prod else None
    commands = (
        [
            f"{script(service, env, 'rollback.sh')} --list",
            f"{script(service, env, 'rollback.sh')} --dry-run",
            script(service, env, "rollback.sh"),
        ]
        if service
        else []
    )
    return {
        "automatic": flow.rollback.automatic,
        "keep": flow.rollback.keep_releases,
        "kept_stages": [s.name for s in flow.stages if not s.rollback_on_failure],
        "other_gates": [_gate(g) for g in flow.validation_points if g.on_failure != "rollback"],
        "service": service,
        "environment": env,
        "commands": commands,
        "production": prod,
        "production_commands": (
            [
                f"{script(prod_service, prod, 'rollback.sh')} --list",
                f"{script(prod_service, prod, 'rollback.sh')} --to VERSION",
            ]
            if prod and prod_service
            else []
        ),
        "production_service": prod_service,
        "questions": [
            {
                "kind": "rollback_policy",
                "automatic": flow.rollback.automatic,
                "keep": flow.rollback.keep_releases,
            },
            *(
                [
                    {
                        "kind": "rollback_list",
                        "command": commands[0],
                        "service": service,
                        "environment": env,
                    }
                ]
                if commands
                else []
            ),
        ],
    }


def freeze_windows(site: Site, _env: str) -> Lesson:
    """The freeze windows, and how a hotfix passes one."""
    policy = _release_policy(site.plan)
    windows = policy.freeze_windows
    frozen = windows[0].environments[0]
    service = _first_service(site, frozen)
    override = (
        f'{script(service, frozen, "deploy.sh")} --version "$VERSION" --override-freeze "REASON"'
        if service and policy.hotfixes_during_freeze
        else None
    )
    return {
        "windows": windows,
        "hotfixes": policy.hotfixes_during_freeze,
        "command": override,
        "timezone": site.plan.project.timezone,
        "questions": [
            {"kind": "freeze_when", "window": windows[0]},
            {
                "kind": "freeze_hotfix",
                "allowed": policy.hotfixes_during_freeze,
                "command": override,
            },
        ],
    }


def approvals(site: Site, _env: str) -> Lesson:
    """Who approves deploys to which environment, and where no approval is needed."""
    rules = _release_policy(site.plan).approvals
    approved = {a.environment for a in rules}
    prod = production(site.plan)
    asked = next((a for a in rules if a.environment == prod), rules[0])
    return {
        "rules": rules,
        "free": [name for name in site.plan.environments if name not in approved],
        "questions": [
            {"kind": "approval_environments", "environments": [a.environment for a in rules]},
            {"kind": "approvers", "rule": asked},
        ],
    }


def _release_policy(plan: DeploymentPlan) -> Any:
    assert plan.version_management is not None
    return plan.version_management.release_policy


def _rollouts(site: Site, strategy: Strategy) -> list[dict[str, Any]]:
    flow = site.plan.deployment_flow
    deploy_stages = {s.name for s in flow.stages if s.action.value == "deploy"} if flow else set()
    rollouts = []
    for name in site.service_order:
        for env, target in site.plan.service(name).targets.items():
            if target.strategy is not strategy:
                continue
            gates = [
                _gate(g)
                for g in (flow.validation_points if flow else [])
                if g.after_stage in deploy_stages
                and (not g.services or name in g.services)
                and (not g.environments or env in g.environments)
            ]
            rollouts.append(
                {
                    "service": name,
                    "environment": env,
                    "engine": target.engine.value,
                    "steps": target.canary_steps,
                    "controller": target.traffic_controller.value
                    if target.traffic_controller
                    else None,
                    "delivery": target.delivery.value,
                    "gates": gates,
                    "commands": [
                        f'{script(name, env, "deploy.sh")} --dry-run --version "$VERSION"',
                        f"{script(name, env, 'rollback.sh')} --list",
                    ],
                }
            )
    return rollouts


def canary(site: Site, _env: str) -> Lesson:
    """Each canary rollout: its traffic steps and what holds or rolls back each step."""
    rollouts = _rollouts(site, Strategy.CANARY)
    criteria = site.plan.deployment_testing.validation_criteria
    automation = site.plan.automation
    return {
        "rollouts": rollouts,
        "criteria": criteria,
        "argo": automation.gitops.rollouts if automation and automation.gitops else None,
        "questions": [
            {"kind": "canary_steps", "rollout": rollouts[0]},
            {
                "kind": "canary_failure",
                "rollout": rollouts[0],
                "argo": automation and automation.gitops,
            },
        ],
    }


def blue_green(site: Site, _env: str) -> Lesson:
    """Each blue/green rollout, and how its switch is undone."""
    rollouts = _rollouts(site, Strategy.BLUE_GREEN)
    return {
        "rollouts": rollouts,
        "questions": [{"kind": "blue_green_where", "rollouts": rollouts}],
    }


def backups_and_restores(site: Site, _env: str) -> Lesson:
    """Backups with their scripts and schedules, retention, and the RPO/RTO they serve."""
    strategy = site.plan.backup_strategy
    backups = []
    for b in strategy.backup_types:
        where = b.environments[0]
        files = {
            a.path.name: f"{OUTPUT}/{a.path}"
            for a in site.outputs(service=b.service, environment=where)
            if a.executable
        }
        backups.append(
            {
                "backup": b,
                "environment": where,
                "script": files.get(f"{b.name}.sh"),
                "verify": files.get(f"{b.name}-verify.sh"),
                "runs": [j.cron for j in strategy.schedule.jobs if j.backup == b.name],
                "tests": [j.cron for j in strategy.schedule.restore_tests if j.backup == b.name],
            }
        )
    points = site.plan.disaster_recovery.recovery_points
    scheduled = next((b for b in backups if b["runs"]), None)
    return {
        "backups": backups,
        "timezone": strategy.schedule.timezone,
        "retention": strategy.retention_policy,
        "points": points,
        "questions": [
            *({"kind": "rpo", "point": p} for p in points),
            *([{"kind": "backup_when", **scheduled}] if scheduled else []),
            {"kind": "retention", "retention": strategy.retention_policy},
        ],
    }


def disaster_recovery(site: Site, _env: str) -> Lesson:
    """The failover strategy, its steps against the RTO, and the scripts that run them."""
    dr = site.plan.disaster_recovery
    strategy = dr.failover_strategy
    assert strategy is not None
    scripts = {
        a.path.name: f"{OUTPUT}/{a.path}"
        for a in site.outputs(environment=strategy.secondary)
        if a.executable and a.service is None and a.family == "recovery"
    }
    total = sum(duration_seconds(p.duration) for p in dr.recovery_procedures)
    rtos = sorted(dr.recovery_points, key=lambda p: duration_seconds(p.rto))
    return {
        "strategy": strategy,
        "procedures": dr.recovery_procedures,
        "total": _minutes(total),
        "shortest_rto": rtos[0] if rtos else None,
        "failover": scripts.get("failover.sh"),
        "failback": scripts.get("failback.sh"),
        "drill": scripts.get("drill.sh"),
        "questions": [
            {"kind": "dr_takeover", "strategy": strategy},
            *(
                [
                    {
                        "kind": "dr_duration",
                        "total": _minutes(total),
                        "point": rtos[0],
                        "fits": total <= duration_seconds(rtos[0].rto),
                    }
                ]
                if rtos and dr.recovery_procedures
                else []
            ),
        ],
    }


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def alerts(site: Site, _env: str) -> Lesson:
    """Each alert by the name it fires under, its levels, and whom its critical level pages."""
    plan = site.plan
    points = {p.name: p for p in plan.health_check.monitoring_points}
    rows = []
    for t in plan.health_check.alert_thresholds.thresholds:
        point = points.get(t.monitoring_point)
        service = point.service if point else None
        level = "critical" if t.critical is not None else "warning"
        severity = incident_severity(plan, t, level)
        rows.append(
            {
                "name": alert_name(t.name),
                "threshold": t,
                "point": point,
                "service": service,
                "level": level,
                "severity": severity,
                "path": _path_for(plan, service, severity),
            }
        )
    paged = next((r for r in rows if r["path"] is not None), None)
    return {
        "alerts": rows,
        "slos": plan.monitoring.slos,
        "questions": [
            {"kind": "alert_fires", "alert": rows[0]},
            *([{"kind": "alert_pages", "alert": paged}] if paged else []),
        ],
    }


def _path_for(plan: DeploymentPlan, service: str | None, severity: str | None) -> Any:
    return next(
        (
            p
            for p in plan.operations.escalation_paths
            if service in p.services and severity in p.severities
        ),
        None,
    )


def escalation(site: Site, _env: str) -> Lesson:
    """Escalation paths level by level, with the receivers they page through."""
    plan = site.plan
    system = plan.monitoring.alerting_system
    receivers = {r.name: r for r in system.receivers} if system else {}
    response = plan.operations.incident_response
    levels = response.severity_levels if response else []
    first = plan.operations.escalation_paths[0]
    return {
        "paths": plan.operations.escalation_paths,
        "receivers": receivers,
        "severities": levels,
        "teams": site.teams,
        "questions": [
            {
                "kind": "escalation_order",
                "path": first,
                "service": first.services[0],
                "severity": first.severities[0],
                "receivers": receivers,
            },
            *([{"kind": "severity_response", "level": levels[0]}] if levels else []),
        ],
    }


def incident_roles(site: Site, _env: str) -> Lesson:
    """The incident roles and their duties, severities and how people are kept informed."""
    response = site.plan.operations.incident_response
    assert response is not None
    return {
        "roles": response.roles,
        "severities": response.severity_levels,
        "communication": response.communication,
        "questions": [
            *({"kind": "role_duty", "role": r} for r in response.roles[:2]),
            {"kind": "communication", "communication": response.communication},
        ],
    }


def secrets(site: Site, env: str) -> Lesson:
    """The secret provider, each secret's location in the practice environment, rotation."""
    management = site.plan.configuration_management.secrets_management
    assert management is not None
    rows = [
        {
            "secret": s,
            "provider": (s.provider or management.provider).value,
            "location": secret_location(s, env),
        }
        for s in management.secrets
    ]
    service = _first_service(site, env)
    rotated = next((r for r, s in zip(rows, management.secrets, strict=True) if s.rotation), None)
    return {
        "management": management,
        "rows": rows,
        "environment": env,
        "commands": [script(service, env, "preflight.sh")] if service else [],
        "service": service,
        "questions": [
            {"kind": "secret_provider", "management": management},
            *([{"kind": "secret_rotation", **rotated}] if rotated else []),
        ],
    }


def observability(site: Site, env: str) -> Lesson:
    """The monitoring tools, what is measured per service, and the SLOs."""
    plan = site.plan
    service = _first_service(site, env)
    slos = plan.monitoring.slos
    points = plan.health_check.monitoring_points
    return {
        "tools": plan.monitoring.monitoring_tools,
        "collection": plan.monitoring.metrics_collection,
        "points": points,
        "slos": slos,
        "environment": env,
        "service": service,
        "commands": [
            script(service, env, "healthcheck.sh"),
            f"{script(service, env, 'healthcheck.sh')} --dry-run",
        ]
        if service
        else [],
        "questions": [
            {"kind": "monitoring_tools", "tools": plan.monitoring.monitoring_tools},
            *(
                [{"kind": "slo_objective", "slo": slos[0]}]
                if slos
                else [{"kind": "point_expression", "point": points[0]}]
                if points
                else []
            ),
        ],
    }


def maintenance_windows(site: Site, _env: str) -> Lesson:
    """Planned maintenance: when each window opens, for how long, where, with what impact."""
    procedures = site.plan.operations.maintenance_procedures
    return {
        "procedures": procedures,
        "timezone": site.plan.project.timezone,
        "questions": [{"kind": "maintenance_when", "procedure": procedures[0]}],
    }


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

"""Lessons on running the service: secrets, observability, maintenance windows."""

from __future__ import annotations

from generator.targets.docs.commands import script, secret_location
from generator.targets.docs.lessons.common import Lesson, first_service
from generator.targets.docs.site import Site


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
    service = first_service(site, env)
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
    service = first_service(site, env)
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

"""Lessons on incidents: alerts and their thresholds, escalation paths, incident roles."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.targets.docs.lessons.common import Lesson
from generator.targets.docs.site import Site
from generator.targets.monitoring.alert_rules import alert_name, incident_severity


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

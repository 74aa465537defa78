"""Seed §8.2 and §9.2: maintenance guides and calendar, emergencies, incidents, escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.locale import N_
from generator.spec.model.operations import EscalationPath, MaintenanceProcedure
from generator.spec.model.types import duration_seconds
from generator.targets.docs.actions import shown_steps
from generator.targets.docs.commands import script
from generator.targets.docs.provenance import provenance
from generator.targets.docs.schedule import Occurrence, occurrences, zone
from generator.targets.docs.site import ESCALATION, RESPONSE, Page, Site
from generator.targets.monitoring.paging import policies

MAINTENANCE = N_("Maintenance")
INCIDENTS = N_("Incidents and emergencies")
EMERGENCIES = N_("Emergency procedures")


def pages(site: Site) -> list[Page]:
    """Maintenance, calendar, incident response, escalation and emergency pages."""
    ops = site.plan.operations
    found = []
    if ops.maintenance_procedures:
        found.append(
            site.page(
                "maintain/calendar.md",
                "calendar.md.j2",
                (MAINTENANCE,),
                **calendar(site),
                provenance=provenance(
                    site,
                    [p.owner for p in ops.maintenance_procedures],
                    ("operations", "maintenance_procedures"),
                    *((("operations", "calendar"),) if ops.calendar else ()),
                ),
            )
        )
    found += [
        site.page(
            f"maintain/{p.name}.md",
            "maintenance.md.j2",
            (MAINTENANCE,),
            **maintenance(site, p),
            provenance=provenance(
                site,
                [p.owner],
                ("operations", "maintenance_procedures", n),
                *_guides_of(site, p.name),
            ),
        )
        for n, p in enumerate(ops.maintenance_procedures)
    ]
    if site.writes(RESPONSE):
        found.append(
            site.page(
                RESPONSE,
                "incident-response.md.j2",
                (INCIDENTS,),
                **incidents(site),
                provenance=provenance(
                    site,
                    [],
                    ("operations", "incident_response"),
                    ("operational_documentation", "emergency_procedures"),
                ),
            )
        )
    if site.writes(ESCALATION):
        found.append(
            site.page(
                ESCALATION,
                "escalation.md.j2",
                (INCIDENTS,),
                **escalation(site),
                provenance=provenance(
                    site,
                    [level.notify for p in ops.escalation_paths for level in p.levels[:1]],
                    ("operations", "escalation_paths"),
                ),
            )
        )
    found += [
        site.page(
            f"incidents/emergency/{p.name}.md",
            "emergency.md.j2",
            (INCIDENTS, EMERGENCIES),
            procedure=p,
            steps=shown_steps(site.plan, p.steps),
            level=_severity(site, p.severity),
            contacts=[site.teams[t] for t in p.contacts if t in site.teams],
            provenance=provenance(
                site, p.contacts, ("operational_documentation", "emergency_procedures", n)
            ),
        )
        for n, p in enumerate(site.plan.operational_documentation.emergency_procedures)
    ]
    return found


def _guides_of(site: Site, procedure: str) -> list[tuple[str | int, ...]]:
    guides = site.plan.operational_documentation.maintenance_guides
    return [
        ("operational_documentation", "maintenance_guides", n)
        for n, g in enumerate(guides)
        if g.procedure == procedure
    ]


def maintenance(site: Site, procedure: MaintenanceProcedure) -> dict[str, Any]:
    """The procedure, the guides written for it, and its next windows."""
    guides = [
        g
        for g in site.plan.operational_documentation.maintenance_guides
        if g.procedure == procedure.name
    ]
    return {
        "procedure": procedure,
        "steps": shown_steps(site.plan, procedure.steps),
        "precautions": shown_steps(site.plan, [p for g in guides for p in g.precautions]),
        "checks": shown_steps(site.plan, [v for g in guides for v in g.verification]),
        "guides": guides,
        "owner": site.teams.get(procedure.owner),
        "timezone": site.plan.project.timezone,
        "next": _windows(site, procedure)[:5],
        "services": site.services_named(procedure.services),
    }


def _windows(site: Site, procedure: MaintenanceProcedure) -> list[Occurrence]:
    period = site.plan.operations.calendar
    if period is None:
        return []
    return occurrences(
        procedure.window.cron,
        site.plan.project.timezone,
        period.start,
        period.weeks * 7,
        procedure.window.duration,
    )


def calendar(site: Site) -> dict[str, Any]:
    """Every window of every procedure in the calendar's period, in time order."""
    period = site.plan.operations.calendar
    windows = sorted(
        (
            (run, p)
            for p in site.plan.operations.maintenance_procedures
            for run in _windows(site, p)
        ),
        key=lambda pair: (pair[0].start, pair[1].name),
    )
    entries = [
        {"run": run, "procedure": p, "freezes": _freezes(site, p, run)} for run, p in windows
    ]
    return {
        "period": period,
        "last_day": period.start + dt.timedelta(days=period.weeks * 7 - 1) if period else None,
        "timezone": site.plan.project.timezone,
        "entries": entries,
        "procedures": site.plan.operations.maintenance_procedures,
        "freezes": (
            site.plan.version_management.release_policy.freeze_windows
            if site.plan.version_management
            else []
        ),
    }


def _freezes(site: Site, procedure: MaintenanceProcedure, run: Occurrence) -> list[str]:
    """Freeze windows that overlap a maintenance window in one of its environments."""
    if site.plan.version_management is None:
        return []
    tz = zone(site.plan.project.timezone)
    start, end = run.start.astimezone(tz), run.end.astimezone(tz)
    return [
        f.name
        for f in site.plan.version_management.release_policy.freeze_windows
        if set(f.environments) & set(procedure.environments) and f.start < end and start < f.end
    ]


def incidents(site: Site) -> dict[str, Any]:
    """Severity levels, roles, communication, and the emergency procedures per level."""
    response = site.plan.operations.incident_response
    return {
        "response": response,
        "emergencies": site.plan.operational_documentation.emergency_procedures,
        "recovery": site.plan.disaster_recovery,
        "rto_total": _total(site),
        "lessons": site.plan.knowledge_transfer.lessons_learned,
        "first_response": first_response(site),
    }


def first_response(site: Site) -> list[dict[str, Any]]:
    """Per service, in its production environment (else its first): the owning team and
    the commands that check it, list its releases and return it to the previous one."""
    found = []
    for service in site.services_named([s.name for s in site.plan.services]):
        targets = list(service.targets)
        production = [
            e for e in targets if site.plan.environments[e].environment_type.value == "production"
        ]
        env = (production or targets)[0]
        found.append(
            {
                "service": service,
                "owner": site.teams.get(service.owner),
                "environment": env,
                "engine": service.targets[env].engine.value,
                "commands": [
                    script(service.name, env, "healthcheck.sh"),
                    f"{script(service.name, env, 'rollback.sh')} --list",
                    script(service.name, env, "rollback.sh"),
                ],
            }
        )
    return found


def _total(site: Site) -> str:
    seconds = sum(
        duration_seconds(p.duration) for p in site.plan.disaster_recovery.recovery_procedures
    )
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _severity(site: Site, name: str) -> Any:
    response = site.plan.operations.incident_response
    levels = response.severity_levels if response else []
    return next((level for level in levels if level.name == name), None)


#: How the paging services write their own names.
PAGER_NAMES = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie"}


def escalation(site: Site) -> dict[str, Any]:
    """The escalation matrix: service × severity → who is paged when, and through what."""
    ops = site.plan.operations
    receivers = {
        r.name: r
        for r in (
            site.plan.monitoring.alerting_system.receivers
            if site.plan.monitoring.alerting_system
            else []
        )
    }
    severities = (
        [level.name for level in ops.incident_response.severity_levels]
        if (ops.incident_response)
        else sorted({s for p in ops.escalation_paths for s in p.severities})
    )
    return {
        "paths": ops.escalation_paths,
        "severities": severities,
        "matrix": [
            {
                "service": s,
                "cells": [_path_for(ops.escalation_paths, s.name, sev) for sev in severities],
            }
            for s in (site.plan.service(n) for n in site.service_order)
        ],
        "receivers": receivers,
        "teams": site.teams,
        "team_rows": [
            {
                "team": team,
                "services": [s.name for s in site.plan.services if s.owner == team.name],
                "paths": [
                    p.name
                    for p in ops.escalation_paths
                    if any(lv.notify == team.name for lv in p.levels)
                ],
            }
            for team in site.plan.project.teams
        ],
        # paths whose pages the paging service escalates: provider and policy name
        "pagers": {
            p.path: {"provider": p.provider, "label": PAGER_NAMES[p.provider], "name": p.name}
            for p in policies(site.plan)
        },
    }


def _path_for(paths: list[EscalationPath], service: str, severity: str) -> EscalationPath | None:
    return next((p for p in paths if service in p.services and severity in p.severities), None)

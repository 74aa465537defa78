"""Seed §9.1 and the runbooks of §9.2: installation, configuration, troubleshooting and
operation manuals, each built from the guide in the spec plus what the plan implies."""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.spec.model import Service
from generator.spec.model.manuals import (
    ConfigurationGuide,
    InstallationGuide,
    OperationManual,
    TroubleshootingGuide,
)
from generator.targets.docs.actions import production_first, shown_steps
from generator.targets.docs.commands import (
    deploy_commands,
    script,
    secret_location,
    tools_for,
    version_example,
)
from generator.targets.docs.provenance import Provenance, provenance
from generator.targets.docs.site import Page, Site
from generator.targets.monitoring.alert_rules import alert_name

INSTALLATION = N_("Installation")
CONFIGURATION = N_("Configuration")
TROUBLESHOOTING = N_("Troubleshooting")
OPERATIONS = N_("Operations")


def pages(site: Site) -> list[Page]:
    """One page per guide and manual of ``documentation`` and ``operation_manuals``."""
    docs = site.plan.documentation
    ops = site.plan.operational_documentation
    return [
        *(
            site.page(
                f"install/{g.name}.md",
                "install.md.j2",
                (INSTALLATION,),
                **install(site, g),
                provenance=_owned(site, g.services, "documentation", "installation_guides", n),
            )
            for n, g in enumerate(docs.installation_guides)
        ),
        *(
            site.page(
                f"configure/{g.name}.md",
                "configure.md.j2",
                (CONFIGURATION,),
                **configure(site, g),
                provenance=_owned(site, g.services, "documentation", "configuration_guides", n),
            )
            for n, g in enumerate(docs.configuration_guides)
        ),
        *(
            site.page(
                f"operate/{m.name}.md",
                "operate.md.j2",
                (OPERATIONS,),
                **operate(site, m),
                provenance=_owned(
                    site, [m.service], "operational_documentation", "operation_manuals", n
                ),
            )
            for n, m in enumerate(ops.operation_manuals)
        ),
        *(
            site.page(
                f"troubleshoot/{g.name}.md",
                "troubleshoot.md.j2",
                (TROUBLESHOOTING,),
                **troubleshoot(site, g),
                provenance=_owned(site, g.services, "documentation", "troubleshooting_guides", n),
            )
            for n, g in enumerate(docs.troubleshooting_guides)
        ),
    ]


def _owned(site: Site, services: list[str], *path: str | int) -> Provenance:
    """A guide is owned by the teams owning its services; it comes from its own lines and
    those of the services it covers."""
    covered = site.services_named(services)
    return provenance(
        site,
        [s.owner for s in covered],
        path,
        *(("services", site.plan.services.index(s)) for s in covered),
    )


def install(site: Site, guide: InstallationGuide) -> dict[str, Any]:
    """Prerequisites from the plan, then the exact commands per environment."""
    services = site.services_named(guide.services)
    plan = site.plan
    secrets = plan.configuration_management.secrets_management
    return {
        "guide": guide,
        "services": services,
        "tools": tools_for(plan, services, guide.environments),
        "secrets": [
            s for s in (secrets.secrets if secrets else []) if set(s.services) & set(guide.services)
        ],
        "secrets_provider": secrets,
        "environments": [
            {
                "name": env,
                "env": plan.environments[env],
                "steps": deploy_commands(services, env),
                "approvals": [
                    a
                    for a in plan.version_management.release_policy.approvals
                    if a.environment == env
                ]
                if plan.version_management
                else [],
                "freezes": [
                    f
                    for f in plan.version_management.release_policy.freeze_windows
                    if env in f.environments
                ]
                if plan.version_management
                else [],
                "deploy_all": script(None, env, "deploy-all.sh"),
            }
            for env in guide.environments
        ],
        "version": version_example(plan),
        "scenarios": [
            s
            for s in plan.deployment_testing.test_scenarios
            if set(s.services) & set(guide.services)
        ],
    }


def configure(site: Site, guide: ConfigurationGuide) -> dict[str, Any]:
    """Per service: config files per environment, variables and secret references."""
    plan = site.plan
    management = plan.configuration_management
    environments = list(plan.environments)
    secrets = (
        {s.name: s for s in management.secrets_management.secrets}
        if (management.secrets_management)
        else {}
    )
    return {
        "guide": guide,
        "environments": environments,
        "provider": management.secrets_management,
        "services": [
            _service_configuration(site, service, environments, secrets)
            for service in site.services_named(guide.services)
        ],
    }


def _service_configuration(
    site: Site, service: Service, environments: list[str], secrets: dict[str, Any]
) -> dict[str, Any]:
    management = site.plan.configuration_management
    envs = [e for e in environments if e in service.targets]
    files = []
    for f in management.config_files:
        if f.service != service.name:
            continue
        keys = sorted({*f.values, *(k for o in f.overrides.values() for k in o)})
        files.append(
            {
                "file": f,
                "rows": [
                    (
                        key,
                        [_value(f.overrides.get(e, {}).get(key, f.values.get(key))) for e in envs],
                    )
                    for key in keys
                ],
                "outputs": [f"output/services/{service.name}/config/{e}/{f.path}" for e in envs],
            }
        )
    variables = []
    for v in management.environment_variables:
        if v.services and service.name not in v.services:
            continue
        secret = secrets.get(v.secret) if v.secret else None
        variables.append(
            {
                "variable": v,
                "cells": [
                    secret_location(secret, e) if secret else _value(v.overrides.get(e, v.value))
                    for e in envs
                ],
                "secret": secret,
            }
        )
    return {"service": service, "environments": envs, "files": files, "variables": variables}


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def troubleshoot(site: Site, guide: TroubleshootingGuide) -> dict[str, Any]:
    """The guide's entries, then one entry per alert on the guide's services."""
    health = site.plan.health_check
    points = {m.name: m for m in health.monitoring_points}
    alerts = [
        {"alert": a, "point": points[a.monitoring_point]}
        for a in health.alert_thresholds.thresholds
        if a.monitoring_point in points and points[a.monitoring_point].service in guide.services
    ]
    return {
        "guide": guide,
        "entries": [
            {"entry": e, "check": check, "fix": fix}
            for e in guide.entries
            for check, fix in [shown_steps(site.plan, [e.check, e.fix])]
        ],
        "alerts": alerts,
        "services": site.services_named(guide.services),
        "runbooks": {
            a.name: alert_name(a.name).lower() for a in health.alert_thresholds.thresholds
        },
    }


def operate(site: Site, manual: OperationManual) -> dict[str, Any]:
    """The manual's tasks, plus the routine commands, signals and windows of the service."""
    plan = site.plan
    name = manual.service
    points = [m for m in plan.health_check.monitoring_points if m.service == name]
    point_names = {m.name for m in points}
    return {
        "manual": manual,
        "tasks": [{"task": t, "steps": shown_steps(plan, t.steps)} for t in manual.tasks],
        "service": plan.service(name),
        "routine": [
            {
                "environment": env,
                "env": plan.environments[env],
                "health": script(name, env, "healthcheck.sh"),
                "verify": script(name, env, "verify.sh"),
                "rollback": script(name, env, "rollback.sh"),
            }
            for env in production_first(plan, manual.environments)
        ],
        "indicators": [h for h in plan.health_check.health_indicators if h.service == name],
        "points": points,
        "alerts": [
            a
            for a in plan.health_check.alert_thresholds.thresholds
            if a.monitoring_point in point_names
        ],
        "maintenance": [m for m in plan.operations.maintenance_procedures if name in m.services],
        "dashboards": [t for t in plan.monitoring.monitoring_tools if t.url],
    }

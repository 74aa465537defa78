"""Overview pages: home, one page per service, the deployment flow, dependency order."""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.spec.model import Service
from generator.spec.model.project import Engine
from generator.targets.docs.providers import provider_of
from generator.targets.docs.site import Page, Site
from generator.targets.monitoring.slo import error_budgets

OVERVIEW = N_("Overview")
SERVICES = N_("Services")


def pages(site: Site) -> list[Page]:
    """The home page, the overview section and the service pages."""
    return [
        site.page("index.md", "home.md.j2", (), **home(site)),
        site.page(
            "overview/deployment-flow.md", "flow.md.j2", (OVERVIEW,), flow=site.plan.deployment_flow
        ),
        site.page(
            "overview/dependencies.md",
            "dependencies.md.j2",
            (OVERVIEW,),
            order=site.service_order,
            dependencies=_dependencies(site),
            services=site.services_named(site.service_order),
        ),
        *(
            site.page(
                f"overview/services/{service.name}.md",
                "service.md.j2",
                (OVERVIEW, SERVICES),
                **service_page(site, service),
            )
            for service in site.services_named(site.service_order)
        ),
    ]


def home(site: Site) -> dict[str, Any]:
    """The system at a glance: services, environments, people and where to read on."""
    plan = site.plan
    operational = plan.operational_documentation
    return {
        "services": site.services_named(site.service_order),
        "environments": plan.environments,
        "owner": site.teams[plan.project.owner],
        "teams": plan.project.teams,
        "stages": plan.deployment_flow.stages if plan.deployment_flow else [],
        "recovery_points": plan.disaster_recovery.recovery_points,
        "installation_guides": plan.documentation.installation_guides,
        "emergency_procedures": operational.emergency_procedures,
        "training_modules": plan.training.training_modules,
        "incident_response": plan.operations.incident_response,
        "knowledge_base": bool(plan.knowledge_transfer.knowledge_base.articles),
    }


def _dependencies(site: Site) -> list[dict[str, Any]]:
    flow = site.plan.deployment_flow
    return [d.model_dump() for d in flow.dependencies] if flow else []


def service_page(site: Site, service: Service) -> dict[str, Any]:
    """Everything the spec says about one service, gathered from every section."""
    plan = site.plan
    name = service.name
    flow = plan.deployment_flow
    return {
        "service": service,
        "owner": site.teams[service.owner],
        "targets": service.targets,
        "managed": _managed(service),
        "allocations": {
            env: e.infrastructure.compute_resources.allocations.get(name)
            for env, e in plan.environments.items()
        },
        "requires": [d for d in flow.dependencies if d.service == name] if flow else [],
        "required_by": [d.service for d in flow.dependencies if d.requires == name] if flow else [],
        "variables": [
            v
            for v in plan.configuration_management.environment_variables
            if not v.services or name in v.services
        ],
        "config_files": [
            f for f in plan.configuration_management.config_files if f.service == name
        ],
        "health": [h for h in plan.health_check.health_indicators if h.service == name],
        "monitoring": [m for m in plan.health_check.monitoring_points if m.service == name],
        "slos": error_budgets(plan, name),
        "backups": [b for b in plan.backup_strategy.backup_types if b.service == name],
        "recovery_points": [r for r in plan.disaster_recovery.recovery_points if r.service == name],
        "maintenance": [m for m in plan.operations.maintenance_procedures if name in m.services],
        "escalation": [p for p in plan.operations.escalation_paths if name in p.services],
        "manuals": _manuals_of(site, name),
        "files": sorted(str(a.path) for a in site.outputs(service=name)),
    }


def _managed(service: Service) -> list[dict[str, Any]]:
    """The environments where the provider runs ``service``, with its console and CLI."""
    return [
        {"environment": env, "product": target.managed_service or "", "provider": provider}
        for env, target in service.targets.items()
        if target.engine is Engine.MANAGED
        for provider in (provider_of(target.managed_service or ""),)
    ]


def _manuals_of(site: Site, name: str) -> list[tuple[str, str]]:
    """(title, page path) of every guide and manual that covers the service."""
    docs = site.plan.documentation
    ops = site.plan.operational_documentation
    found: list[tuple[str, str]] = []
    found += [
        (g.title, f"install/{g.name}.md") for g in docs.installation_guides if name in g.services
    ]
    found += [
        (g.title, f"configure/{g.name}.md") for g in docs.configuration_guides if name in g.services
    ]
    found += [
        (g.title, f"troubleshoot/{g.name}.md")
        for g in docs.troubleshooting_guides
        if name in g.services
    ]
    found += [(m.title, f"operate/{m.name}.md") for m in ops.operation_manuals if m.service == name]
    return found

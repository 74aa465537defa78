"""A runbook page per alert, where the alert's ``runbook_url`` lands.

The page opens with the command that mitigates in production (the service's rollback), on
screen without a click; then what fired and whom it hurts, the queries and dashboards, the
diagnosis commands per environment with what healthy output looks like, every mitigation
with its effect and check, escalation, and the guides and past incidents of the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from generator.locale import N_
from generator.locale.message import Code, Message
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.manuals import EmergencyProcedure
from generator.spec.model.project import Engine
from generator.spec.model.testing import AlertThreshold, MonitoringPoint
from generator.targets.deploy.engines import namespace, replicas
from generator.targets.docs import actions
from generator.targets.docs.operations import INCIDENTS, PAGER_NAMES
from generator.targets.docs.provenance import provenance
from generator.targets.docs.site import Page, Site
from generator.targets.monitoring import slo
from generator.targets.monitoring.alert_rules import (
    RUNBOOKS,
    Alert,
    alert_name,
    probe_alerts,
    rules_of,
    threshold_alerts,
)
from generator.targets.monitoring.paging import policies

RUNBOOK_SECTION = (INCIDENTS, N_("Alert runbooks"))
_ENGINE_SCALES = (Engine.KUBERNETES, Engine.HELM)


@dataclass(frozen=True)
class Level:
    """One level of an alert: warning or critical, its incident severity and condition."""

    level: str
    severity: str | None
    condition: Message
    expr: str


def pages(site: Site) -> list[Page]:
    """One runbook per alert name, in the order of the alerts page."""
    return [
        site.page(
            f"{RUNBOOKS}/{name.lower()}.md",
            "runbook.md.j2",
            RUNBOOK_SECTION,
            **context,
            provenance=provenance(
                site,
                [context["service"].owner],
                context["source"],
                ("services", site.plan.services.index(context["service"])),
            ),
        )
        for name, context in alerts(site).items()
    ]


def alerts(site: Site) -> dict[str, dict[str, Any]]:
    """Alert name -> what its runbook shows."""
    prometheus = _graphs(site.plan)
    found = {}
    for name, described in describe(site.plan).items():
        entry = _start(site, name, described["service"])
        entry.update(
            levels=described["levels"], summary=described["summary"], source=described["source"]
        )
        entry["graph_links"] = [
            (level.level, graph_link(prometheus, level.expr))
            for level in described["levels"]
            if prometheus
        ]
        found[name] = entry
    return found


def describe(plan: DeploymentPlan) -> dict[str, dict[str, Any]]:
    """Alert name -> its service, summary and levels, as translatable messages (the rules'
    annotations are English: Prometheus sends them)."""
    found: dict[str, dict[str, Any]] = {}
    health = plan.health_check
    thresholds = {alert_name(t.name): t for t in health.alert_thresholds.thresholds}
    tests = threshold_alerts(plan, None) + probe_alerts(plan, None)
    for alert in rules_of(tests):
        service = alert.labels["service"]
        entry = found.setdefault(
            alert.name, {"service": service, "levels": [], "source": _source(plan, alert)}
        )
        threshold = thresholds.get(alert.name)
        if threshold is not None:
            entry["levels"].append(_threshold_level(plan, alert, threshold))
            entry["summary"] = threshold.summary or _threshold_summary(plan, threshold)
        else:
            entry["levels"].append(_probe_level(alert))
            entry["summary"] = Message(
                "%(service)s fails its %(indicator)s health check: the probe has failed for "
                "%(duration)s.",
                service=Code(service),
                indicator=Code(alert.labels["indicator"]),
                duration=alert.for_,
            )
    for rule in slo.alerting_rules(plan):
        labels = rule["labels"]
        index = next(i for i, o in enumerate(plan.monitoring.slos) if o.name == labels["slo"])
        entry = found.setdefault(
            rule["alert"],
            {"service": labels["service"], "levels": [], "source": ("monitoring", "slos", index)},
        )
        entry["levels"].append(_slo_level(plan, rule))
        entry["summary"] = _slo_summary(plan, labels["slo"])
    return found


def _source(plan: DeploymentPlan, alert: Alert) -> tuple[str | int, ...]:
    """Where the spec declares an alert: its threshold, or the health indicator probed."""
    health = plan.health_check
    if "indicator" in alert.labels:
        names = [h.name for h in health.health_indicators]
        return ("health_check", "health_indicators", names.index(alert.labels["indicator"]))
    names = [alert_name(t.name) for t in health.alert_thresholds.thresholds]
    return ("health_check", "alert_thresholds", "thresholds", names.index(alert.name))


def _point(plan: DeploymentPlan, threshold: AlertThreshold) -> MonitoringPoint:
    return next(
        p for p in plan.health_check.monitoring_points if p.name == threshold.monitoring_point
    )


def _threshold_summary(plan: DeploymentPlan, threshold: AlertThreshold) -> Message:
    point = _point(plan, threshold)
    return Message(
        "%(point)s of %(service)s is past its level: %(description)s",
        point=Code(point.name),
        service=Code(point.service),
        description=point.description or point.name,
    )


def _threshold_level(plan: DeploymentPlan, alert: Alert, threshold: AlertThreshold) -> Level:
    point = _point(plan, threshold)
    level = "{:g} {}".format(getattr(threshold, alert.level), point.unit or "").strip()
    condition = Message(
        "%(point)s %(operator)s %(value)s for %(duration)s",
        point=Code(point.name),
        operator=threshold.operator,
        value=level,
        duration=threshold.for_,
    )
    return Level(alert.level, alert.labels.get("incident_severity"), condition, alert.expr)


def _probe_level(alert: Alert) -> Level:
    condition = Message(
        "the probe %(indicator)s fails for %(duration)s",
        indicator=Code(alert.labels["indicator"]),
        duration=alert.for_,
    )
    return Level(alert.level, alert.labels.get("incident_severity"), condition, alert.expr)


def _slo_level(plan: DeploymentPlan, rule: dict[str, Any]) -> Level:
    severity = rule["labels"]["severity"]
    budgets = {b["slo"].name: b for b in slo.error_budgets(plan, rule["labels"]["service"])}
    found = budgets[rule["labels"]["slo"]]
    condition = Message(
        "the error budget burns at %(conditions)s (burn rate over the long/short window)",
        conditions=found["page"] if severity == "critical" else found["ticket"],
    )
    return Level(severity, rule["labels"].get("incident_severity"), condition, rule["expr"].strip())


def _slo_summary(plan: DeploymentPlan, name: str) -> Message:
    objective = next(s for s in plan.monitoring.slos if s.name == name)
    percent = f"{objective.objective:g}"
    return Message(
        "%(service)s is spending the error budget of %(slo)s (%(objective)s%% over "
        "%(window)s) faster than it allows.",
        service=Code(objective.service),
        slo=Code(name),
        objective=percent,
        window=objective.window,
    )


def _start(site: Site, name: str, service_name: str) -> dict[str, Any]:
    plan = site.plan
    service = plan.service(service_name)
    environments = ordered_environments(plan, service)
    act = environments[0]
    return {
        "name": name,
        "anchor": name.lower(),
        "service": service,
        "owner": site.teams.get(service.owner),
        "users": _users(service),
        "slos": slo.error_budgets(plan, service.name),
        "act": actions.rollback(plan, service.name, act),
        "act_environment": act,
        "dashboards": [t for t in plan.monitoring.monitoring_tools if t.url],
        "environments": [_environment(plan, service, env) for env in environments],
        "failovers": _failovers(plan, service, act),
        "escalation": _escalation(site, service.name),
        "response": plan.operations.incident_response,
        "related": _related(site, service.name),
    }


def ordered_environments(plan: DeploymentPlan, service: Service) -> list[str]:
    """The service's environments, production first, development last."""
    return actions.production_first(plan, list(service.targets))


def _users(service: Service) -> Message:
    by_exposure = {
        "public": N_("Everyone using %(service)s from the internet: %(description)s"),
        "internal": N_("The services that call %(service)s, and their users: %(description)s"),
        "private": N_("The services that keep data in %(service)s: %(description)s"),
    }
    return Message(
        by_exposure[service.exposure], service=Code(service.name), description=service.description
    )


def _graphs(plan: DeploymentPlan) -> str | None:
    """The Prometheus the spec declares for metrics, where graph links point: only a plain
    base URL, since a path is added to it (a query or fragment would end up before it)."""
    tool = next(
        (t for t in plan.monitoring.monitoring_tools if t.kind == "metrics" and t.url), None
    )
    if tool is None or tool.url is None:
        return None
    parts = urlsplit(tool.url)
    return None if parts.query or parts.fragment else tool.url.rstrip("/")


def graph_link(prometheus: str, expr: str) -> str:
    """A Prometheus graph of ``expr`` over the last hour."""
    return f"{prometheus}/graph?g0.expr={quote(expr, safe='')}&g0.tab=0&g0.range_input=1h"


def _environment(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    target = service.targets[env]
    environment = plan.environments[env]
    count = replicas(plan, service.name, env)
    scale = (
        actions.scale(plan, service.name, env, max(count * 2, 2))
        if target.engine in _ENGINE_SCALES
        else None
    )
    return {
        "name": env,
        "type": environment.environment_type.value,
        "engine": target.engine.value,
        "kube_context": environment.configuration.kube_context,
        "namespace": namespace(plan, target, env) if target.engine in _ENGINE_SCALES else None,
        "hosts": list(target.hosts),
        "diagnosis": actions.diagnosis(plan, service, env),
        "rollback": actions.rollback(plan, service.name, env),
        "scale": scale,
        "replicas": count,
    }


def _failovers(plan: DeploymentPlan, service: Service, act: str) -> list[actions.Action]:
    """Failover to each disaster-recovery environment, when the alert's service runs in
    the environment it takes over from."""
    recovery = plan.disaster_recovery.failover_strategy
    dr = plan.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
    if not actions.failover_planned(plan) or (recovery is not None and recovery.primary != act):
        return []
    return [actions.failover(plan, env) for env in dr if env in service.targets]


def _escalation(site: Site, service: str) -> list[dict[str, Any]]:
    pagers = {p.path: p for p in policies(site.plan)}
    found = []
    for path in site.plan.operations.escalation_paths:
        if service not in path.services:
            continue
        pager = pagers.get(path.name)
        found.append(
            {
                "path": path,
                "pager": {"label": PAGER_NAMES[pager.provider], "name": pager.name}
                if pager
                else None,
                "levels": [
                    {"level": level, "team": site.teams.get(level.notify)} for level in path.levels
                ],
            }
        )
    return found


def _related(site: Site, service: str) -> dict[str, Any]:
    plan = site.plan
    docs = plan.documentation
    ops = plan.operational_documentation
    return {
        "troubleshooting": [g for g in docs.troubleshooting_guides if service in g.services],
        "manuals": [m for m in ops.operation_manuals if m.service == service],
        "emergencies": [p for p in ops.emergency_procedures if _concerns(p, service)],
        "lessons": [
            (index, lesson)
            for index, lesson in enumerate(plan.knowledge_transfer.lessons_learned, start=1)
            if service in lesson.services
        ],
    }


def _concerns(procedure: EmergencyProcedure, service: str) -> bool:
    """Whether an emergency procedure acts on ``service`` or names it."""
    for step in procedure.steps:
        if service in (step if isinstance(step, str) else step.model_dump().values()):
            return True
    return service in procedure.trigger

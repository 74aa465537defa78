"""The ``monitoring`` family: setup_monitoring, collect_metrics and monitor_metrics.

Per environment, ``output/monitoring/<env>/`` holds the Prometheus configuration (scrape
targets per service and engine, blackbox probes for the health indicators), the recording
and alerting rules with their promtool unit tests, the blackbox exporter modules, the
Alertmanager configuration and the script that writes its receivers' credential files;
with SLOs, their burn-rate recording and alerting rules and unit tests. Where escalation
paths page, ``output/monitoring/configure-pagerduty.sh`` or ``configure-opsgenie.sh`` keeps
the paging service's schedules and escalation policies as the plan says.
``site_docs/operations/alerts.md`` lists every alert and links its runbook, the page of
``site_docs/operations/alerts/`` that the rules' ``runbook_url`` points at.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import Operator
from generator.targets.configuration.secrets import locate, secrets_by_name
from generator.targets.context import PlanContext
from generator.targets.docs.provenance import provenance
from generator.targets.docs.runbooks import describe
from generator.targets.monitoring import opsgenie, pagerduty, prometheus_operator, slo
from generator.targets.monitoring.alert_routes import alertmanager_config, secret_file
from generator.targets.monitoring.alert_rules import (
    ALERTS_PAGE,
    AlertTest,
    probe_alerts,
    recording_rules,
    rules_of,
    threshold_alerts,
    unit_tests,
)
from generator.targets.monitoring.paging import policies
from generator.targets.monitoring.scrape import blackbox_modules, metrics_services, scrape_configs

FAMILY = "monitoring"
_PROVIDERS = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie"}


def plan(context: PlanContext) -> list[Artifact]:
    """Prometheus, rules, tests, probes and Alertmanager for every environment."""
    spec = context.plan
    if not _monitored(spec):
        return []
    docs_url = spec.project.docs_url
    tests = threshold_alerts(spec, docs_url) + probe_alerts(spec, docs_url)
    artifacts = []
    for environment in spec.environments:
        artifacts += _environment(spec, environment, tests)
    artifacts += _paging(spec)
    artifacts.append(_page(context, tests))
    return artifacts


def _paging(spec: DeploymentPlan) -> list[Artifact]:
    """The configure script of each paging service an escalation path pages through."""
    found = []
    for provider in (pagerduty, opsgenie):
        context = provider.context(spec)
        if context is None:
            continue
        found.append(
            Artifact(
                root=Root.OUTPUT,
                path=PurePosixPath("monitoring", provider.SCRIPT),
                template=f"monitoring/{provider.SCRIPT}.j2",
                family=FAMILY,
                context=context,
                executable=True,
            )
        )
    return found


def _monitored(spec: DeploymentPlan) -> bool:
    health = spec.health_check
    return bool(
        spec.monitoring.metrics_collection.targets
        or spec.monitoring.slos
        or health.monitoring_points
        or health.health_indicators
        or spec.monitoring.alerting_system
    )


def _environment(spec: DeploymentPlan, environment: str, tests: list[AlertTest]) -> list[Artifact]:
    here = PurePosixPath("monitoring", environment)
    thresholds = spec.health_check.alert_thresholds
    interval = thresholds.evaluation_interval
    files: dict[str, Any] = {
        "prometheus.yml": _prometheus(spec, environment),
        "recording.yml": {"groups": _group("recording", recording_rules(spec), interval)},
        "alerts.yml": {"groups": _group("alerts", [a.rule() for a in rules_of(tests)], interval)},
        "alerts.test.yml": unit_tests(tests, interval),
        "blackbox.yml": {"modules": blackbox_modules(spec)},
    }
    if spec.monitoring.slos:
        files["slo-recording.yml"] = {
            "groups": _group("slo-recording", slo.recording_rules(spec), interval)
        }
        files["slo-alerts.yml"] = {
            "groups": _group("slo-alerts", slo.alerting_rules(spec), interval)
        }
        files["slo-alerts.test.yml"] = slo.unit_tests(spec, interval)
    system = spec.monitoring.alerting_system
    if system is not None:
        files["alertmanager.yml"] = alertmanager_config(spec, system, environment)
    retention = spec.monitoring.metrics_collection.retention
    artifacts = [
        _artifact(
            here / name,
            "monitoring/config.yaml.j2",
            {"data": data, "name": name, "retention": retention},
            environment,
        )
        for name, data in files.items()
    ]
    for headless in metrics_services(spec, environment):
        path = here / "kubernetes" / f"{headless['name']}.yaml"
        service = {"headless": headless, "project": spec.project.name}
        artifacts.append(
            _artifact(path, "monitoring/metrics-service.yaml.j2", service, environment)
        )
    artifacts += _operator_resources(spec, environment, files)
    credentials = _credentials(spec, environment)
    if credentials:
        context: dict[str, Any] = {
            "environment": environment,
            "credentials": credentials,
            "providers": sorted({c["location"]["provider"] for c in credentials}),
        }
        path = here / "alertmanager-secrets.sh"
        artifacts.append(
            _artifact(path, "monitoring/alertmanager-secrets.sh.j2", context, environment, True)
        )
    return artifacts


def _operator_resources(
    spec: DeploymentPlan, environment: str, files: dict[str, Any]
) -> list[Artifact]:
    """The Prometheus Operator's resources, where the environment's cluster runs it."""
    if Operator.PROMETHEUS not in spec.environments[environment].configuration.operators:
        return []
    rule_files = ("recording.yml", "alerts.yml", "slo-recording.yml", "slo-alerts.yml")
    groups = [g for name in rule_files for g in files.get(name, {}).get("groups", [])]
    here = PurePosixPath("monitoring", environment, "kubernetes")
    return [
        _artifact(here / name, "monitoring/resource.yaml.j2", {"resource": resource}, environment)
        for name, resource in prometheus_operator.resources(spec, environment, groups).items()
    ]


def _group(kind: str, rules: list[dict[str, Any]], interval: str) -> list[dict[str, Any]]:
    if not rules:
        return []
    return [{"name": f"deployplan-{kind}", "interval": interval, "rules": rules}]


def _prometheus(spec: DeploymentPlan, environment: str) -> dict[str, Any]:
    collection = spec.monitoring.metrics_collection
    config: dict[str, Any] = {
        "global": {
            "scrape_interval": collection.scrape_interval,
            "evaluation_interval": spec.health_check.alert_thresholds.evaluation_interval,
            "external_labels": {"project": spec.project.name, "environment": environment},
        },
        "rule_files": ["recording.yml", "alerts.yml"],
    }
    if spec.monitoring.slos:
        config["rule_files"] += ["slo-recording.yml", "slo-alerts.yml"]
    if spec.monitoring.alerting_system is not None:
        config["alerting"] = {"alertmanagers": [_alertmanager(spec)]}
    config["scrape_configs"] = scrape_configs(spec, environment)
    return config


def _alertmanager(spec: DeploymentPlan) -> dict[str, Any]:
    """Where Prometheus sends alerts: the alerting tool's URL, else `alertmanager:9093`."""
    tool = next(
        (t for t in spec.monitoring.monitoring_tools if t.kind == "alerting" and t.url), None
    )
    if tool is None or tool.url is None:
        return {"static_configs": [{"targets": ["alertmanager:9093"]}]}
    url = urlsplit(tool.url)
    port = url.port or (443 if url.scheme == "https" else 80)
    return {"scheme": url.scheme, "static_configs": [{"targets": [f"{url.hostname}:{port}"]}]}


def _credentials(spec: DeploymentPlan, environment: str) -> list[dict[str, Any]]:
    """Each receiver secret once: where it is read, and the file Alertmanager reads."""
    system = spec.monitoring.alerting_system
    declared = secrets_by_name(spec)
    if system is None:
        return []
    names = sorted({r.credentials for r in system.receivers if r.credentials in declared})
    return [
        {
            "file": secret_file(name),
            "name": name,
            "location": locate(spec, declared[name], environment).as_dict(),
        }
        for name in names
    ]


def _page(context: PlanContext, tests: list[AlertTest]) -> Artifact:
    spec = context.plan
    sources: list[tuple[str | int, ...]] = [("health_check", "alert_thresholds")]
    if spec.monitoring.slos:
        sources.append(("monitoring", "slos"))
    points = {p.name: p for p in spec.health_check.monitoring_points}
    thresholds = spec.health_check.alert_thresholds.thresholds
    return Artifact(
        root=Root.DOCS,
        path=PurePosixPath(f"{ALERTS_PAGE}.md"),
        template="monitoring/alerts.md.j2",
        family=FAMILY,
        context={
            "alerts": rules_of(tests),
            "slos": [b for s in spec.services for b in slo.error_budgets(spec, s.name)],
            "slo_alerts": slo.alerting_rules(spec),
            "thresholds": {t.name: t for t in thresholds},
            "points": points,
            "escalations": _escalations(spec),
            "commands": [h for h in spec.health_check.health_indicators if h.type == "command"],
            "descriptions": describe(spec),
            "provenance": provenance(context, [], *sources),
            "language": spec.project.docs_language.value,
        },
    )


def _escalations(spec: DeploymentPlan) -> dict[str, list[dict[str, Any]]]:
    """Service -> the escalation paths covering it: the paging service that pages, and the
    levels Alertmanager notifies itself."""
    pagers = {p.path: p for p in policies(spec)}
    system = spec.monitoring.alerting_system
    types = {r.name: r.type for r in system.receivers} if system else {}
    found: dict[str, list[dict[str, Any]]] = {}
    for path in spec.operations.escalation_paths:
        pager = pagers.get(path.name)
        entry = {
            "path": path.name,
            "severities": path.severities,
            "pager": {"name": pager.name, "provider": _PROVIDERS[pager.provider]}
            if pager
            else None,
            "levels": [
                level
                for level in path.levels
                if not (pager and types.get(level.receiver) == pager.provider)
            ],
        }
        for service in path.services:
            found.setdefault(service, []).append(entry)
    return found


def _artifact(
    path: PurePosixPath,
    template: str,
    context: dict[str, Any],
    environment: str,
    executable: bool = False,
) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=path,
        template=template,
        family=FAMILY,
        context=context,
        environment=environment,
        executable=executable,
    )

"""Prometheus Operator resources of one environment, for clusters that run the operator.

The same rules as the rule files, as one ``PrometheusRule``; a ``ServiceMonitor`` per
scraped Kubernetes or Helm service, selecting its headless metrics Service; a ``Probe`` per
blackbox job. Their labels match the plain configuration's (``service``, ``job``), so the
rules and their promtool unit tests hold for both.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.targets.monitoring.scrape import metrics_services, probe_jobs

API_VERSION = "monitoring.coreos.com/v1"


def resources(
    spec: DeploymentPlan, environment: str, groups: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """File name -> resource: the PrometheusRule, then ServiceMonitors, then Probes."""
    namespace = spec.environments[environment].configuration.namespace or "default"
    found: dict[str, dict[str, Any]] = {}
    if groups:
        found["prometheusrule.yaml"] = _prometheus_rule(spec, namespace, groups)
    for headless in metrics_services(spec, environment):
        found[f"{headless['service']}-servicemonitor.yaml"] = _service_monitor(spec, headless)
    for job in probe_jobs(spec, environment):
        found[f"{job['job_name']}.yaml".replace("_", "-")] = _probe(spec, namespace, job)
    return found


def _metadata(spec: DeploymentPlan, name: str, namespace: str) -> dict[str, Any]:
    labels = {"app.kubernetes.io/part-of": spec.project.name}
    labels["app.kubernetes.io/managed-by"] = "deployplan"
    return {"name": name.replace("_", "-"), "namespace": namespace, "labels": labels}


def _prometheus_rule(
    spec: DeploymentPlan, namespace: str, groups: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": _metadata(spec, f"{spec.project.name}-rules", namespace),
        "spec": {"groups": groups},
    }


def _service_monitor(spec: DeploymentPlan, headless: dict[str, Any]) -> dict[str, Any]:
    """Scrapes each pod behind the headless Service, labelled as the plain job labels it."""
    service = headless["service"]
    target = next(t for t in spec.monitoring.metrics_collection.targets if t.service == service)
    relabelings = [
        {"action": "replace", "targetLabel": label, "replacement": service}
        for label in ("job", "service")
    ]
    endpoint = {
        "port": "metrics",
        "path": target.path,
        "interval": spec.monitoring.metrics_collection.scrape_interval,
        "relabelings": relabelings,
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "ServiceMonitor",
        "metadata": _metadata(spec, service, headless["namespace"]),
        "spec": {
            "selector": {
                "matchLabels": {
                    "app.kubernetes.io/name": service,
                    "app.kubernetes.io/component": "metrics",
                }
            },
            "namespaceSelector": {"matchNames": [headless["namespace"]]},
            "endpoints": [endpoint],
        },
    }


def _probe(spec: DeploymentPlan, namespace: str, job: dict[str, Any]) -> dict[str, Any]:
    """The blackbox job as a Probe: same module, targets, labels, interval and timeout."""
    static = job["static_configs"][0]
    return {
        "apiVersion": API_VERSION,
        "kind": "Probe",
        "metadata": _metadata(spec, job["job_name"], namespace),
        "spec": {
            "jobName": job["job_name"],
            "interval": job["scrape_interval"],
            "scrapeTimeout": job["scrape_timeout"],
            "module": job["params"]["module"][0],
            "prober": {
                "url": spec.monitoring.metrics_collection.blackbox_exporter,
                "path": "/probe",
            },
            "targets": {"staticConfig": {"static": static["targets"], "labels": static["labels"]}},
        },
    }

"""collect_metrics: what Prometheus scrapes in one environment, and the blackbox probes of
the health indicators.

Kubernetes and Helm services are found through DNS: a headless ``<service>-metrics``
Service (generated next to the configuration) resolves to every ready pod, so each pod is
scraped on its own and Prometheus needs no access to the Kubernetes API. Services on hosts
are scraped at each host; managed services have no endpoint to scrape and are left out.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine, Target
from generator.spec.model.testing import HealthIndicator
from generator.spec.model.types import duration_seconds
from generator.targets.deploy import vm

_CLUSTER = (Engine.KUBERNETES, Engine.HELM)


def scrape_configs(spec: DeploymentPlan, environment: str) -> list[dict[str, Any]]:
    """A scrape job per metrics target, then a probe job per HTTP or TCP indicator."""
    jobs = []
    for target in spec.monitoring.metrics_collection.targets:
        service = spec.service(target.service)
        deploy = service.targets.get(environment)
        if deploy is None or deploy.engine is Engine.MANAGED:
            continue
        job: dict[str, Any] = {"job_name": service.name, "metrics_path": target.path}
        if deploy.engine in _CLUSTER:
            job |= _dns_discovery(service, _namespace(spec, deploy, environment), target.port)
        else:
            hosts = deploy.hosts or ["localhost"]
            job["static_configs"] = [
                {
                    "targets": [f"{h}:{target.port}" for h in hosts],
                    "labels": {"service": service.name},
                }
            ]
        jobs.append(job)
    return jobs + probe_jobs(spec, environment)


def probe_jobs(spec: DeploymentPlan, environment: str) -> list[dict[str, Any]]:
    """A blackbox job per HTTP or TCP indicator with an endpoint in ``environment``."""
    jobs = [_probe_job(spec, i, environment) for i in spec.health_check.health_indicators]
    return [job for job in jobs if job]


def _namespace(spec: DeploymentPlan, deploy: Target, environment: str) -> str:
    return deploy.namespace or spec.environments[environment].configuration.namespace or "default"


def metrics_service(service: str) -> str:
    """The headless Service whose DNS name lists the pods of ``service``."""
    return f"{service}-metrics"


def _dns_discovery(service: Service, namespace: str, port: int) -> dict[str, Any]:
    name = f"{metrics_service(service.name)}.{namespace}.svc.cluster.local"
    return {
        "dns_sd_configs": [{"names": [name], "type": "A", "port": port}],
        "relabel_configs": [
            {"target_label": "service", "replacement": service.name},
            {"target_label": "namespace", "replacement": namespace},
        ],
    }


def metrics_services(spec: DeploymentPlan, environment: str) -> list[dict[str, Any]]:
    """The headless Services of the scraped Kubernetes and Helm services."""
    found = []
    for target in spec.monitoring.metrics_collection.targets:
        service = spec.service(target.service)
        deploy = service.targets.get(environment)
        if deploy is not None and deploy.engine in _CLUSTER:
            found.append(
                {
                    "name": metrics_service(service.name),
                    "service": service.name,
                    "namespace": _namespace(spec, deploy, environment),
                    "port": target.port,
                    "selector": _pod_labels(service, deploy),
                }
            )
    return found


def _pod_labels(service: Service, deploy: Target) -> dict[str, str]:
    """Labels the pods of ``service`` carry: a Helm chart labels them with its release
    (``app.kubernetes.io/name`` is the chart's name, shared by every release of it)."""
    if deploy.engine is Engine.HELM:
        return {"app.kubernetes.io/instance": deploy.release or service.name}
    return {"app.kubernetes.io/name": service.name}


def _probe_job(
    spec: DeploymentPlan, indicator: HealthIndicator, environment: str
) -> dict[str, Any] | None:
    """A blackbox job probing the indicator's endpoints, or None where nothing is probed."""
    service = spec.service(indicator.service)
    deploy = service.targets.get(environment)
    if indicator.type not in ("http", "tcp") or deploy is None:
        return None
    port = vm.indicator_port(indicator, service, environment)
    if not port:
        return None
    if deploy.engine is Engine.MANAGED:
        return None
    if deploy.engine in _CLUSTER:
        hosts = [f"{service.name}.{_namespace(spec, deploy, environment)}.svc.cluster.local"]
    else:
        hosts = deploy.hosts or ["localhost"]
    path = indicator.path or service.health_path or "/"
    targets = [
        f"http://{host}:{port}{path}" if indicator.type == "http" else f"{host}:{port}"
        for host in hosts
    ]
    interval = duration_seconds(indicator.interval)
    timeout = min(duration_seconds(indicator.timeout), interval)
    return {
        "job_name": f"probe-{indicator.name}",
        "metrics_path": "/probe",
        "params": {"module": [indicator.name]},
        "scrape_interval": indicator.interval,
        "scrape_timeout": f"{int(timeout * 1000)}ms",
        "static_configs": [
            {"targets": targets, "labels": {"service": service.name, "indicator": indicator.name}}
        ],
        "relabel_configs": [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {
                "target_label": "__address__",
                "replacement": spec.monitoring.metrics_collection.blackbox_exporter,
            },
        ],
    }


def blackbox_modules(spec: DeploymentPlan) -> dict[str, Any]:
    """A blackbox exporter module per HTTP or TCP indicator."""
    modules: dict[str, Any] = {}
    for indicator in spec.health_check.health_indicators:
        timeout = f"{int(duration_seconds(indicator.timeout) * 1000)}ms"
        if indicator.type == "http":
            modules[indicator.name] = {
                "prober": "http",
                "timeout": timeout,
                "http": {
                    "method": "GET",
                    "valid_status_codes": [indicator.expect_status],
                    "preferred_ip_protocol": "ip4",
                },
            }
        elif indicator.type == "tcp":
            modules[indicator.name] = {
                "prober": "tcp",
                "timeout": timeout,
                "tcp": {"preferred_ip_protocol": "ip4"},
            }
    return modules

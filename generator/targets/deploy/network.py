"""NetworkPolicies from the spec's real callers: the services that require one (by
namespace and pod labels), the ingress controller for public services, Prometheus and the
blackbox exporter on the ports they scrape and probe, and the deploy job's gates and health
checks (the runners' namespace, or a self-hosted runner in the environment's network)."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine
from generator.targets import indexes
from generator.targets.deploy.engines import namespace
from generator.targets.deploy.workload import NAME


def _namespace_peer(name: str, pods: dict[str, str] | None = None) -> dict[str, Any]:
    peer: dict[str, Any] = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}
    }
    if pods:
        peer["podSelector"] = {"matchLabels": pods}
    return peer


def _rule(peers: list[dict[str, Any]], ports: list[int]) -> dict[str, Any]:
    return {"from": peers, "ports": [{"protocol": "TCP", "port": p} for p in sorted(set(ports))]}


def monitoring_namespace(plan: DeploymentPlan) -> str:
    """The namespace Prometheus and the blackbox exporter run in: the one the exporter's
    cluster address names (``blackbox.monitoring.svc:9115``), else ``monitoring``."""
    host = plan.monitoring.metrics_collection.blackbox_exporter.split(":")[0]
    parts = host.split(".")
    return parts[1] if len(parts) > 2 and parts[2] == "svc" else "monitoring"


def _callers(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """The services that declare they require this one, by namespace and pod label."""
    network = plan.environments[env].infrastructure.network_configuration
    peers: list[dict[str, Any]] = []
    for dep in indexes.requirers(plan).get(service.name, []):
        client = plan.service(dep.service)
        target = client.targets.get(env)
        if target is not None and target.engine in (Engine.KUBERNETES, Engine.HELM):
            peers.append(_namespace_peer(namespace(plan, target, env), pod_labels(client, env)))
        elif target is not None and network.vpc_cidr:
            peers.append({"ipBlock": {"cidr": network.vpc_cidr}})
    return peers


def _runner(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """Where deploy.sh runs its gates and health checks from: the runners' namespace, or
    a self-hosted runner in the environment's network."""
    target = service.targets[env]
    if target.runner_namespace:
        return [_namespace_peer(target.runner_namespace)]
    pipeline = plan.automation.ci_cd_pipeline if plan.automation else None
    self_hosted = pipeline is not None and bool(
        pipeline.deploy_runners.get(env) or pipeline.deploy_runner
    )
    cidr = plan.environments[env].infrastructure.network_configuration.vpc_cidr
    return [{"ipBlock": {"cidr": cidr}}] if self_hosted and cidr else []


def metrics_ports(plan: DeploymentPlan, service: Service) -> list[int]:
    """Ports Prometheus scrapes and the blackbox exporter probes on the service's pods."""
    ports = [
        t.port for t in plan.monitoring.metrics_collection.targets if t.service == service.name
    ]
    ports += [
        i.port for i in plan.health_check.health_indicators if i.service == service.name and i.port
    ]
    return ports + ([service.port] if service.port else [])


def pod_labels(service: Service, env: str) -> dict[str, str]:
    """Labels that pick out the service's pods: ours, or those Helm charts set by release."""
    target = service.targets[env]
    if target.engine is Engine.HELM:
        return {"app.kubernetes.io/instance": target.release or service.name}
    return {NAME: service.name}


def network_policy(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """Deny all ingress to the pods except from their real callers: the services that
    require this one, the ingress controller for public services, Prometheus and the
    blackbox exporter for scrapes and probes, and the deploy job's gates."""
    network = plan.environments[env].infrastructure.network_configuration
    port = [service.port] if service.port else []
    rules = []
    callers = _callers(plan, service, env)
    if service.exposure == "public":
        callers.append(_namespace_peer(f"ingress-{network.ingress_class or 'nginx'}"))
    callers += _runner(plan, service, env)
    if callers and port:
        rules.append(_rule(callers, port))
    rules.append(_rule([_namespace_peer(monitoring_namespace(plan))], metrics_ports(plan, service)))
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": service.name},
        "spec": {
            "podSelector": {"matchLabels": pod_labels(service, env)},
            "policyTypes": ["Ingress"],
            "ingress": [r for r in rules if r["ports"]],
        },
    }

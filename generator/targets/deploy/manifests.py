"""Kubernetes resources of a service as plain data, rendered by the ``kubernetes`` family."""

from __future__ import annotations

import copy
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine, Strategy
from generator.spec.model.testing import HealthIndicator
from generator.spec.model.types import duration_seconds
from generator.targets.deploy.engines import namespace
from generator.targets.deploy.scripts import plain_variables

NAME = "app.kubernetes.io/name"
TRACK = "deployplan.dev/track"
TRAFFIC = "deployplan.dev/traffic"


def namespace_of(plan: DeploymentPlan, service: Service, env: str) -> str:
    """The namespace ``service`` runs in, in ``env``."""
    return namespace(plan, service.targets[env], env)


def _labels(plan: DeploymentPlan, service: Service, track: str = "stable") -> dict[str, str]:
    labels = {NAME: service.name, "app.kubernetes.io/part-of": plan.project.name, TRACK: track}
    return labels if track == "preview" else {**labels, TRAFFIC: "true"}


def _selector(service: Service, track: str = "stable") -> dict[str, Any]:
    return {"matchLabels": {NAME: service.name, TRACK: track}}


def _probe(indicator: HealthIndicator, port: int | None) -> dict[str, Any]:
    timing = {
        "periodSeconds": max(1, int(duration_seconds(indicator.interval))),
        "timeoutSeconds": max(1, int(duration_seconds(indicator.timeout))),
        "failureThreshold": indicator.failure_threshold,
    }
    if indicator.type == "http":
        return {
            "httpGet": {"path": indicator.path or "/", "port": indicator.port or port},
            **timing,
        }
    if indicator.type == "tcp":
        return {"tcpSocket": {"port": indicator.port or port}, **timing}
    return {"exec": {"command": ["/bin/sh", "-c", indicator.command or "true"]}, **timing}


def _probes(plan: DeploymentPlan, service: Service) -> dict[str, Any]:
    """Readiness from the first indicator, liveness from a TCP one when there is one."""
    indicators = [i for i in plan.health_check.health_indicators if i.service == service.name]
    if not indicators and service.health_path and service.port:
        indicators = [
            HealthIndicator(
                name="health", service=service.name, type="http", path=service.health_path
            )
        ]
    if not indicators:
        return {}
    live = next((i for i in indicators if i.type == "tcp"), indicators[0])
    return {
        "readinessProbe": _probe(indicators[0], service.port),
        "livenessProbe": _probe(live, service.port),
    }


def deployment(plan: DeploymentPlan, service: Service) -> dict[str, Any]:
    """The base Deployment: image without tag (deploy.sh sets it), ports and probes."""
    container: dict[str, Any] = {"name": service.name, "image": service.image or service.name}
    if service.port:
        container["ports"] = [{"name": "http", "containerPort": service.port}]
    container.update(_probes(plan, service))
    container["securityContext"] = {"allowPrivilegeEscalation": False}
    keep = plan.deployment_flow.rollback.keep_releases if plan.deployment_flow else 5
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service.name, "labels": _labels(plan, service)},
        "spec": {
            # no replicas: the overlay sets them, or leaves them to the autoscaler
            "revisionHistoryLimit": keep,
            "selector": _selector(service),
            "template": {
                "metadata": {"labels": _labels(plan, service)},
                "spec": {"containers": [container]},
            },
        },
    }


def service(plan: DeploymentPlan, service: Service) -> dict[str, Any]:
    """The Service in front of the stable and canary pods (never the preview)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": service.name, "labels": _labels(plan, service)},
        "spec": {
            "selector": {NAME: service.name, TRAFFIC: "true"},
            "ports": [{"name": "http", "port": service.port, "targetPort": "http"}],
        },
    }


def _strategy(kind: Strategy) -> dict[str, Any]:
    if kind is Strategy.RECREATE:
        return {"type": "Recreate"}
    surge = "100%" if kind is Strategy.BLUE_GREEN else "25%"
    return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": 0}}


def deployment_patch(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """What ``env`` changes in the Deployment: replicas, strategy, resources, env, volumes."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(
        service.name
    )
    container: dict[str, Any] = {"name": service.name}
    spec: dict[str, Any] = {}
    if allocation is not None:
        limits = {"cpu": allocation.cpu_limit, "memory": allocation.memory_limit}
        container["resources"] = {
            "requests": {"cpu": allocation.cpu, "memory": allocation.memory},
            **({"limits": {k: v for k, v in limits.items() if v}} if any(limits.values()) else {}),
        }
        if allocation.autoscaling is None:
            spec["replicas"] = allocation.replicas
    variables = plain_variables(plan, service.name, env)
    if variables:
        container["env"] = [{"name": k, "value": v} for k, v in variables.items()]
    volumes = _volumes(plan, service.name, env)
    if volumes:
        container["volumeMounts"] = [{"name": v.name, "mountPath": v.mount_path} for v in volumes]
    pod: dict[str, Any] = {"containers": [container]}
    if volumes:
        pod["volumes"] = [
            {"name": v.name, "persistentVolumeClaim": {"claimName": v.name}} for v in volumes
        ]
    spec |= {
        "strategy": _strategy(service.targets[env].strategy),
        "selector": _selector(service),
        "template": {"metadata": {"labels": _labels(plan, service)}, "spec": pod},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service.name},
        "spec": spec,
    }


def _volumes(plan: DeploymentPlan, service: str, env: str) -> list[Any]:
    storage = plan.environments[env].infrastructure.storage_requirements
    return [v for v in storage.volumes if v.service == service]


def strategic_merge(base: Any, patch: Any) -> Any:
    """Kustomize's strategic merge for what these manifests use: containers and volumes
    merge by ``name``, mappings merge, everything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = strategic_merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        names = {item["name"]: item for item in base}
        merged_list = [
            strategic_merge(names[p["name"]], p) if p["name"] in names else p for p in patch
        ]
        patched = {p["name"] for p in patch}
        return [i for i in base if i["name"] not in patched] + merged_list
    return copy.deepcopy(patch)


def side_deployment(plan: DeploymentPlan, service: Service, env: str, track: str) -> dict[str, Any]:
    """``<service>-canary`` or ``<service>-preview``: the environment's Deployment at zero
    replicas under its own selector; deploy.sh scales it."""
    merged: dict[str, Any] = strategic_merge(
        deployment(plan, service), deployment_patch(plan, service, env)
    )
    merged["metadata"] = {
        "name": f"{service.name}-{track}",
        "labels": _labels(plan, service, track),
    }
    merged["spec"]["replicas"] = 0
    merged["spec"]["selector"] = _selector(service, track)
    merged["spec"]["template"]["metadata"]["labels"] = _labels(plan, service, track)
    return merged


def environment_resources(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The overlay's own resources: Ingress, NetworkPolicy, PVCs, HPA (file name -> data)."""
    files: dict[str, Any] = {}
    ingress = _ingress(plan, service, env)
    if ingress:
        files["ingress.yaml"] = ingress
    if plan.environments[env].infrastructure.network_configuration.default_deny:
        files["networkpolicy.yaml"] = _network_policy(plan, service, env)
    for volume in _volumes(plan, service.name, env):
        files[f"pvc-{volume.name}.yaml"] = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": volume.name},
            "spec": {
                "accessModes": [volume.access_mode],
                "resources": {"requests": {"storage": volume.size}},
                **({"storageClassName": volume.storage_class} if volume.storage_class else {}),
            },
        }
    hpa = _autoscaler(plan, service, env)
    if hpa:
        files["hpa.yaml"] = hpa
    return files


def _ingress(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    network = plan.environments[env].infrastructure.network_configuration
    entries = [i for i in network.ingresses if i.service == service.name]
    if not entries or not service.port:
        return None
    backend = {"service": {"name": service.name, "port": {"name": "http"}}}
    spec: dict[str, Any] = {
        "rules": [
            {
                "host": i.host,
                "http": {"paths": [{"path": i.path, "pathType": "Prefix", "backend": backend}]},
            }
            for i in entries
        ]
    }
    if network.ingress_class:
        spec = {"ingressClassName": network.ingress_class, **spec}
    tls_hosts = [i.host for i in entries if i.tls]
    if tls_hosts:
        spec["tls"] = [{"hosts": tls_hosts, "secretName": f"{service.name}-tls"}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": service.name},
        "spec": spec,
    }


def _network_policy(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """Deny all ingress to the pods except from the services that require this one (and
    the ingress controller for public services)."""
    network = plan.environments[env].infrastructure.network_configuration
    sources: list[dict[str, Any]] = []
    for dep in plan.deployment_flow.dependencies if plan.deployment_flow else []:
        if dep.external or dep.requires != service.name:
            continue
        client = plan.service(dep.service)
        target = client.targets.get(env)
        if target is not None and target.engine in (Engine.KUBERNETES, Engine.HELM):
            sources.append(
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": namespace(plan, target, env)}
                    },
                    "podSelector": {"matchLabels": {NAME: client.name}},
                }
            )
        elif target is not None and network.vpc_cidr:
            sources.append({"ipBlock": {"cidr": network.vpc_cidr}})
    if service.exposure == "public":
        controller = f"ingress-{network.ingress_class or 'nginx'}"
        sources.append(
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": controller}}}
        )
    rules = [{"from": sources}] if sources else []
    if rules and service.port:
        rules[0]["ports"] = [{"protocol": "TCP", "port": service.port}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": service.name},
        "spec": {
            "podSelector": {"matchLabels": {NAME: service.name}},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }


def _autoscaler(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    allocations = plan.environments[env].infrastructure.compute_resources.allocations
    allocation = allocations.get(service.name)
    scaling = allocation.autoscaling if allocation else None
    if scaling is None:
        return None
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": service.name},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": service.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": int(scaling.target_cpu_percent),
                        },
                    },
                }
            ],
        },
    }

"""Kubernetes resources of a service as plain data, rendered by the ``kubernetes`` family."""

from __future__ import annotations

import copy
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Strategy, TrafficController
from generator.spec.model.testing import HealthIndicator
from generator.spec.model.types import duration_seconds
from generator.targets import indexes
from generator.targets.deploy import network, workload
from generator.targets.deploy.engines import namespace

NAME = workload.NAME
TRACK = "deployplan.dev/track"
TRAFFIC = "deployplan.dev/traffic"


def namespace_of(plan: DeploymentPlan, service: Service, env: str) -> str:
    """The namespace ``service`` runs in, in ``env``."""
    return namespace(plan, service.targets[env], env)


def _labels(
    plan: DeploymentPlan, service: Service, track: str = "stable", traffic: bool = True
) -> dict[str, str]:
    """A preview, and a canary behind its own Ingress, take no traffic from the Service."""
    labels = {NAME: service.name, "app.kubernetes.io/part-of": plan.project.name, TRACK: track}
    return {**labels, TRAFFIC: "true"} if traffic and track != "preview" else labels


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


#: Requests and limits of a container that the environment allocates nothing: small, but
#: bounded (Pod Security and checkov want limits everywhere).
DEFAULT_RESOURCES = {
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}


def deployment(plan: DeploymentPlan, service: Service) -> dict[str, Any]:
    """The base Deployment: image without tag (deploy.sh sets it), ports, probes, and the
    Pod Security "restricted" settings with a writable ``/tmp`` on a read-only root."""
    container: dict[str, Any] = {
        "name": service.name,
        "image": workload.image(service),
        "imagePullPolicy": "Always",
    }
    if service.port:
        container["ports"] = [{"name": "http", "containerPort": service.port}]
    container.update(_probes(plan, service))
    container["resources"] = copy.deepcopy(DEFAULT_RESOURCES)
    container["securityContext"] = workload.container_security()
    container["volumeMounts"] = [dict(workload.TMP_MOUNT)]
    keep = plan.deployment_flow.rollback.keep_releases if plan.deployment_flow else 5
    pod = {
        "automountServiceAccountToken": False,
        "securityContext": workload.pod_security(),
        "containers": [container],
        "volumes": [dict(workload.TMP_VOLUME)],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service.name, "labels": _labels(plan, service)},
        "spec": {
            # no replicas: the overlay sets them, or leaves them to the autoscaler
            "revisionHistoryLimit": keep,
            "selector": _selector(service),
            "template": {"metadata": {"labels": _labels(plan, service)}, "spec": pod},
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


def _resources(plan: DeploymentPlan, service: str, env: str) -> dict[str, Any] | None:
    """Requests and limits from the allocation; a limit not given is the request."""
    allocations = plan.environments[env].infrastructure.compute_resources.allocations
    allocation = allocations.get(service)
    if allocation is None:
        return None
    return {
        "requests": {"cpu": allocation.cpu, "memory": allocation.memory},
        "limits": {
            "cpu": allocation.cpu_limit or allocation.cpu,
            "memory": allocation.memory_limit or allocation.memory,
        },
    }


def deployment_patch(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """What ``env`` changes in the Deployment: replicas, strategy, resources, variables,
    config files, volumes and the service account."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(
        service.name
    )
    container: dict[str, Any] = {"name": service.name}
    spec: dict[str, Any] = {}
    resources = _resources(plan, service.name, env)
    if resources:
        container["resources"] = resources
    if allocation is not None and allocation.autoscaling is None:
        spec["replicas"] = allocation.replicas
    variables = workload.env_entries(plan, service, env)
    if variables:
        container["env"] = variables
    mounts, volumes = _pod_volumes(plan, service, env)
    if mounts:
        container["volumeMounts"] = mounts
    pod: dict[str, Any] = {"containers": [container]}
    if volumes:
        pod["volumes"] = volumes
    account = service.targets[env].service_account
    if account:
        pod |= {"serviceAccountName": account, "automountServiceAccountToken": True}
    spec |= {
        "strategy": _strategy(service.targets[env].strategy),
        "selector": _selector(service),
        "template": {"metadata": {"labels": _labels(plan, service)}, "spec": pod},
    }
    metadata: dict[str, Any] = {"name": service.name}
    if account:
        # the one Pod Security check a token-mounting pod fails, on purpose
        reason = f"CKV_K8S_38={service.name} calls the Kubernetes API as {account}"
        metadata["annotations"] = {"checkov.io/skip1": reason}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def _pod_volumes(
    plan: DeploymentPlan, service: Service, env: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Mounts and volumes of ``env``: the config files, then the persistent volumes."""
    mounts: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = []
    config = workload.config_volume(plan, service, env)
    if config:
        path = workload.config_dir(service, env)
        mounts.append({"name": config["name"], "mountPath": path, "readOnly": True})
        volumes.append(config)
    for volume in _volumes(plan, service.name, env):
        mounts.append({"name": volume.name, "mountPath": volume.mount_path})
        volumes.append({"name": volume.name, "persistentVolumeClaim": {"claimName": volume.name}})
    return mounts, volumes


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


def own_ingress(service: Service, env: str) -> bool:
    """Whether the canary takes its share through a second Ingress (NGINX canary weights)."""
    target = service.targets[env]
    return (
        target.strategy is Strategy.CANARY
        and target.traffic_controller is TrafficController.NGINX_INGRESS
    )


def side_deployment(plan: DeploymentPlan, service: Service, env: str, track: str) -> dict[str, Any]:
    """``<service>-canary`` or ``<service>-preview``: the environment's Deployment at zero
    replicas under its own selector; deploy.sh scales it."""
    merged: dict[str, Any] = strategic_merge(
        deployment(plan, service), deployment_patch(plan, service, env)
    )
    labels = _labels(plan, service, track, traffic=not own_ingress(service, env))
    merged["metadata"] = {"name": f"{service.name}-{track}", "labels": labels}
    merged["spec"]["replicas"] = 0
    merged["spec"]["selector"] = _selector(service, track)
    merged["spec"]["template"]["metadata"]["labels"] = labels
    return merged


def canary_routing(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The canary's own Service and an NGINX canary Ingress at weight 0 (deploy.sh sets
    each step's weight), next to its Deployment."""
    ingress = _ingress(plan, service, env)
    if not own_ingress(service, env) or ingress is None:
        return {}
    name = f"{service.name}-canary"
    routed = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": _labels(plan, service, "canary", traffic=False)},
        "spec": {
            "selector": _selector(service, "canary")["matchLabels"],
            "ports": [{"name": "http", "port": service.port, "targetPort": "http"}],
        },
    }
    ingress["metadata"] = {
        "name": name,
        "annotations": {
            "nginx.ingress.kubernetes.io/canary": "true",
            "nginx.ingress.kubernetes.io/canary-weight": "0",
        },
    }
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            path["backend"]["service"]["name"] = name
    ingress["spec"].pop("tls", None)  # the main Ingress terminates TLS for the host
    return {"service.yaml": routed, "ingress.yaml": ingress}


def environment_resources(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The overlay's own resources: Ingress, NetworkPolicy, PVCs, HPA (file name -> data)."""
    files: dict[str, Any] = {}
    config = workload.config_map(plan, service, env)
    if config:
        files["configmap.yaml"] = config
    external = workload.external_secret(plan, service, env)
    if external:
        files["externalsecret.yaml"] = external
    ingress = _ingress(plan, service, env)
    if ingress:
        files["ingress.yaml"] = ingress
    if plan.environments[env].infrastructure.network_configuration.default_deny:
        files["networkpolicy.yaml"] = network.network_policy(plan, service, env)
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
    entries = indexes.ingresses(plan).get((env, service.name), [])
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

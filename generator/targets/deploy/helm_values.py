"""The Helm values of a service in one environment: what the spec says, under the names the
`helm create` chart (and most charts that follow it) reads, with the target's own
``values:`` merged over them.

spec -> value:

- ``services[].image`` -> ``image.repository`` (deploy.sh sets ``image.tag`` and, for
  ``--version TAG@sha256:DIGEST``, ``image.digest``)
- ``allocations.<service>.replicas`` -> ``replicaCount``; ``autoscaling`` ->
  ``autoscaling.{enabled,minReplicas,maxReplicas,targetCPUUtilizationPercentage}``
- ``allocations.<service>`` cpu and memory -> ``resources.requests`` and
  ``resources.limits`` (a limit not given is the request)
- ``services[].port`` -> ``service.port``
- the environment's ``ingresses`` of the service -> ``ingress.enabled``,
  ``ingress.className`` (``ingress_class``), ``ingress.hosts[].host`` with its
  ``paths[].path`` (``pathType: Prefix``), and ``ingress.tls`` (the hosts with ``tls``,
  secret ``<service>-tls``, as the kubernetes family names it); annotations, such as a
  cert-manager issuer, come through ``values:``
- plain and secret ``environment_variables`` -> ``env`` (values, and ``secretKeyRef``
  entries naming the Secret deploy.sh creates, also given as ``existingSecret``)
- config files -> ``configMap`` (its name) and ``volumes``/``volumeMounts`` at
  ``config_dir``
- Pod Security "restricted" -> ``podSecurityContext``, ``securityContext``,
  ``serviceAccount.automount``
- ``targets.<env>.values`` -> merged last: a mapping's keys merge, anything else replaces

A Flagger Canary (``strategy: canary``, ``traffic_controller: flagger``) of a service with
an ingress behind the NGINX controller (``ingress_class`` unset or naming nginx) gets
``provider: nginx`` and an ``ingressRef`` to the release's Ingress, as Flagger's NGINX
provider needs.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.environments import Ingress
from generator.spec.model.project import Strategy, TrafficController
from generator.targets.deploy import network, workload

FLAGGER = TrafficController.FLAGGER


def _resources(plan: DeploymentPlan, service: str, env: str) -> dict[str, Any] | None:
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    if allocation is None:
        return None
    return {
        "requests": {"cpu": allocation.cpu, "memory": allocation.memory},
        "limits": {
            "cpu": allocation.cpu_limit or allocation.cpu,
            "memory": allocation.memory_limit or allocation.memory,
        },
    }


def _scale(plan: DeploymentPlan, service: str, env: str) -> dict[str, Any]:
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    if allocation is None:
        return {"replicaCount": 1}
    if allocation.autoscaling is None:
        return {"replicaCount": allocation.replicas}
    scaling = allocation.autoscaling
    return {
        "autoscaling": {
            "enabled": True,
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "targetCPUUtilizationPercentage": int(scaling.target_cpu_percent),
        }
    }


def _config(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    volume = workload.config_volume(plan, service, env)
    if volume is None:
        return {}
    mount = {"name": volume["name"], "mountPath": workload.config_dir(service, env)}
    return {
        "configMap": volume["configMap"]["name"],
        "volumes": [volume, workload.TMP_VOLUME],
        "volumeMounts": [{**mount, "readOnly": True}, workload.TMP_MOUNT],
    }


def _ingress_entries(plan: DeploymentPlan, service: Service, env: str) -> list[Ingress]:
    """The environment's ingresses of ``service``; none for a service without a port."""
    network = plan.environments[env].infrastructure.network_configuration
    return [i for i in network.ingresses if i.service == service.name] if service.port else []


def _ingress(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    entries = _ingress_entries(plan, service, env)
    if not entries:
        return {}
    paths: dict[str, list[dict[str, str]]] = {}
    for entry in entries:
        paths.setdefault(entry.host, []).append({"path": entry.path, "pathType": "Prefix"})
    ingress: dict[str, Any] = {"enabled": True}
    ingress_class = plan.environments[env].infrastructure.network_configuration.ingress_class
    if ingress_class:
        ingress["className"] = ingress_class
    ingress["hosts"] = [{"host": host, "paths": p} for host, p in paths.items()]
    tls_hosts = list(dict.fromkeys(i.host for i in entries if i.tls))
    if tls_hosts:
        ingress["tls"] = [{"secretName": f"{service.name}-tls", "hosts": tls_hosts}]
    return {"ingress": ingress}


def _behind_nginx(plan: DeploymentPlan, service: Service, env: str) -> bool:
    """Whether ``service`` has an ingress in ``env`` served by the NGINX controller."""
    ingress_class = plan.environments[env].infrastructure.network_configuration.ingress_class
    return bool(_ingress_entries(plan, service, env)) and "nginx" in (ingress_class or "nginx")


def generated(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The values the spec implies, before the target's own."""
    image: dict[str, Any] = {"repository": service.image or service.name}
    if service.upstream and service.upstream.digest:
        image["digest"] = service.upstream.digest
    values: dict[str, Any] = {"image": image}
    values |= _scale(plan, service.name, env)
    resources = _resources(plan, service.name, env)
    if resources:
        values["resources"] = resources
    if service.port:
        values["service"] = {"port": service.port}
    values |= _ingress(plan, service, env)
    values["env"] = workload.env_entries(plan, service, env)
    if workload.deploy_time_secrets(plan, service, env):
        values["existingSecret"] = workload.secret_name(service.name)
    values["podSecurityContext"] = workload.pod_security()
    values["securityContext"] = workload.container_security()
    account = service.targets[env].service_account
    values["serviceAccount"] = {"automount": account is not None} | (
        {"create": False, "name": account} if account else {}
    )
    values["volumes"] = [workload.TMP_VOLUME]
    values["volumeMounts"] = [workload.TMP_MOUNT]
    return values | _config(plan, service, env)


def merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(override)


def helm_values(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The values file of ``service`` in ``env``."""
    values: dict[str, Any] = merge(generated(plan, service, env), service.targets[env].values)
    return values


def flagger_canary(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    """A Flagger Canary over the chart's Deployment: each step's weight, the error budget
    of the validation criteria as its success-rate check, a rollback on failure."""
    target = service.targets[env]
    if target.strategy is not Strategy.CANARY or target.traffic_controller is not FLAGGER:
        return None
    release = target.release or service.name
    criteria = plan.deployment_testing.validation_criteria
    analysis: dict[str, Any] = {
        "interval": "1m",
        "threshold": 1,
        "stepWeights": [p for p in target.canary_steps if p < 100],
        "metrics": [
            {
                "name": "request-success-rate",
                "interval": "1m",
                "thresholdRange": {"min": 100 - criteria.max_error_rate},
            }
        ],
    }
    spec: dict[str, Any] = {}
    if _behind_nginx(plan, service, env):
        spec = {
            "provider": "nginx",
            "ingressRef": {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "name": release,
            },
        }
    return {
        "apiVersion": "flagger.app/v1beta1",
        "kind": "Canary",
        "metadata": {"name": release},
        "spec": {
            **spec,
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": release},
            "progressDeadlineSeconds": 600,
            "service": {"port": service.port or 80},
            "analysis": analysis,
        },
    }


def companions(plan: DeploymentPlan, service: Service, env: str) -> dict[str, dict[str, Any]]:
    """What helm.sh applies next to the chart (file name -> resource): the NetworkPolicy
    (for the pods the chart labels with the release), the config files' ConfigMap, the
    ExternalSecret and the Flagger Canary."""
    deny = plan.environments[env].infrastructure.network_configuration.default_deny
    policy = network.network_policy(plan, service, env) if deny else None
    files = {
        "networkpolicy.yaml": policy,
        "configmap.yaml": workload.config_map(plan, service, env),
        "externalsecret.yaml": workload.external_secret(plan, service, env),
        "canary.yaml": flagger_canary(plan, service, env),
    }
    return {name: resource for name, resource in files.items() if resource is not None}

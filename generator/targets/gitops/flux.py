"""Flux: per environment a ``GitRepository`` for the GitOps repository and a
``Kustomization`` per service, building the service's folder and checking its Deployment
(or Rollout),
after the Kustomizations of the services it requires."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.gitops import GitOps
from generator.spec.model.types import duration_seconds
from generator.targets.deploy import rollouts
from generator.targets.deploy.manifests import NAME, namespace_of
from generator.targets.gitops import helm

SOURCE_API = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
PART_OF = "app.kubernetes.io/part-of"
ENVIRONMENT = "deployplan.dev/environment"
#: How Flux reads a Rollout's health (kstatus cannot): healthy once the controller has
#: seen this generation and finished the canary; a paused canary is still in progress, an
#: aborted one failed.
ROLLOUT_HEALTH = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Rollout",
    "inProgress": "has(status.phase) && status.phase in ['Progressing', 'Paused']",
    "failed": "has(status.phase) && status.phase == 'Degraded'",
    "current": "has(status.phase) && status.phase == 'Healthy' && "
    "status.observedGeneration == string(metadata.generation)",
}


def resources(
    plan: DeploymentPlan, gitops: GitOps, env: str, services: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The GitRepository, and the Kustomization of each service in ``env``."""
    shared = {"gitrepository.yaml": git_repository(plan, gitops)}
    kustomizations = {}
    for service in services:
        resource = kustomization(plan, gitops, service, env)
        needed = _required(plan, service, services)
        if needed:  # Flux applies a service only once what it requires is ready
            resource["spec"]["dependsOn"] = [{"name": f"{other}-{env}"} for other in needed]
        kustomizations[service] = resource
    return shared, kustomizations


def _required(plan: DeploymentPlan, service: str, delivered: list[str]) -> list[str]:
    """Services ``service`` requires that Flux delivers in the same environment."""
    flow = plan.deployment_flow
    needs = {d.requires for d in (flow.dependencies if flow else []) if d.service == service}
    return sorted(needs & set(delivered))


def git_repository(plan: DeploymentPlan, gitops: GitOps) -> dict[str, Any]:
    """The repository and branch every Kustomization builds from."""
    return {
        "apiVersion": SOURCE_API,
        "kind": "GitRepository",
        "metadata": {
            "name": plan.project.name,
            "namespace": gitops.namespace(),
            "labels": {PART_OF: plan.project.name},
        },
        "spec": {
            "interval": go_duration(gitops.sync_policy.interval),
            "url": gitops.repository,
            "ref": {"branch": gitops.branch},
        },
    }


def kustomization(plan: DeploymentPlan, gitops: GitOps, service: str, env: str) -> dict[str, Any]:
    """One service's folder applied to one environment, healthy when its Deployment is."""
    policy = gitops.sync_policy
    namespace = namespace_of(plan, plan.service(service), env)
    spec: dict[str, Any] = {
        "interval": go_duration(policy.interval),
        "retryInterval": "1m",
        "timeout": go_duration(policy.timeout),
        "path": "./" + gitops.path(env, service),
        "prune": policy.prune,
        "sourceRef": {"kind": "GitRepository", "name": plan.project.name},
        "targetNamespace": namespace,
        "wait": policy.wait,
    }
    canary = rollouts.managed(plan.service(service), env)
    if not policy.wait:  # with `wait`, Flux checks every resource and ignores healthChecks
        spec["healthChecks"] = [
            {**_workload(plan, service, env), "name": _name(plan, service, env)}
            | {"namespace": namespace}
        ]
    if canary:
        spec["healthCheckExprs"] = [ROLLOUT_HEALTH]
    return {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": {
            "name": f"{service}-{env}",
            "namespace": gitops.namespace(),
            "labels": {NAME: service, PART_OF: plan.project.name, ENVIRONMENT: env},
        },
        "spec": spec,
    }


def _workload(plan: DeploymentPlan, service: str, env: str) -> dict[str, str]:
    """API version and kind of what runs the service: its Deployment, its Rollout, or the
    HelmRelease of its chart."""
    delivered = plan.service(service)
    if helm.delivered(delivered, env):
        return {"apiVersion": helm.HELM_API, "kind": "HelmRelease"}
    if rollouts.managed(delivered, env):
        return {"apiVersion": rollouts.API_VERSION, "kind": "Rollout"}
    return {"apiVersion": "apps/v1", "kind": "Deployment"}


def _name(plan: DeploymentPlan, service: str, env: str) -> str:
    delivered = plan.service(service)
    return helm.release(delivered, env) if helm.delivered(delivered, env) else service


def go_duration(duration: str) -> str:
    """A spec duration as Flux reads one: Go's ``h``, ``m`` and ``s`` (no days or weeks)."""
    seconds = int(duration_seconds(duration))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{seconds}s" if seconds or not text else "")

"""Argo CD: per environment an ``AppProject`` (``<project>-<environment>``) and an
``Application`` per service, pointing at the service's folder of the GitOps repository."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.gitops import GitOps, SyncPolicy
from generator.targets.deploy import helm_values, rollouts
from generator.targets.deploy.manifests import NAME, namespace_of
from generator.targets.gitops import helm
from generator.targets.gitops.flux import go_duration

API_VERSION = "argoproj.io/v1alpha1"
PART_OF = "app.kubernetes.io/part-of"
ENVIRONMENT = "deployplan.dev/environment"
#: Deletes the Application's resources with it, instead of leaving them unmanaged.
FINALIZER = "resources-finalizer.argocd.argoproj.io"


def resources(
    plan: DeploymentPlan, gitops: GitOps, env: str, services: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The AppProject of ``env``, and the Application of each of its services."""
    project = f"{gitops.project or plan.project.name}-{env}"
    shared = {"appproject.yaml": app_project(plan, gitops, project, env, services)}
    apps = {service: application(plan, gitops, project, service, env) for service in services}
    return shared, apps


def app_project(
    plan: DeploymentPlan, gitops: GitOps, project: str, env: str, services: list[str]
) -> dict[str, Any]:
    """Sources limited to the GitOps repository, destinations to the environment's cluster
    and its services' namespaces; no cluster-scoped resources."""
    namespaces = sorted({namespace_of(plan, plan.service(service), env) for service in services})
    charts = sorted(
        {
            helm.chart_repository(plan.service(service), env)
            for service in services
            if helm.delivered(plan.service(service), env)
        }
    )
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": {
            "name": project,
            "namespace": gitops.namespace(),
            "labels": {PART_OF: plan.project.name, ENVIRONMENT: env},
        },
        "spec": {
            "description": f"Services of {plan.project.name} in {env}, from the GitOps repository",
            "sourceRepos": [gitops.repository, *charts],
            "destinations": [{"server": gitops.cluster(env), "namespace": n} for n in namespaces],
            "clusterResourceWhitelist": [],
            "orphanedResources": {"warn": True},
        },
    }


def application(
    plan: DeploymentPlan, gitops: GitOps, project: str, service: str, env: str
) -> dict[str, Any]:
    """The Application syncing one service's folder into one environment's namespace."""
    flow = plan.deployment_flow
    delivered = plan.service(service)
    source: dict[str, Any] = {
        "source": {
            "repoURL": gitops.repository,
            "targetRevision": gitops.branch,
            "path": gitops.path(env, service),
        }
    }
    if helm.delivered(delivered, env):
        companions = bool(helm_values.companions(plan, delivered, env))
        source = {"sources": helm.argocd_sources(gitops, delivered, env, companions)}
    spec: dict[str, Any] = {
        "project": project,
        **source,
        "destination": {
            "server": gitops.cluster(env),
            "namespace": namespace_of(plan, plan.service(service), env),
        },
        "syncPolicy": sync_policy(gitops.sync_policy),
        "revisionHistoryLimit": flow.rollback.keep_releases if flow else 10,
    }
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    if allocation and allocation.autoscaling:
        # the HorizontalPodAutoscaler owns the replica count, not the repository
        group, kind = _workload(plan, service, env)
        spec["ignoreDifferences"] = [
            {"group": group, "kind": kind, "jsonPointers": ["/spec/replicas"]}
        ]
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": f"{service}-{env}",
            "namespace": gitops.namespace(),
            "labels": {NAME: service, PART_OF: plan.project.name, ENVIRONMENT: env},
            "finalizers": [FINALIZER],
        },
        "spec": spec,
    }


def _workload(plan: DeploymentPlan, service: str, env: str) -> tuple[str, str]:
    """API group and kind of the workload running the service's pods."""
    if rollouts.managed(plan.service(service), env):
        return "argoproj.io", "Rollout"
    return "apps", "Deployment"


def sync_policy(policy: SyncPolicy) -> dict[str, Any]:
    """Argo CD's syncPolicy: automation, retries with backoff, and sync options."""
    result: dict[str, Any] = {}
    if policy.automated:
        result["automated"] = {"prune": policy.prune, "selfHeal": policy.self_heal}
    if policy.retry_limit:
        result["retry"] = {
            "limit": policy.retry_limit,
            "backoff": {"duration": "5s", "factor": 2, "maxDuration": go_duration(policy.timeout)},
        }
    options = ["PruneLast=true"] if policy.prune else []
    result["syncOptions"] = [*options, "ApplyOutOfSyncOnly=true"]
    return result

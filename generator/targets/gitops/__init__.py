"""The ``gitops`` family: the controller resources that sync the GitOps repository into
each cluster, for kubernetes targets with ``delivery: gitops``.

Each environment gets a folder ``gitops/<controller>/<env>/``, applied to the controller
that deploys to that environment (``kubectl apply -k``): for Argo CD an ``AppProject``
limiting sources and destinations and an ``Application`` per service; for Flux a
``GitRepository`` and a ``Kustomization`` per service. A Helm target's chart is installed
by the controller (``helm.py``). Specs without GitOps delivery get nothing.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan
from generator.spec.model.gitops import Delivery, GitOps, GitOpsController
from generator.spec.model.project import Engine
from generator.targets.context import PlanContext
from generator.targets.gitops import argocd, flux

TEMPLATE = "gitops/resource.yaml.j2"
KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


def deliveries(plan: DeploymentPlan) -> list[tuple[str, str]]:
    """Every kubernetes target delivered through GitOps, by service then environment."""
    return [
        (service.name, env)
        for service in plan.services
        for env, target in sorted(service.targets.items())
        if target.engine in (Engine.KUBERNETES, Engine.HELM) and target.delivery is Delivery.GITOPS
    ]


def plan(context: PlanContext) -> list[Artifact]:
    """The controller resources of every GitOps delivery, none without one."""
    spec = context.plan
    gitops = spec.automation.gitops if spec.automation else None
    pairs = deliveries(spec)
    if gitops is None or not pairs:
        return []
    module = argocd if gitops.controller is GitOpsController.ARGOCD else flux
    artifacts: list[Artifact] = []
    for env in sorted({env for _, env in pairs}):
        services = [service for service, e in pairs if e == env]
        shared, per_service = module.resources(spec, gitops, env, services)
        folder = PurePosixPath("gitops", gitops.controller.value, env)
        files = [_artifact(folder / name, resource, env) for name, resource in shared.items()]
        files += [
            _artifact(folder / f"{service}.yaml", resource, env, service)
            for service, resource in per_service.items()
        ]
        listed = [a.path.name for a in files]
        kustomization = _kustomization(gitops, listed)
        artifacts += [*files, _artifact(folder / "kustomization.yaml", kustomization, env)]
    return artifacts


def _kustomization(gitops: GitOps, files: list[str]) -> dict[str, Any]:
    return {**KUSTOMIZATION, "namespace": gitops.namespace(), "resources": sorted(files)}


def _artifact(
    path: PurePosixPath,
    resource: dict[str, Any],
    environment: str | None = None,
    service: str | None = None,
) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=path,
        template=TEMPLATE,
        family="gitops",
        context={"resource": resource},
        environment=environment,
        service=service,
    )

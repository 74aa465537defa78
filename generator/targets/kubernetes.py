"""The ``kubernetes`` family: Kustomize base and per-environment overlays of every service
deployed with the ``kubernetes`` engine (``allocate_resources``).

The base holds what every environment shares (Deployment with probes, Service); each
overlay sets the namespace, patches replicas, resources, variables and volumes into the
Deployment, and adds the environment's Ingress, NetworkPolicy, PersistentVolumeClaims and
HorizontalPodAutoscaler. Canary and blue/green targets also get the second Deployment
that deploy.sh scales (``canary/`` or ``preview/``), with its own Service and NGINX canary
Ingress when the canary's traffic goes through the ingress; a canary delivered through
GitOps is an Argo Rollouts Rollout instead (``deploy/rollouts.py``). Helm targets get
``helm/<env>/``: what helm.sh applies beside the chart (NetworkPolicy, config files,
ExternalSecret, Flagger Canary), and under GitOps through Flux ``flux/<env>/``: the
OCIRepository, HelmRelease and values ConfigMap of the chart.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.gitops import GitOpsController
from generator.spec.model.project import Engine, Strategy
from generator.targets.context import PlanContext
from generator.targets.deploy import gitops, helm_values, manifests, rollouts
from generator.targets.gitops import flux, helm

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}


def plan(context: PlanContext) -> list[Artifact]:
    """Base and overlays of every service with a kubernetes target."""
    spec = context.plan
    artifacts: list[Artifact] = []
    for service in spec.services:
        envs = [e for e, t in service.targets.items() if t.engine is Engine.KUBERNETES]
        if not envs:
            continue
        artifacts += _files(service.name, None, _base(spec, service))
        for env in sorted(envs):
            artifacts += _files(service.name, env, _overlay(spec, service, env))
    for service in spec.services:
        for env, target in sorted(service.targets.items()):
            if target.engine is Engine.HELM:
                artifacts += _files(service.name, env, _companions(spec, service, env), "helm")
                artifacts += _files(service.name, env, _flux_release(spec, service, env), "flux")
    return artifacts


def _files(
    service: str, env: str | None, files: dict[str, dict[str, Any]], kind: str = "overlays"
) -> list[Artifact]:
    folder = PurePosixPath("services", service, "kubernetes")
    folder = folder / kind / env if env else folder / "base"
    return [
        Artifact(
            root=Root.OUTPUT,
            path=folder / name,
            template="kubernetes/resource.yaml.j2",
            family="kubernetes",
            context={"resource": resource},
            environment=env,
            service=service,
        )
        for name, resource in files.items()
    ]


def _base(plan: DeploymentPlan, service: Service) -> dict[str, dict[str, Any]]:
    files = {"deployment.yaml": manifests.deployment(plan, service)}
    if service.port:
        files["service.yaml"] = manifests.service(plan, service)
    resources = list(files)
    return {"kustomization.yaml": {**KUSTOMIZATION, "resources": resources}, **files}


def _companions(plan: DeploymentPlan, service: Service, env: str) -> dict[str, dict[str, Any]]:
    """What helm.sh applies beside the chart: ConfigMap, ExternalSecret, Flagger Canary."""
    files = helm_values.companions(plan, service, env)
    if not files:
        return {}
    namespace = manifests.namespace_of(plan, service, env)
    kustomization = {**KUSTOMIZATION, "namespace": namespace, "resources": list(files)}
    return {"kustomization.yaml": kustomization, **files}


def _flux_release(plan: DeploymentPlan, service: Service, env: str) -> dict[str, dict[str, Any]]:
    """A chart Flux installs: what the promotion copies into the service's GitOps folder."""
    gitops_spec = gitops.gitops_of(plan, service, env)
    if gitops_spec is None or gitops_spec.controller is not GitOpsController.FLUX:
        return {}
    interval = flux.go_duration(gitops_spec.sync_policy.interval)
    companions = bool(helm_values.companions(plan, service, env))
    return helm.flux_folder(service, env, interval, companions)


def _overlay(plan: DeploymentPlan, service: Service, env: str) -> dict[str, dict[str, Any]]:
    if rollouts.managed(service, env):
        return _rollout_overlay(plan, service, env)
    namespace = manifests.namespace_of(plan, service, env)
    extra = manifests.environment_resources(plan, service, env)
    files: dict[str, dict[str, Any]] = {
        "kustomization.yaml": {
            **KUSTOMIZATION,
            "namespace": namespace,
            "resources": ["../../base", *extra],
            "patches": [{"path": "deployment-patch.yaml"}],
            "labels": [
                {
                    "pairs": {"deployplan.dev/environment": env},
                    "includeSelectors": False,
                }
            ],
        },
        "deployment-patch.yaml": manifests.deployment_patch(plan, service, env),
        **extra,
    }
    side = {Strategy.CANARY: "canary", Strategy.BLUE_GREEN: "preview"}
    track = side.get(service.targets[env].strategy)
    if track:
        routing = manifests.canary_routing(plan, service, env) if track == "canary" else {}
        files[f"{track}/kustomization.yaml"] = {
            **KUSTOMIZATION,
            "namespace": namespace,
            "resources": ["deployment.yaml", *routing],
        }
        files[f"{track}/deployment.yaml"] = manifests.side_deployment(plan, service, env, track)
        files |= {f"{track}/{name}": resource for name, resource in routing.items()}
    return files


def _rollout_overlay(plan: DeploymentPlan, service: Service, env: str) -> dict[str, dict[str, Any]]:
    """A GitOps canary: the base without its Deployment, and an Argo Rollouts Rollout."""
    extra = rollouts.overlay_files(plan, service, env)
    kustomization = {
        **KUSTOMIZATION,
        "namespace": manifests.namespace_of(plan, service, env),
        "resources": ["../../base", *extra],
        "patches": [{"path": "deployment-removal.yaml"}],
        "labels": [{"pairs": {"deployplan.dev/environment": env}, "includeSelectors": False}],
    }
    removal = rollouts.deployment_removal(service)
    return {"kustomization.yaml": kustomization, "deployment-removal.yaml": removal, **extra}

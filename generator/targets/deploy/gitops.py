"""What the deploy scripts of a kubernetes target with ``delivery: gitops`` read.

Such a deploy is a promotion: the service's rendered overlay, its image pinned by digest, is
committed to the GitOps repository at the spec's layout, and Argo CD or Flux syncs it; the
scripts only read the controller's status, and never write to the cluster.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.gitops import Delivery, GitOps, GitOpsController
from generator.spec.model.project import Engine
from generator.spec.model.types import duration_seconds

#: The variable holding the token that may push to the GitOps repository: the only
#: credential a promotion needs (CI fills it from the secret of the same name).
TOKEN_VARIABLE = "DEPLOYPLAN_GITOPS_TOKEN"
TOKEN_SECRET = "GITOPS_TOKEN"
#: The read-only Argo CD token CI reads Application status with (the `argocd` CLI takes
#: it from this variable), and the CI secret it comes from.
ARGOCD_TOKEN_VARIABLE = "ARGOCD_AUTH_TOKEN"
ARGOCD_TOKEN_SECRET = "ARGOCD_TOKEN"
#: Engines whose releases a promotion commits: Kustomize overlays, or a chart's values.
GITOPS_ENGINES = (Engine.KUBERNETES, Engine.HELM)
#: Tools a promotion needs on the machine that runs it.
TOOLS = ("git",)
#: Where production takes its image from: the first of these the service is promoted to.
STAGED_IN = (EnvironmentType.STAGING, EnvironmentType.DEVELOPMENT)
PRODUCTION_TYPES = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)


def gitops_of(plan: DeploymentPlan, service: Service, env: str) -> GitOps | None:
    """The GitOps repository ``service`` is delivered through in ``env``, if it is."""
    target = service.targets[env]
    if target.engine not in GITOPS_ENGINES or target.delivery is not Delivery.GITOPS:
        return None
    return plan.automation.gitops if plan.automation else None


def context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The promotion's settings; ``enabled`` is false for every other delivery."""
    gitops = gitops_of(plan, service, env)
    if gitops is None:
        return {"enabled": False}
    # imported here: the Rollout's manifests import the engines, which import this module
    from generator.targets.deploy import rollouts

    environment = plan.environments[env]
    source = staged_in(plan, service, env)
    return {
        "enabled": True,
        "repository": gitops.repository,
        "branch": gitops.branch,
        "path": gitops.path(env, service.name),
        "controller": gitops.controller.value,
        "controller_namespace": gitops.namespace(),
        "application": f"{service.name}-{env}",
        "review": env in gitops.reviewed(plan.environments),
        "production": environment.environment_type is EnvironmentType.PRODUCTION
        or environment.configuration.protected,
        # a canary's pauses and analyses come on top of the sync
        "sync_timeout": str(
            int(duration_seconds(gitops.sync_policy.timeout))
            + rollouts.duration(plan, service, env)
        ),
        "rollout": rollouts.managed(service, env),
        "helm": service.targets[env].engine is Engine.HELM,
        "argocd_server": gitops.argocd_servers.get(env, "")
        if gitops.controller is GitOpsController.ARGOCD
        else "",
        "token_variable": TOKEN_VARIABLE,
        "source_environment": source or "",
        "source_path": gitops.path(source, service.name) if source else "",
    }


def argocd_server(plan: DeploymentPlan, service: Service, env: str) -> str | None:
    """The Argo CD API server CI reads the promotion's Application from, if the spec names
    one (the argocd CLI then needs the read-only token ``ARGOCD_TOKEN``)."""
    gitops = gitops_of(plan, service, env)
    if gitops is None or gitops.controller is not GitOpsController.ARGOCD:
        return None
    return gitops.argocd_servers.get(env)


def staged_in(plan: DeploymentPlan, service: Service, env: str) -> str | None:
    """For a production environment, the environment whose promoted digest it takes (its
    staging, else its development); None for the others."""
    if plan.environments[env].environment_type not in PRODUCTION_TYPES:
        return None
    promoted = [
        e for e in service.targets if gitops_of(plan, service, e) and e in plan.environments
    ]
    for kind in STAGED_IN:
        found = [e for e in promoted if plan.environments[e].environment_type is kind]
        if found:
            return found[0]
    return None


def tools(plan: DeploymentPlan, service: Service, env: str) -> tuple[str, ...] | None:
    """What a promotion runs (git, and what reads the controller's status); None when the
    target is not delivered through GitOps."""
    gitops = gitops_of(plan, service, env)
    if gitops is None:
        return None
    if gitops.controller is GitOpsController.ARGOCD and env in gitops.argocd_servers:
        return (*TOOLS, "argocd", "jq")
    return (*TOOLS, "kubectl")

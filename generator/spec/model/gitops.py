"""GitOps delivery: the desired state is committed to a repository that Argo CD or Flux
syncs into each cluster, instead of being applied to it by the deploy scripts."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from generator.spec.model.ci import GIT_REF
from generator.spec.model.environments import DeploymentEnvironment, EnvironmentType
from generator.spec.model.types import Duration, EnvironmentRef, Name, SpecModel, Url

#: Where a service's manifests for one environment live in the GitOps repository.
DEFAULT_LAYOUT = "envs/{environment}/{service}"
#: `host[:port]` of an Argo CD API server, as the `argocd` CLI takes it.
ArgoCdServer = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")
]
#: The cluster Argo CD runs in, as Argo CD names it.
IN_CLUSTER = "https://kubernetes.default.svc"


class Delivery(StrEnum):
    """How a kubernetes target's manifests reach its cluster."""

    DIRECT = "direct"
    GITOPS = "gitops"


class GitOpsController(StrEnum):
    """The controller that syncs the GitOps repository into the clusters."""

    ARGOCD = "argocd"
    FLUX = "flux"


class SyncPolicy(SpecModel):
    """How the controller applies what is committed."""

    automated: bool = Field(
        True,
        description="Sync every new commit without a person pressing sync (Argo CD "
        "`syncPolicy.automated`; Flux always reconciles).",
    )
    prune: bool = Field(True, description="Delete resources that were removed from the repository.")
    self_heal: bool = Field(
        True,
        description="Undo changes made to the cluster by hand (Argo CD `selfHeal`; Flux "
        "always does).",
    )
    wait: bool = Field(
        False,
        description="Flux: wait for every applied resource to be ready (`wait: true`); "
        "without it the service's Deployment is the health check.",
    )
    retry_limit: int = Field(
        5, ge=0, le=100, description="Attempts at a failed sync before giving up (Argo CD)."
    )
    interval: Duration = Field(
        "5m", description="How often the controller fetches the repository and reconciles."
    )
    timeout: Duration = Field(
        "5m", description="Longest a sync may take to become healthy before it counts as failed."
    )


class Rollouts(SpecModel):
    """Canaries of GitOps deliveries, carried out in the cluster by Argo Rollouts."""

    step_pause: Duration = Field(
        "2m",
        description="How long each canary weight holds before its analysis runs and the "
        "next weight is set.",
    )
    analysis_interval: Duration = Field(
        "1m",
        description="How often the background analysis measures the validation criteria "
        "(error rate, p95 latency, availability) while the canary runs.",
    )
    failure_limit: int = Field(
        1,
        ge=0,
        le=100,
        description="Failed measurements of a validation criterion the background analysis "
        "tolerates before it aborts the canary.",
    )
    prometheus: dict[EnvironmentRef, Url] = Field(
        default_factory=dict,
        description="Environment -> Prometheus address the Argo Rollouts controller queries "
        "from inside the cluster, e.g. `http://prometheus-operated.monitoring.svc:9090` "
        "[default: the URL of the `metrics` monitoring tool].",
    )


class GitOps(SpecModel):
    """The GitOps repository that kubernetes targets with `delivery: gitops` are written to."""

    repository: Url = Field(
        description="URL of the GitOps repository the controller pulls, e.g. "
        "`https://github.com/example/shop-gitops`."
    )
    branch: str = Field("main", pattern=GIT_REF, description="Branch the controller syncs.")
    layout: str = Field(
        DEFAULT_LAYOUT,
        pattern=r"^[A-Za-z0-9_{}-][A-Za-z0-9._{}-]*(/[A-Za-z0-9_{}-][A-Za-z0-9._{}-]*)*$",
        description="Folder of one service's manifests for one environment in the repository, "
        "with the placeholders `{environment}` and `{service}`; both are needed, so that "
        "services and environments never share a folder.",
    )
    controller: GitOpsController = Field(
        GitOpsController.ARGOCD, description="What syncs the repository: `argocd` or `flux`."
    )
    controller_namespace: Name | None = Field(
        None,
        description="Namespace the controller and its resources live in [default: `argocd` "
        "for Argo CD, `flux-system` for Flux].",
    )
    project: Name | None = Field(
        None,
        description="Prefix of the Argo CD AppProjects, one per environment named "
        "`<project>-<environment>`, that the Applications belong to [default: the project "
        "name].",
    )
    clusters: dict[EnvironmentRef, Url] = Field(
        default_factory=dict,
        description="Environment -> API server URL of its cluster as the controller knows it "
        f"[default: `{IN_CLUSTER}`, a controller running in each environment's own cluster].",
    )
    sync_policy: SyncPolicy = Field(
        default_factory=SyncPolicy, description="How and how often the controller syncs."
    )
    rollouts: Rollouts = Field(
        default_factory=Rollouts,
        description="Canary targets (`strategy: canary`) become Argo Rollouts `Rollout`s "
        "whose weights the ingress controller applies to requests, with `AnalysisTemplate`s "
        "from the metric validation points and the validation criteria.",
    )
    argocd_servers: dict[EnvironmentRef, ArgoCdServer] = Field(
        default_factory=dict,
        description="Environment -> `host[:port]` of the Argo CD API server that CI reads "
        "the Application's status from with the `argocd` CLI and the read-only token "
        "`ARGOCD_TOKEN`; without one, the promotion reads the Application resource with "
        "kubectl.",
    )
    pull_request_environments: list[EnvironmentRef] | None = Field(
        None,
        description="Environments whose changes go through a merge or pull request, reviewed "
        "before merge, instead of a direct commit [default: protected and production "
        "environments].",
    )

    def namespace(self) -> str:
        """Where the controller's own resources live."""
        if self.controller_namespace:
            return self.controller_namespace
        return "argocd" if self.controller is GitOpsController.ARGOCD else "flux-system"

    def path(self, environment: str, service: str) -> str:
        """The layout filled in for one service in one environment."""
        return self.layout.replace("{environment}", environment).replace("{service}", service)

    def cluster(self, environment: str) -> str:
        """The API server the controller deploys ``environment`` to."""
        return self.clusters.get(environment, IN_CLUSTER)

    def reviewed(self, environments: Mapping[str, DeploymentEnvironment]) -> list[str]:
        """Environments whose changes go through a merge or pull request, in spec order."""
        if self.pull_request_environments is not None:
            return [e for e in environments if e in self.pull_request_environments]
        return [
            name
            for name, env in environments.items()
            if env.configuration.protected or env.environment_type is EnvironmentType.PRODUCTION
        ]

"""Seed §3: the deployment flow and the automation strategy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.ci import (
    GIT_REF,
    IMAGE,
    RUNNER_LABEL,
    ClusterCredentials,
    OidcLogin,
    RunnerLabel,
    SourcePath,
)
from generator.spec.model.gitops import GitOps
from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    Identifier,
    Name,
    Percent,
    ServiceRef,
    SpecModel,
    StageRef,
    Text,
    Url,
)


class StageAction(StrEnum):
    BUILD = "build"
    TEST = "test"
    SCAN = "scan"
    MIGRATE = "migrate"
    DEPLOY = "deploy"
    VERIFY = "verify"
    APPROVE = "approve"
    NOTIFY = "notify"


class DeploymentStage(SpecModel):
    """One step of a deployment; stages run in ``depends_on`` order."""

    name: Identifier = Field(description="Unique stage name.")
    description: Text = Field("", description="What the stage does.")
    action: StageAction = Field(description="What kind of work the stage does.")
    depends_on: list[StageRef] = Field(
        default_factory=list, description="Stages that must succeed first."
    )
    command: Text | None = Field(None, description="Command the stage runs, if any.")
    timeout: Duration = Field("10m", description="Longest the stage may take.")
    retries: int = Field(0, ge=0, le=10, description="Extra attempts after a failure.")
    environments: list[EnvironmentRef] = Field(
        default_factory=list, description="Environments where it runs; empty means all."
    )
    rollback_on_failure: bool = Field(
        True, description="Roll the release back when this stage fails."
    )


class Dependency(SpecModel):
    """A service needs another service or an external system to be up first."""

    service: ServiceRef = Field(description="The dependent service.")
    requires: Name = Field(description="A service name, or an external system's name.")
    external: bool = Field(False, description="`requires` names a system outside the plan.")
    check_url: Url | None = Field(None, description="URL that answers when the dependency is up.")
    critical: bool = Field(True, description="The service cannot work without it.")


class HttpCheck(SpecModel):
    type: Literal["http"] = Field(description="Probe an HTTP endpoint.")
    url: Url = Field(description="URL to request.")
    expect_status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    contains: Text | None = Field(None, description="Text the body must contain.")


class CommandCheck(SpecModel):
    type: Literal["command"] = Field(description="Run a command; exit 0 passes.")
    command: Text = Field(description="The command.")


class MetricCheck(SpecModel):
    type: Literal["metric"] = Field(description="Query Prometheus and compare.")
    query: Text = Field(
        description="PromQL expression returning one number; `$SERVICE` and `$ENVIRONMENT` "
        "are replaced by the gated service's and environment's names."
    )
    operator: Literal["<", "<=", ">", ">="] = Field(description="How to compare.")
    threshold: float = Field(description="The value the result is compared with.")


Check = Annotated[HttpCheck | CommandCheck | MetricCheck, Field(discriminator="type")]


class ValidationPoint(SpecModel):
    """A gate: after ``after_stage``, ``check`` must pass before the deploy goes on."""

    name: Identifier = Field(description="Unique gate name.")
    after_stage: StageRef = Field(description="The stage the gate follows.")
    check: Check = Field(description="What is checked.")
    services: list[ServiceRef] = Field(
        default_factory=list, description="Services whose deploys it gates; empty means all."
    )
    environments: list[EnvironmentRef] = Field(
        default_factory=list, description="Environments where it gates; empty means all."
    )
    retries: int = Field(5, ge=0, le=100, description="Extra attempts after a failed check.")
    interval: Duration = Field("10s", description="Pause between attempts.")
    deadline: Duration = Field("5m", description="Give up after this long.")
    on_failure: Literal["rollback", "abort", "continue"] = Field(
        "rollback", description="What a failed gate does."
    )


class RollbackPolicy(SpecModel):
    automatic: bool = Field(True, description="Roll back on a failed stage, gate or signal.")
    keep_releases: int = Field(5, ge=1, le=100, description="Releases kept for rollback.")


class DeploymentFlow(SpecModel):
    """Seed §3.1 ``DeploymentFlow``."""

    stages: list[DeploymentStage] = Field(min_length=1, description="The deployment stages.")
    dependencies: list[Dependency] = Field(
        default_factory=list, description="Service and external dependencies."
    )
    validation_points: list[ValidationPoint] = Field(
        default_factory=list, description="Gates between stages."
    )
    rollback: RollbackPolicy = Field(
        default_factory=RollbackPolicy, description="How failed deploys are undone."
    )


class PipelineProvider(StrEnum):
    GITHUB_ACTIONS = "github_actions"
    GITLAB_CI = "gitlab_ci"


class Pipeline(SpecModel):
    """Seed ``Pipeline``: where CI/CD runs and how."""

    providers: list[PipelineProvider] = Field(
        min_length=1, description="CI systems to generate pipelines for."
    )
    runner: str = Field(
        "ubuntu-24.04",
        pattern=RUNNER_LABEL,
        description="GitHub Actions runner label of the build, test and scan jobs.",
    )
    deploy_runner: str | None = Field(
        None,
        pattern=RUNNER_LABEL,
        description="Runner label (GitHub) or runner tag (GitLab) of the deploy jobs, e.g. a "
        "self-hosted runner inside the cluster network; default: `runner` / any runner.",
    )
    gitlab_image: str = Field(
        "docker.io/library/debian:bookworm-slim"
        "@sha256:74d56e3931e0d5a1dd51f8c8a2466d21de84a271cd3b5a733b803aa91abf4421",
        pattern=IMAGE,
        description="Image GitLab jobs run in unless a tool brings its own: it needs the "
        "build toolchain, curl and the deploy CLIs. Pin it by digest (`…@sha256:…`).",
    )
    registry: str = Field(
        pattern=IMAGE, description="Container registry the pipelines push images to."
    )
    job_timeout: Duration = Field("30m", description="Default timeout of every job.")
    coverage_threshold: Percent | None = Field(
        None, description="Minimum test coverage for the build to pass."
    )
    drift_check: bool = Field(
        True, description="Add a job that fails when committed pipelines differ from the spec."
    )
    oidc: list[OidcLogin] = Field(
        default_factory=list,
        description="How deploy jobs log in to each secret provider with the CI's OIDC token.",
    )
    deploy_runners: dict[EnvironmentRef, RunnerLabel] = Field(
        default_factory=dict,
        description="Environment -> runner label (GitHub) or runner tag (GitLab) of its deploy "
        "jobs, e.g. a runner inside that environment's network; default: `deploy_runner`.",
    )
    clusters: dict[EnvironmentRef, ClusterCredentials] = Field(
        default_factory=dict,
        description="Environment -> how its deploy jobs get credentials for the Kubernetes "
        "cluster (kubernetes, helm): EKS, GKE or AKS through the CI's OIDC token, or a "
        "kubeconfig secret. Without one, the runner must already have access.",
    )
    source_paths: dict[ServiceRef, SourcePath] = Field(
        default_factory=dict,
        description="Service -> folder of its source in an application repository shared "
        "with other services (a monorepo): its pipelines run only when that folder or its "
        "generated files change. Default: the whole repository.",
    )


class AutomationTool(SpecModel):
    """A tool or CI action the automation uses, pinned to a version."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="Tool or action name, e.g. `kubectl` or `actions/checkout`.",
    )
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$", description="Version or tag.")
    sha: str | None = Field(
        None, pattern=r"^[0-9a-f]{40}$", description="Commit SHA to pin a CI action to."
    )
    digest: str | None = Field(
        None,
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="Digest to pin the tool's container image to (scanners, cosign).",
    )
    purpose: Text = Field("", description="What it is used for.")


class ScriptRepository(SpecModel):
    url: Url = Field(description="Repository holding the generated scripts.")
    branch: str = Field("main", pattern=GIT_REF, description="Branch the scripts are taken from.")
    path: str = Field("deploy", pattern=r"^[A-Za-z0-9._/-]+$", description="Folder in it.")


class AutomationStrategy(SpecModel):
    """Seed §3.2 ``AutomationStrategy``."""

    ci_cd_pipeline: Pipeline = Field(description="CI/CD settings.")
    automation_tools: list[AutomationTool] = Field(
        default_factory=list, description="Pinned tools and actions."
    )
    script_repository: ScriptRepository | None = Field(
        None, description="Where generated scripts are published."
    )
    gitops: GitOps | None = Field(
        None,
        description="The GitOps repository and controller of kubernetes targets with "
        "`delivery: gitops`.",
    )

"""One service's pipeline as data, the same for every CI provider.

The provider modules (:mod:`.github`, :mod:`.gitlab`) only lay this out in their syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.spec.model import DeploymentPlan, EnvironmentType, Service
from generator.spec.model.ci import ClusterCredentials
from generator.spec.model.configuration import (
    BranchingModel,
    BranchingStrategy,
    ReleasePolicy,
    SemverScheme,
    VersionManagement,
)
from generator.spec.model.process import Pipeline, StageAction
from generator.spec.model.project import Upstream
from generator.spec.model.security import Permission
from generator.spec.model.types import duration_seconds
from generator.targets.deploy import gitops
from generator.targets.pipelines.secrets import SecretAccess, secret_access
from generator.targets.pipelines.security import SecurityGates, security_gates
from generator.targets.pipelines.tools import Tools
from generator.targets.pipelines.triggers import PRODUCTION_TYPES, Triggers, triggers
from generator.targets.pipelines.versions import TagRule, tag_rule

# Environments deploy in this order: development first, disaster recovery last.
_ORDER = (
    EnvironmentType.DEVELOPMENT,
    EnvironmentType.STAGING,
    EnvironmentType.PRODUCTION,
    EnvironmentType.DISASTER_RECOVERY,
)
# Where the synced scripts live in the application repository: one folder per service.
APP_FOLDER = "deployplan"
# Deploy-flow stages CI has run already when it deploys: deploy.sh is told to skip them.
# Migrations are not among them: they run on the target, as part of the deploy.
CI_STAGE_ACTIONS = frozenset({StageAction.BUILD, StageAction.TEST, StageAction.SCAN})
_KUBERNETES_ENGINES = frozenset({"kubernetes", "helm"})
_VM_ENGINES = frozenset({"local", "systemd", "ansible"})
_DEFAULT_VERSIONS = VersionManagement(
    version_scheme=SemverScheme(type="semver"),
    branching_strategy=BranchingStrategy(model=BranchingModel.TRUNK),
)


@dataclass(frozen=True)
class Approval:
    """Who must approve a deploy to one environment."""

    roles: tuple[str, ...]
    teams: tuple[str, ...]
    required: int
    separate_from_author: bool


@dataclass(frozen=True)
class FreezeWindow:
    """A release freeze as Unix times (end exclusive)."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Stage:
    """A deploy of the service to one environment."""

    environment: str
    type: EnvironmentType
    url: str | None
    previous: str | None
    approval: Approval | None
    deployers: tuple[str, ...]
    freeze_windows: tuple[FreezeWindow, ...]
    verify_signature: bool
    secrets: SecretAccess
    folder: str
    engine: str
    runner: str
    cluster: ClusterCredentials | None
    #: The CI secret holding the GitOps repository's token, when the deploy is a promotion:
    #: the job then gets no cluster credentials.
    gitops_secret: str | None = None
    #: The Argo CD API server the promotion reads its Application from with the argocd CLI
    #: and the read-only token in ``argocd_secret``.
    argocd_server: str | None = None
    argocd_secret: str | None = None

    @property
    def kubernetes(self) -> bool:
        """Whether the deploy drives a cluster: the job needs kubectl (and helm)."""
        return self.engine in _KUBERNETES_ENGINES

    @property
    def production(self) -> bool:
        """Production and disaster recovery: deployed by releases only."""
        return self.type in PRODUCTION_TYPES

    @property
    def scripts(self) -> str:
        """Where this environment's deploy scripts are in the application repository."""
        return f"./{self.folder}/deploy/{self.environment}"


@dataclass(frozen=True)
class ServicePipeline:
    """Everything a provider needs to write one service's pipelines."""

    service: Service
    pipeline: Pipeline
    tools: Tools
    triggers: Triggers
    tag: TagRule
    release_notes: bool
    hotfixes_during_freeze: bool
    stages: tuple[Stage, ...]
    gates: SecurityGates
    scanner: str
    job_timeout_minutes: int
    drift_check: bool
    skip_stages: tuple[str, ...]
    source_path: str | None

    @property
    def name(self) -> str:
        """The service's name: it prefixes its workflows and jobs in a shared repository."""
        return self.service.name

    @property
    def folder(self) -> str:
        """The service's own folder in the application repository."""
        return f"{APP_FOLDER}/{self.service.name}"

    @property
    def upstream(self) -> Upstream | None:
        """The pinned upstream release the service runs, when it is not built here."""
        return self.service.upstream

    @property
    def builds(self) -> bool:
        """Whether CI builds the service: not for upstream images or managed services."""
        managed_only = all(t.engine == "managed" for t in self.service.targets.values())
        return self.upstream is None and not managed_only

    @property
    def image(self) -> bool:
        """Whether CI builds and publishes a container image (else a release archive)."""
        return self.builds and self.service.image is not None

    @property
    def archive(self) -> bool:
        """Whether CI publishes a release archive: what VM engines install on the hosts."""
        vm = any(t.engine in _VM_ENGINES for t in self.service.targets.values())
        return self.builds and (self.service.image is None or vm)

    @property
    def upstream_version(self) -> str | None:
        """``version`` or ``version@digest`` that deploys of an upstream service pin."""
        if self.upstream is None:
            return None
        digest = f"@{self.upstream.digest}" if self.upstream.digest else ""
        return self.upstream.version + digest

    @property
    def has_pipelines(self) -> bool:
        """Built services, and upstream services with something CI can deploy."""
        return self.builds or bool(self.stages)

    @property
    def paths(self) -> tuple[str, ...]:
        """Changes that run the service's pipelines; empty: any change."""
        if self.source_path is None:
            return ()
        return (f"{self.source_path}/**", f"{self.folder}/**")

    @property
    def uses_oidc(self) -> bool:
        """Whether any job needs an OIDC token: keyless signing or a secret login."""
        return self.gates.sign_images or any(s.secrets.uses_oidc for s in self.stages)

    def stages_of(self, types: tuple[EnvironmentType, ...]) -> tuple[Stage, ...]:
        """The stages of these environment types, in deploy order."""
        return tuple(stage for stage in self.stages if stage.type in types)


def service_pipeline(plan: DeploymentPlan, service: Service, spec_repo: bool) -> ServicePipeline:
    """The provider-independent pipeline of ``service``; ``plan.automation`` must be set."""
    assert plan.automation is not None
    pipeline = plan.automation.ci_cd_pipeline
    versions = plan.version_management or _DEFAULT_VERSIONS
    tools = Tools(plan.automation.automation_tools)
    gates = security_gates(plan)
    policy = versions.release_policy
    return ServicePipeline(
        service=service,
        pipeline=pipeline,
        tools=tools,
        triggers=triggers(versions.branching_strategy),
        tag=tag_rule(versions.version_scheme),
        release_notes=policy.release_notes,
        hotfixes_during_freeze=policy.hotfixes_during_freeze,
        stages=_stages(plan, service, policy, gates),
        gates=gates,
        scanner="grype" if tools.pinned("grype") and not tools.pinned("trivy") else "trivy",
        job_timeout_minutes=max(1, round(duration_seconds(pipeline.job_timeout) / 60)),
        drift_check=pipeline.drift_check and spec_repo,
        skip_stages=_ci_stages(plan),
        source_path=pipeline.source_paths.get(service.name),
    )


def _ci_stages(plan: DeploymentPlan) -> tuple[str, ...]:
    if plan.deployment_flow is None:
        return ()
    return tuple(s.name for s in plan.deployment_flow.stages if s.action in CI_STAGE_ACTIONS)


def _stages(
    plan: DeploymentPlan, service: Service, policy: ReleasePolicy, gates: SecurityGates
) -> tuple[Stage, ...]:
    assert plan.automation is not None
    pipeline = plan.automation.ci_cd_pipeline
    # a service CI does not build deploys through its own engines only: a managed one has
    # nothing released here
    managed_only = all(t.engine == "managed" for t in service.targets.values())
    built = service.upstream is None and not managed_only
    names = sorted(
        (
            env
            for env, target in service.targets.items()
            if env in plan.environments and (built or target.engine != "managed")
        ),
        key=lambda env: _ORDER.index(plan.environments[env].environment_type),
    )
    stages = []
    for index, env in enumerate(names):
        engine = str(service.targets[env].engine)
        promotes = gitops.gitops_of(plan, service, env) is not None
        stages.append(
            Stage(
                environment=env,
                type=plan.environments[env].environment_type,
                url=plan.environments[env].configuration.url,
                previous=names[index - 1] if index else None,
                approval=_approval(plan, policy, env),
                deployers=_teams_with(plan, env, Permission.DEPLOY),
                freeze_windows=_freezes(policy, env, plan.project.timezone),
                verify_signature=env in gates.verify_in,
                secrets=secret_access(plan, service, env),
                folder=f"{APP_FOLDER}/{service.name}",
                engine=engine,
                runner=pipeline.deploy_runners.get(env)
                or pipeline.deploy_runner
                or pipeline.runner,
                cluster=(
                    pipeline.clusters.get(env)
                    if engine in _KUBERNETES_ENGINES and not promotes
                    else None
                ),
                gitops_secret=gitops.TOKEN_SECRET if promotes else None,
                argocd_server=gitops.argocd_server(plan, service, env),
                argocd_secret=gitops.ARGOCD_TOKEN_SECRET
                if gitops.argocd_server(plan, service, env)
                else None,
            )
        )
    return tuple(stages)


def _approval(plan: DeploymentPlan, policy: ReleasePolicy, env: str) -> Approval | None:
    rule = next((a for a in policy.approvals if a.environment == env), None)
    if rule is None:
        return None
    roles = (
        {role.name: role for role in plan.security.access_controls.roles} if plan.security else {}
    )
    teams = sorted({team for name in rule.approvers if name in roles for team in roles[name].teams})
    return Approval(tuple(rule.approvers), tuple(teams), rule.required, rule.separate_from_author)


def _teams_with(plan: DeploymentPlan, env: str, permission: Permission) -> tuple[str, ...]:
    if plan.security is None:
        return ()
    roles = plan.security.access_controls.roles
    return tuple(
        sorted({t for r in roles if permission in r.permissions.get(env, []) for t in r.teams})
    )


def _freezes(policy: ReleasePolicy, env: str, timezone: str) -> tuple[FreezeWindow, ...]:
    return tuple(
        FreezeWindow(w.name, _epoch(w.start, timezone), _epoch(w.end, timezone))
        for w in policy.freeze_windows
        if env in w.environments
    )


def _epoch(moment: datetime, timezone: str) -> int:
    """Unix time of ``moment``; a time without offset is read in the project's zone."""
    if moment.tzinfo is None:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        moment = moment.replace(tzinfo=zone)
    return int(moment.timestamp())

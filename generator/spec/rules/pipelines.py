"""Pipelines that can run as the spec says: an OIDC login wherever a deploy job reads
secrets with one, pinned security tools, a spec repository for the drift job, approvals
for environments that are deployed; and (from :mod:`.protection`) what each CI's
environment protection can enforce.

The rules mirror what :mod:`generator.targets.pipelines` generates (kept apart so that
validating does not import the targets).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Location, Severity
from generator.spec.model import DeploymentPlan
from generator.spec.model.ci import OIDC_PROVIDERS
from generator.spec.model.process import PipelineProvider
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext
from generator.spec.rules.protection import (
    approval_reviewers,
    deployed_environments,
    github_approvals,
    gitlab_groups,
    names,
    ordered,
    warning,
)

_PIPELINE = ("automation", "ci_cd_pipeline")
_TOOLS = ("automation", "automation_tools")
_SECRETS = ("configuration_management", "secrets_management")
_APPROVALS = ("version_management", "release_policy", "approvals")
# Tools each security policy runs in the pipelines; any one of a tuple serves.
SECURITY_TOOLS: dict[str, tuple[tuple[str, ...], ...]] = {
    "dependency_scanning": (("trivy", "grype"),),
    "image_scanning": (("trivy", "grype"),),
    "secret_scanning": (("gitleaks",),),
    "image_signing": (("cosign",), ("sigstore/cosign-installer",)),
}
_GITHUB_ONLY = frozenset({"sigstore/cosign-installer"})
_NEEDS_IMAGE = frozenset({"image_scanning", "image_signing"})


def _pipeline_location(ctx: RuleContext, field: str) -> Location:
    """Where ``automation.ci_cd_pipeline.<field>`` is, else where the pipeline is."""
    if field in ctx.data["automation"]["ci_cd_pipeline"]:
        return ctx.positions.value((*_PIPELINE, field))
    return ctx.positions.key(_PIPELINE)


def oidc_logins(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A deploy job that reads secrets with OIDC has a login for that provider and
    environment in ``automation.ci_cd_pipeline.oidc``."""
    plan = ctx.plan
    management = plan.configuration_management.secrets_management
    if plan.automation is None or management is None or management.auth != "oidc":
        return
    logins = plan.automation.ci_cd_pipeline.oidc
    for path, provider, secret, environments in _secret_reads(plan):
        if provider not in OIDC_PROVIDERS:
            continue
        roles = {env for login in logins if login.provider == provider for env in login.roles}
        missing = ordered(plan, environments - roles)
        if not missing:
            continue
        what = f"secret `{secret}`" if secret else "secrets"
        index = next((i for i, login in enumerate(logins) if login.provider == provider), None)
        if index is None:
            note = (
                "OIDC logins of deploy jobs are configured here",
                _pipeline_location(ctx, "oidc"),
            )
            hint = (
                f"add `- provider: {provider}` with `roles:` for {names(missing)} to "
                "automation.ci_cd_pipeline.oidc, or set secrets_management.auth to how "
                "deploy jobs authenticate instead"
            )
        else:
            roles_path = (*_PIPELINE, "oidc", index, "roles")
            note = (
                f"the roles of the `{provider}` login are here",
                ctx.positions.value(roles_path),
            )
            hint = f"add a role for {names(missing)} to the roles of the `{provider}` login"
        yield Diagnostic(
            "oidc-login",
            f"deploy jobs read {what} from `{provider}` with OIDC in {names(missing)}, but "
            f"automation.ci_cd_pipeline.oidc has no `{provider}` login for "
            f"{'it' if len(missing) == 1 else 'them'}",
            ctx.positions.value(path),
            path,
            hint=hint,
            notes=(note,),
        )


def _secret_reads(plan: DeploymentPlan) -> list[tuple[Path, str, str | None, set[str]]]:
    """(provider node, provider, secret or None for the default, environments read in)."""
    management = plan.configuration_management.secrets_management
    assert management is not None
    default: set[str] = set()
    reads: list[tuple[Path, str, str | None, set[str]]] = []
    for index, secret in enumerate(management.secrets):
        environments = {
            env
            for service in plan.services
            if secret.name in _secretnames(plan, service.name)
            for env in service.targets
            if env in plan.environments
        }
        if secret.provider is None:
            default |= environments
        else:
            path = (*_SECRETS, "secrets", index, "provider")
            reads.append((path, secret.provider, secret.name, environments))
    return [((*_SECRETS, "provider"), management.provider, None, default), *reads]


def _secretnames(plan: DeploymentPlan, service: str) -> set[str]:
    """Secrets a deploy of ``service`` reads, as the pipelines compute them."""
    config = plan.configuration_management
    names = {
        var.secret
        for var in config.environment_variables
        if var.secret and (not var.services or service in var.services)
    }
    if config.secrets_management is not None:
        names |= {s.name for s in config.secrets_management.secrets if service in s.services}
    return names


def security_tools(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A tool a security policy runs in the pipelines is pinned in automation_tools;
    else the pipelines use deployplan's built-in pin (a warning)."""
    plan = ctx.plan
    if plan.automation is None or plan.security is None:
        return
    pinned = {tool.name for tool in plan.automation.automation_tools}
    github = PipelineProvider.GITHUB_ACTIONS in plan.automation.ci_cd_pipeline.providers
    images = any(service.image for service in plan.services)
    for index, policy in enumerate(plan.security.security_policies):
        wanted = SECURITY_TOOLS.get(policy.kind, ())
        if policy.kind in _NEEDS_IMAGE and not images:
            continue
        missing = [
            choice
            for choice in wanted
            if not pinned & set(choice) and (github or choice[0] not in _GITHUB_ONLY)
        ]
        if missing:
            yield _unpinned(ctx, index, policy.name, missing)


def _unpinned(
    ctx: RuleContext, index: int, policy: str, missing: list[tuple[str, ...]]
) -> Diagnostic:
    tools = " and ".join(" or ".join(f"`{name}`" for name in choice) for choice in missing)
    entries = ", ".join(f"`{{name: {choice[0]}, version: …}}`" for choice in missing)
    if "automation_tools" in ctx.data["automation"]:
        note = ("pinned tools are listed here", ctx.positions.value(_TOOLS))
    else:
        note = ("automation is configured here", ctx.positions.key(("automation",)))
    return warning(
        ctx,
        ("security", "security_policies", index, "kind"),
        "tool-pin",
        f"policy `{policy}` runs {tools} in the pipelines, but automation.automation_tools "
        f"does not pin {'it' if len(missing) == 1 else 'them'}: the pipelines use "
        "deployplan's built-in pin",
        f"add {entries} to automation.automation_tools (with `digest:` for an image, `sha:` "
        "for an action), so that upgrades are your decision",
        note,
    )


def drift_check_source(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The drift job needs the spec's repository (on github.com for GitHub workflows)."""
    plan = ctx.plan
    if plan.automation is None or not plan.automation.ci_cd_pipeline.drift_check:
        return
    where = _pipeline_location(ctx, "drift_check")
    path = (*_PIPELINE, "drift_check")
    repository = plan.project.repository
    if repository is None:
        yield Diagnostic(
            "drift-check",
            "drift_check is on, but project.repository is not set: the pipelines cannot "
            "fetch the spec, so they get no drift job",
            where,
            path,
            severity=Severity.WARNING,
            hint="set project.repository to the git URL of the repository holding this "
            "spec, or `drift_check: false`",
            notes=(("project has no `repository`", ctx.positions.key(("project",))),),
        )
    elif PipelineProvider.GITHUB_ACTIONS in plan.automation.ci_cd_pipeline.providers and (
        not repository.startswith("https://github.com/")
    ):
        yield Diagnostic(
            "drift-check",
            "drift_check is on, but project.repository is not on github.com: GitHub "
            "workflows cannot check it out, so they get no drift job",
            where,
            path,
            severity=Severity.WARNING,
            hint="keep the spec in a github.com repository for GitHub's drift job, or "
            "rely on the GitLab pipeline's",
            notes=(("the spec's repository", ctx.positions.value(("project", "repository"))),),
        )


def approvals_deployed(ctx: RuleContext) -> Iterator[Diagnostic]:
    """An approval rule names an environment the pipelines deploy to."""
    plan = ctx.plan
    if plan.automation is None or plan.version_management is None:
        return
    deployed = deployed_environments(plan)
    for index, approval in enumerate(plan.version_management.release_policy.approvals):
        env = approval.environment
        if env not in plan.environments or env in deployed:
            continue  # an unknown environment is an unknown-reference
        yield Diagnostic(
            "approval-environment",
            f"approvals are required for `{env}`, but no pipeline deploys to it: no "
            "service targets it",
            ctx.positions.value((*_APPROVALS, index, "environment")),
            (*_APPROVALS, index, "environment"),
            hint=f"add `{env}` to the `targets` of the services deployed there, or remove "
            "this approval",
            notes=(
                (f"environment `{env}` is defined here", ctx.positions.key(("environments", env))),
            ),
        )


PIPELINE_RULES = (
    oidc_logins,
    security_tools,
    drift_check_source,
    approvals_deployed,
    github_approvals,
    approval_reviewers,
    gitlab_groups,
)

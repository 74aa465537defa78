"""Environment protection the CI can enforce: approvals by teams, counted as each CI
counts them, and the teams' identities on GitHub and GitLab.

``configure-github-environments.sh`` and ``configure-gitlab-environments.sh`` apply what
these rules check (see :mod:`generator.targets.pipelines.protection`).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Location, Severity
from generator.spec.model import DeploymentPlan
from generator.spec.model.configuration import Approval
from generator.spec.model.process import PipelineProvider
from generator.spec.model.security import Permission
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext

_PIPELINE = ("automation", "ci_cd_pipeline")
_APPROVALS = ("version_management", "release_policy", "approvals")
_GITHUB_REVIEWERS = 6


def warning(
    ctx: RuleContext, path: Path, code: str, message: str, hint: str, note: tuple[str, Location]
) -> Diagnostic:
    """A warning at the value of ``path``, with one note."""
    return Diagnostic(
        code,
        message,
        ctx.positions.value(path),
        path,
        severity=Severity.WARNING,
        hint=hint,
        notes=(note,),
    )


def names(items: list[str] | tuple[str, ...] | set[str]) -> str:
    """Each item in backquotes, comma-separated: for messages."""
    return ", ".join(f"`{item}`" for item in items)


def deployed_environments(plan: DeploymentPlan) -> set[str]:
    """Environments some service's pipeline deploys to (none without ``automation``)."""
    if plan.automation is None:
        return set()
    return {env for s in plan.services for env in s.targets if env in plan.environments}


def ordered(plan: DeploymentPlan, environments: set[str]) -> list[str]:
    """``environments`` in the order the spec defines them."""
    return [env for env in plan.environments if env in environments]


def provider_location(ctx: RuleContext, provider: PipelineProvider) -> Location:
    """Where ``provider`` is listed in ``automation.ci_cd_pipeline.providers``."""
    assert ctx.plan.automation is not None
    index = ctx.plan.automation.ci_cd_pipeline.providers.index(provider)
    return ctx.positions.value((*_PIPELINE, "providers", index))


def github_approvals(ctx: RuleContext) -> Iterator[Diagnostic]:
    """GitHub environments release a job on one approval and take at most six reviewers."""
    plan = ctx.plan
    if plan.automation is None or plan.version_management is None:
        return
    if PipelineProvider.GITHUB_ACTIONS not in plan.automation.ci_cd_pipeline.providers:
        return
    github = (
        "GitHub Actions is selected here",
        provider_location(ctx, PipelineProvider.GITHUB_ACTIONS),
    )
    deployed = deployed_environments(plan)
    for index, approval in enumerate(plan.version_management.release_policy.approvals):
        if approval.environment not in deployed:
            continue
        env = approval.environment
        if approval.required > 1:
            yield warning(
                ctx,
                (*_APPROVALS, index, "required"),
                "github-approvals",
                f"`{env}` requires {approval.required} approvals, but a GitHub environment "
                "releases its deploy job on the first approval of any required reviewer",
                "GitLab's protected environments count approvals; on GitHub, ask for the "
                "further reviews elsewhere (e.g. a protected release tag) or set "
                "`required: 1`",
                github,
            )
        teams = approver_teams(plan, approval)
        if len(teams) > _GITHUB_REVIEWERS:
            yield warning(
                ctx,
                (*_APPROVALS, index, "approvers"),
                "github-approvals",
                f"the approvers of `{env}` are {len(teams)} teams, and a GitHub environment "
                f"takes at most {_GITHUB_REVIEWERS} reviewers",
                "approve through a role held by fewer teams",
                github,
            )


def approver_teams(plan: DeploymentPlan, approval: Approval) -> list[str]:
    """The teams holding the roles that approve ``approval``, sorted."""
    if plan.security is None:
        return []
    roles = plan.security.access_controls.roles
    return sorted({t for r in roles if r.name in approval.approvers for t in r.teams})


def approval_reviewers(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Approvers of a deployed environment are roles some team holds: CI environments
    ask teams, not roles, to approve."""
    plan = ctx.plan
    if plan.automation is None or plan.version_management is None or plan.security is None:
        return
    roles = {role.name for role in plan.security.access_controls.roles}
    deployed = deployed_environments(plan)
    for index, approval in enumerate(plan.version_management.release_policy.approvals):
        known = [name for name in approval.approvers if name in roles]
        if approval.environment not in deployed or not known or approver_teams(plan, approval):
            continue
        yield Diagnostic(
            "approval-reviewers",
            f"no team holds {names(known)}: the CI cannot ask anyone to approve deploys "
            f"to `{approval.environment}`, so they go out unapproved",
            ctx.positions.value((*_APPROVALS, index, "approvers")),
            (*_APPROVALS, index, "approvers"),
            severity=Severity.WARNING,
            hint="list the teams holding these roles in security.access_controls.roles[].teams",
        )


def gitlab_groups(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A team that deploys to or approves a GitLab-protected environment has a GitLab group."""
    plan = ctx.plan
    if plan.automation is None or plan.security is None:
        return
    if PipelineProvider.GITLAB_CI not in plan.automation.ci_cd_pipeline.providers:
        return
    involved: dict[str, set[str]] = {}
    for env in deployed_environments(plan):
        for name in protecting_teams(plan, env):
            involved.setdefault(name, set()).add(env)
    for index, team in enumerate(plan.project.teams):
        if team.name not in involved or team.gitlab_group is not None:
            continue
        yield warning(
            ctx,
            ("project", "teams", index, "name"),
            "gitlab-group",
            f"team `{team.name}` deploys to or approves deploys to "
            f"{names(ordered(plan, involved[team.name]))}, but has no `gitlab_group`: "
            "configure-gitlab-environments.sh cannot allow it there",
            "set `gitlab_group:` to the full path of the team's GitLab group, e.g. `shop/sre`",
            ("GitLab CI is selected here", provider_location(ctx, PipelineProvider.GITLAB_CI)),
        )


def protecting_teams(plan: DeploymentPlan, env: str) -> set[str]:
    """Teams allowed to deploy to ``env`` or asked to approve deploys there."""
    if plan.security is None:
        return set()
    teams = {
        team
        for role in plan.security.access_controls.roles
        if Permission.DEPLOY in role.permissions.get(env, [])
        for team in role.teams
    }
    if plan.version_management is not None:
        for approval in plan.version_management.release_policy.approvals:
            if approval.environment == env:
                teams |= set(approver_teams(plan, approval))
    return teams

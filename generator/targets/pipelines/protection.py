"""Environment protection a workflow file cannot express, as scripts that apply it
through each CI's API: ``configure-github-environments.sh`` (required reviewers,
self-review, which branches and tags may deploy) and ``configure-gitlab-environments.sh``
(protected environments: who may deploy, how many approvals).

What the scripts cannot enforce, ``deployplan validate`` warns about
(:mod:`generator.spec.rules.protection`, whose team lookups they share).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan
from generator.spec.model.process import PipelineProvider
from generator.spec.rules.protection import protecting_teams
from generator.targets.pipelines.service import ServicePipeline, Stage

GITHUB_SCRIPT = "configure-github-environments.sh"
GITLAB_SCRIPT = "configure-gitlab-environments.sh"
# GitLab's access level of Maintainers: who may deploy where the plan names no group.
MAINTAINERS = 40
_GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")
_GITLAB = re.compile(r"^(https?://[^/\s]+)/([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class RefPolicy:
    """A GitHub deployment branch or tag policy: ``kind`` is ``branch`` or ``tag``."""

    kind: str
    pattern: str

    @property
    def key(self) -> str:
        """How the script compares it with the policies GitHub lists."""
        return f"{self.kind}:{self.pattern}"

    @property
    def body(self) -> str:
        """The request that creates it."""
        return json.dumps({"name": self.pattern, "type": self.kind}, separators=(",", ":"))


@dataclass(frozen=True)
class GithubEnvironment:
    """One GitHub environment as the plan says; ``refs`` is None where any branch deploys."""

    name: str
    reviewers: tuple[str, ...]
    prevent_self_review: bool
    required: int
    refs: tuple[RefPolicy, ...] | None


@dataclass(frozen=True)
class GitlabEnvironment:
    """One GitLab protected environment: groups that may deploy and approve there."""

    name: str
    groups: tuple[str, ...]
    required_approvals: int


def artifacts(plan: DeploymentPlan, sp: ServicePipeline, base: PurePosixPath) -> list[Artifact]:
    """The configure scripts of the providers the plan selects, next to the pipelines."""
    providers = sp.pipeline.providers
    found = []
    if PipelineProvider.GITHUB_ACTIONS in providers:
        found.append((GITHUB_SCRIPT, "pipelines/github/" + GITHUB_SCRIPT, _github_context))
    if PipelineProvider.GITLAB_CI in providers:
        found.append((GITLAB_SCRIPT, "pipelines/gitlab/" + GITLAB_SCRIPT, _gitlab_context))
    return [
        Artifact(
            root=Root.OUTPUT,
            path=base / name,
            template=template + ".j2",
            family="pipelines",
            context=context(plan, sp),
            service=sp.service.name,
            executable=True,
        )
        for name, template, context in found
    ]


def github_environments(plan: DeploymentPlan, sp: ServicePipeline) -> list[GithubEnvironment]:
    """Every environment the service's GitHub deploy jobs use, in deploy order."""
    slugs = {team.name: team.github_team or team.name for team in plan.project.teams}
    return [
        GithubEnvironment(
            name=stage.environment,
            reviewers=tuple(sorted(slugs[t] for t in stage.approval.teams if t in slugs))
            if stage.approval
            else (),
            prevent_self_review=bool(stage.approval and stage.approval.separate_from_author),
            required=stage.approval.required if stage.approval else 0,
            refs=ref_policies(sp, stage),
        )
        for stage in sp.stages
    ]


def ref_policies(sp: ServicePipeline, stage: Stage) -> tuple[RefPolicy, ...] | None:
    """The branches and tags the branching strategy deploys ``stage`` from (None: any
    branch, where pull requests deploy). A wildcard does not match `/` on GitHub."""
    if sp.upstream is not None:
        # a pinned upstream release is deployed from the main branch, never from a tag
        return (RefPolicy("branch", sp.triggers.main.name),)
    if stage.production:
        return (RefPolicy("tag", sp.tag.glob),)
    refs: set[RefPolicy] = set()
    for deploy in sp.triggers.deploys:
        if stage.type not in deploy.types:
            continue
        if deploy.pull_requests:
            return None
        refs |= {
            RefPolicy("branch", branch.name + "*" if branch.prefix else branch.name)
            for branch in deploy.branches
        }
    return tuple(sorted(refs, key=lambda r: r.key)) or (RefPolicy("branch", sp.triggers.main.name),)


def gitlab_environments(plan: DeploymentPlan, sp: ServicePipeline) -> list[GitlabEnvironment]:
    """The service's environments that the plan protects: an approval or deploy rights."""
    groups = {team.name: team.gitlab_group for team in plan.project.teams}
    found = []
    for stage in sp.stages:
        teams = protecting_teams(plan, stage.environment)
        if not teams and stage.approval is None:
            continue
        paths = sorted({path for t in teams if (path := groups.get(t)) is not None})
        required = stage.approval.required if stage.approval else 0
        found.append(GitlabEnvironment(stage.environment, tuple(paths), required))
    return found


def _github_context(plan: DeploymentPlan, sp: ServicePipeline) -> dict[str, Any]:
    repository = sp.service.repository or ""
    match = _GITHUB.match(repository)
    return {
        "service": sp.service.name,
        "repository": match.group(1) if match else "",
        "environments": [
            {
                "name": env.name,
                "reviewers": list(env.reviewers),
                "prevent_self_review": "true" if env.prevent_self_review else "false",
                "branches": "all" if env.refs is None else "custom",
                "refs": [ref.key for ref in env.refs or ()],
                "bodies": [ref.body for ref in env.refs or ()],
                "summary": _github_summary(env),
            }
            for env in github_environments(plan, sp)
        ],
    }


def _github_summary(env: GithubEnvironment) -> str:
    if env.reviewers:
        author = "not by its author" if env.prevent_self_review else "the author may approve"
        asked = "1 approval" if env.required == 1 else f"{env.required} approvals asked, 1 enforced"
        review = f"reviewers {', '.join(env.reviewers)} ({asked}; {author})"
    else:
        review = "no review"
    if env.refs is None:
        source = "any branch"
    else:
        source = ", ".join(f"{ref.kind} {ref.pattern}" for ref in env.refs)
    return f"{env.name}: {review}; deploys from {source}"


def _gitlab_context(plan: DeploymentPlan, sp: ServicePipeline) -> dict[str, Any]:
    repository = sp.service.repository or ""
    match = None if _GITHUB.match(repository) else _GITLAB.match(repository)
    environments = gitlab_environments(plan, sp)
    protected = {env.name for env in environments}
    return {
        "service": sp.service.name,
        "url": match.group(1) if match else "https://gitlab.com",
        "project": match.group(2) if match else "",
        "environments": [
            {
                "name": env.name,
                "groups": list(env.groups),
                "required": env.required_approvals,
                "summary": _gitlab_summary(env),
            }
            for env in environments
        ],
        "unprotected": [s.environment for s in sp.stages if s.environment not in protected],
        "maintainers": MAINTAINERS,
    }


def _gitlab_summary(env: GitlabEnvironment) -> str:
    who = ", ".join(env.groups) if env.groups else "Maintainers (no team has a gitlab_group)"
    count = env.required_approvals
    approvals = f"{count} approval{'s' * (count != 1)}" if count else "no approval"
    return f"{env.name}: deploy and approve {who}; {approvals}"

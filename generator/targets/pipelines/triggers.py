"""Branching strategies decide which branches and tags build, and which deploy where.

- trunk: pushes to main (and pull requests into it) build; main deploys to development
  and staging.
- github_flow: the same builds; a pull request from the repository itself deploys to
  development (a review deploy), main deploys to staging.
- gitflow: develop, main, release/* and hotfix/* build; develop deploys to development,
  release/* and hotfix/* deploy to staging.

In every strategy only a release tag deploys to production and disaster recovery, and
release tags must point at a commit on the main branch.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model.configuration import BranchingModel, BranchingStrategy
from generator.spec.model.environments import EnvironmentType


@dataclass(frozen=True)
class Branch:
    """A branch name, or with ``prefix`` every branch whose name starts with it."""

    name: str
    prefix: bool = False

    @property
    def github_glob(self) -> str:
        """As a GitHub Actions branch filter."""
        return f"{self.name}**" if self.prefix else self.name

    @property
    def ref_glob(self) -> str:
        """As a glob over the full ref (``refs/heads/...``)."""
        return f"refs/heads/{self.github_glob}"


@dataclass(frozen=True)
class BranchDeploy:
    """Pushes to ``branches`` (or same-repository pull requests) deploy ``types``."""

    name: str
    branches: tuple[Branch, ...]
    types: tuple[EnvironmentType, ...]
    pull_requests: bool = False


@dataclass(frozen=True)
class Triggers:
    """What one branching strategy runs on."""

    model: BranchingModel
    main: Branch
    build_branches: tuple[Branch, ...]
    pull_request_branches: tuple[Branch, ...]
    deploys: tuple[BranchDeploy, ...]


PRODUCTION_TYPES = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)
_DEV = (EnvironmentType.DEVELOPMENT,)
_STAGING = (EnvironmentType.STAGING,)


def triggers(strategy: BranchingStrategy) -> Triggers:
    """The branches that build and the branch deploys of ``strategy``."""
    main = Branch(strategy.main_branch)
    if strategy.model is BranchingModel.GITFLOW:
        develop = Branch(strategy.develop_branch or "develop")
        releases = (
            Branch(strategy.release_branch_prefix, prefix=True),
            Branch(strategy.hotfix_branch_prefix, prefix=True),
        )
        return Triggers(
            strategy.model,
            main,
            (develop, main, *releases),
            (develop, main),
            (
                BranchDeploy("develop", (develop,), _DEV),
                BranchDeploy("release", releases, _STAGING),
            ),
        )
    deploys: tuple[BranchDeploy, ...]
    if strategy.model is BranchingModel.GITHUB_FLOW:
        deploys = (
            BranchDeploy("review", (main,), _DEV, pull_requests=True),
            BranchDeploy("main", (main,), _STAGING),
        )
    else:
        deploys = (BranchDeploy("main", (main,), (*_DEV, *_STAGING)),)
    return Triggers(strategy.model, main, (main,), (main,), deploys)

"""The ``pipelines`` family: CI/CD pipelines per service (seed ``setup_pipeline``,
``execute_automation``, ``create_release``, ``manage_versions``, ``apply_security``).

For each service: GitHub Actions workflows and a ``.gitlab-ci.yml`` under
``output/services/<service>/pipelines/``, laid out as they sit in the application
repository (``deployplan sync`` copies them there), and the scripts that configure the
CI's environment protection (``configure-github-environments.sh``,
``configure-gitlab-environments.sh``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.artifact import Artifact
from generator.spec.model.process import PipelineProvider
from generator.targets.context import PlanContext
from generator.targets.pipelines import github, gitlab, protection
from generator.targets.pipelines.service import service_pipeline

PIPELINES_FOLDER = "pipelines"


def plan(context: PlanContext) -> list[Artifact]:
    """Every service's pipelines, for every provider the spec names."""
    spec = context.plan
    if spec.automation is None:
        return []
    providers = spec.automation.ci_cd_pipeline.providers
    repository = spec.project.repository
    source = (repository, context.spec_label) if repository else None
    artifacts: list[Artifact] = []
    for service in spec.services:
        sp = service_pipeline(spec, service, spec_repo=source is not None)
        if not sp.has_pipelines:
            continue  # a managed service: CI has nothing to build, release or deploy
        base = PurePosixPath("services", service.name, PIPELINES_FOLDER)
        if PipelineProvider.GITHUB_ACTIONS in providers:
            artifacts += github.artifacts(sp, base, source)
        if PipelineProvider.GITLAB_CI in providers:
            artifacts += gitlab.artifacts(sp, base, source)
        artifacts += protection.artifacts(spec, sp, base)
    return artifacts

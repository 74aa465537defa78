"""The ``deploy`` family: preflight, prepare, deploy, rollback, verify and healthcheck
scripts per service and environment, and a deploy-all script per environment."""

from __future__ import annotations

from generator.artifact import Artifact
from generator.targets.context import PlanContext
from generator.targets.deploy.scripts import artifacts, deploy_all


def plan(context: PlanContext) -> list[Artifact]:
    """Every deploy script of the plan."""
    spec = context.plan
    planned: list[Artifact] = []
    for service in spec.services:
        for env in spec.environments:
            if env in service.targets:
                planned.extend(artifacts(spec, service, env))
    planned.extend(deploy_all(spec, env) for env in spec.environments)
    return planned

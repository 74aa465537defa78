"""The ``environments`` family: each environment's effective settings after ``extends``."""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.artifact import Artifact, Root
from generator.targets.context import PlanContext


def plan(context: PlanContext) -> list[Artifact]:
    """``output/environments/<env>/environment.yaml`` for every environment."""
    spec = context.plan
    artifacts = []
    for name, env in spec.environments.items():
        services = [s for s in spec.services if name in s.targets]
        artifacts.append(
            Artifact(
                root=Root.OUTPUT,
                path=PurePosixPath("environments", name, "environment.yaml"),
                template="environments/environment.yaml.j2",
                family="environments",
                environment=name,
                context={
                    "name": name,
                    "env": env.model_dump(mode="json", by_alias=True, exclude_none=True),
                    "services": {
                        s.name: s.targets[name].model_dump(mode="json", exclude_none=True)
                        for s in services
                    },
                },
            )
        )
    return artifacts

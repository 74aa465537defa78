"""Lookups over the plan built once per plan instead of once per service.

A family that asks, for each service, which dependencies or ingresses name it would scan
every entry of the spec each time: quadratic in the number of services. These indexes
scan once and keep the result for the plan they were built from (the latest plan only:
a run plans one spec, and tests that build many plans must not keep them all alive).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from generator.spec.model import DeploymentPlan
from generator.spec.model.configuration import ConfigFile, EnvVariable
from generator.spec.model.environments import Ingress
from generator.spec.model.process import Dependency

T = TypeVar("T")

_latest: dict[Callable[..., Any], tuple[DeploymentPlan, Any]] = {}


def per_plan(build: Callable[[DeploymentPlan], T]) -> Callable[[DeploymentPlan], T]:
    """``build(plan)``, computed again only when asked about a different plan object."""

    @wraps(build)
    def cached(plan: DeploymentPlan) -> T:
        held = _latest.get(build)
        if held is None or held[0] is not plan:
            held = (plan, build(plan))
            _latest[build] = held
        result: T = held[1]
        return result

    return cached


@per_plan
def requirers(plan: DeploymentPlan) -> dict[str, list[Dependency]]:
    """The non-external dependencies by the service they require, in spec order."""
    found: dict[str, list[Dependency]] = {}
    for dep in plan.deployment_flow.dependencies if plan.deployment_flow else []:
        if not dep.external:
            found.setdefault(dep.requires, []).append(dep)
    return found


@per_plan
def ingresses(plan: DeploymentPlan) -> dict[tuple[str, str], list[Ingress]]:
    """Each environment's ingresses by (environment, service), in spec order."""
    found: dict[tuple[str, str], list[Ingress]] = {}
    for env, environment in plan.environments.items():
        for ingress in environment.infrastructure.network_configuration.ingresses:
            found.setdefault((env, ingress.service), []).append(ingress)
    return found


@per_plan
def variables(plan: DeploymentPlan) -> dict[str, list[EnvVariable]]:
    """Each service's environment variables (those naming it and those naming no service),
    in spec order."""
    found: dict[str, list[EnvVariable]] = {service.name: [] for service in plan.services}
    for variable in plan.configuration_management.environment_variables:
        for name in dict.fromkeys(variable.services) if variable.services else found:
            if name in found:
                found[name].append(variable)
    return found


@per_plan
def config_files(plan: DeploymentPlan) -> dict[str, list[ConfigFile]]:
    """Each service's config files, in spec order."""
    found: dict[str, list[ConfigFile]] = {}
    for config in plan.configuration_management.config_files:
        found.setdefault(config.service, []).append(config)
    return found

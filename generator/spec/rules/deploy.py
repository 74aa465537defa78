"""Deploys the scripts can carry out: a complete target wherever a service is deployed,
strategies its engine implements, gates that run where they are scoped, and production
guarded by a gate and automatic rollback."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Location, Severity
from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.process import ValidationPoint
from generator.spec.model.project import Engine
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext
from generator.spec.rules.engines import ENGINE_RULES
from generator.spec.rules.images import image_repositories
from generator.spec.rules.protection import names
from generator.spec.rules.resources import RESOURCE_RULES
from generator.suggest import closest

_FLOW = ("deployment_flow",)
_GATES = (*_FLOW, "validation_points")
_SCENARIOS = ("deployment_testing", "test_scenarios")


def deployed_to(ctx: RuleContext, service: str, env: str) -> list[tuple[str, Location]]:
    """Why ``service`` is deployed to ``env`` besides its targets, as notes: ``env`` itself
    (not through ``extends``) allocates it resources, routes an ingress to it or mounts a
    volume for it, or a validation point or test scenario names both. An environment that
    others extend and no service targets is a template: nothing is deployed to it."""
    plan, where = ctx.plan, ("environments", env, "infrastructure")
    if _template(plan, env):
        return []
    infrastructure = plan.environments[env].infrastructure
    reasons: list[tuple[str, Path]] = []
    path: Path
    if service in infrastructure.compute_resources.allocations:
        path = (*where, "compute_resources", "allocations", service)
        reasons.append((f"`{env}` allocates resources to `{service}` here", path))
    for index, ingress in enumerate(infrastructure.network_configuration.ingresses):
        if ingress.service == service:
            path = (*where, "network_configuration", "ingresses", index, "service")
            reasons.append((f"`{env}` routes `{ingress.host}` to `{service}` here", path))
    for index, volume in enumerate(infrastructure.storage_requirements.volumes):
        if volume.service == service:
            path = (*where, "storage_requirements", "volumes", index, "service")
            reasons.append((f"`{env}` mounts volume `{volume.name}` for `{service}` here", path))
    flow = plan.deployment_flow
    for index, gate in enumerate(flow.validation_points if flow else []):
        if service in gate.services and env in gate.environments:
            path = (*_GATES, index, "environments", gate.environments.index(env))
            reasons.append((f"validation point `{gate.name}` gates `{service}` in `{env}`", path))
    for index, scenario in enumerate(plan.deployment_testing.test_scenarios):
        if service in scenario.services and env in scenario.environments:
            path = (*_SCENARIOS, index, "environments", scenario.environments.index(env))
            reasons.append((f"test scenario `{scenario.name}` tests `{service}` in `{env}`", path))
    return [
        (text, _location(ctx, path))
        for text, path in reasons
        if ctx.positions.inheritance(path) is None
    ]


def _template(plan: DeploymentPlan, env: str) -> bool:
    extended = any(e.extends == env for e in plan.environments.values())
    return extended and not any(env in s.targets for s in plan.services)


def _location(ctx: RuleContext, path: Path) -> Location:
    """Where ``path`` is written; an allocation is located at its service's key."""
    return ctx.positions.key(path) if "allocations" in path else ctx.positions.value(path)


def targets_everywhere(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every service has a target in every environment it is deployed to."""
    engines = ", ".join(f"`{engine}`" for engine in Engine)
    for index, service in enumerate(ctx.plan.services):
        for env in ctx.plan.environments:
            reasons = [] if env in service.targets else deployed_to(ctx, service.name, env)
            if not reasons:
                continue
            path = ("services", index, "targets")
            yield Diagnostic(
                "target-missing",
                f"service `{service.name}` is deployed to `{env}`, but has no target there: "
                "nothing would deploy it",
                ctx.positions.key(path),
                path,
                hint=f"add `{env}: {{engine: …}}` to its targets ({engines}), or take "
                f"`{service.name}` out of `{env}`",
                notes=tuple(reasons),
                caused_by=_misspelled_target(ctx, index, env),
            )


def _misspelled_target(ctx: RuleContext, index: int, env: str) -> Path | None:
    """The target key that names ``env`` misspelled, if there is one: the real fault."""
    targets = ctx.plan.services[index].targets
    for written in targets:
        if written not in ctx.plan.environments and closest(written, ctx.plan.environments) == env:
            return ("services", index, "targets", written)
    return None


def gates_scoped(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A validation point scoped to an environment follows a stage that runs there."""
    flow = ctx.plan.deployment_flow
    if flow is None:
        return
    stages = {stage.name: (index, stage) for index, stage in enumerate(flow.stages)}
    for index, gate in enumerate(flow.validation_points):
        if gate.after_stage not in stages:
            continue  # reported by references_resolve
        number, stage = stages[gate.after_stage]
        for position, env in enumerate(gate.environments):
            if not stage.environments or env in stage.environments:
                continue
            yield Diagnostic(
                "gate-never-runs",
                f"validation point `{gate.name}` follows stage `{stage.name}`, which does not "
                f"run in `{env}`: the gate never runs there",
                ctx.positions.value((*_GATES, index, "environments", position)),
                (*_GATES, index, "environments", position),
                hint=f"add `{env}` to the environments of stage `{stage.name}`, or gate "
                "after a stage that runs there",
                notes=(
                    (
                        f"stage `{stage.name}` runs only in {names(stage.environments)}",
                        ctx.positions.value((*_FLOW, "stages", number, "environments")),
                    ),
                ),
            )


def gates(plan: DeploymentPlan, service: str, env: str) -> list[ValidationPoint]:
    """Validation points that can stop a deploy of ``service`` to ``env``: scoped to both,
    not after a stage that skips ``env``, and not set to carry on when they fail."""
    flow = plan.deployment_flow
    if flow is None:
        return []
    skipped = {s.name for s in flow.stages if s.environments and env not in s.environments}
    known = {s.name for s in plan.services} | set(plan.environments)
    # A gate naming an unknown stage, service or environment is reported once, elsewhere:
    # it is not reported again as missing.
    return [
        g
        for g in flow.validation_points
        if (not g.services or service in g.services or not set(g.services) <= known)
        and (not g.environments or env in g.environments or not set(g.environments) <= known)
        and g.after_stage not in skipped
        and g.on_failure != "continue"
    ]


def production_guarded(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The deployment flow gates production deploys and rolls them back on its own, or a
    warning says why not. (A spec without a deployment_flow describes no flow to check:
    its deploys run the engine's rollout alone.)"""
    plan = ctx.plan
    if plan.deployment_flow is None:
        return
    for env in plan.environments_of_type(EnvironmentType.PRODUCTION):
        deployed = [(i, s) for i, s in enumerate(plan.services) if env in s.targets]
        ungated = [(i, s) for i, s in deployed if not gates(plan, s.name, env)]
        if deployed and len(ungated) == len(deployed):
            yield _warning(
                ctx,
                ("environments", env, "environment_type"),
                "production-ungated",
                f"no validation point gates deploys to production environment `{env}`: a "
                "broken release is only noticed by its users",
                "add a validation point after the deploy stage, e.g. an `http` check of the "
                "service's health endpoint",
                _gates_note(ctx),
            )
            continue
        for index, service in ungated:
            yield _warning(
                ctx,
                ("services", index, "targets", env),
                "production-ungated",
                f"no validation point gates deploys of `{service.name}` to production "
                f"environment `{env}`",
                f"add `{service.name}` to the services of a validation point, or add one",
                _gates_note(ctx),
            )
    yield from _manual_rollback(ctx)


def _manual_rollback(ctx: RuleContext) -> Iterator[Diagnostic]:
    flow = ctx.plan.deployment_flow
    production = ctx.plan.environments_of_type(EnvironmentType.PRODUCTION)
    if flow is None or flow.rollback.automatic or not production:
        return
    yield _warning(
        ctx,
        (*_FLOW, "rollback", "automatic"),
        "production-rollback",
        f"automatic rollback is off, so a failed deploy to {names(production)} stays "
        "broken until someone runs rollback.sh",
        "set `automatic: true`, so a failed stage, gate or signal restores the previous release",
        (
            f"`{production[0]}` is a production environment",
            ctx.positions.value(("environments", production[0], "environment_type")),
        ),
    )


def _gates_note(ctx: RuleContext) -> tuple[str, Location]:
    """Where the gates are, or would go."""
    if ctx.plan.deployment_flow and ctx.plan.deployment_flow.validation_points:
        return ("the validation points are listed here", ctx.positions.key(_GATES))
    return ("the deployment flow has no validation_points", ctx.positions.key(_FLOW))


def _warning(
    ctx: RuleContext, path: Path, code: str, message: str, hint: str, *notes: tuple[str, Location]
) -> Diagnostic:
    location = ctx.positions.key(path) if path[0] == "services" else ctx.positions.value(path)
    return Diagnostic(
        code, message, location, path, severity=Severity.WARNING, hint=hint, notes=notes
    )


DEPLOY_RULES = (
    targets_everywhere,
    *ENGINE_RULES,
    image_repositories,
    gates_scoped,
    production_guarded,
    *RESOURCE_RULES,
)

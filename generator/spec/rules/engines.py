"""Targets an engine can carry out: a strategy it implements, canary steps that make a
canary, and what the engine reads (a chart, hosts, an image, a start command)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Severity
from generator.spec.model import EnvironmentType
from generator.spec.model.project import Engine, Service, Strategy, Target, TrafficController
from generator.spec.rules.context import RuleContext
from generator.spec.rules.protection import names


def strategies_supported(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each target's strategy is one its engine carries out."""
    from generator.targets.deploy.engines import STRATEGIES

    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            supported = STRATEGIES[target.engine]
            if target.strategy in supported or _controlled_canary(target):
                continue
            path = ("services", index, "targets", env)
            listed = names([s.value for s in Strategy if s in supported])
            elsewhere = sorted(e.value for e, s in STRATEGIES.items() if target.strategy in s)
            yield Diagnostic(
                "strategy-unsupported",
                f"the `{target.engine}` engine cannot carry out a `{target.strategy}` rollout",
                ctx.positions.value((*path, "strategy")),
                (*path, "strategy"),
                hint=f"`{target.engine}` supports {listed}; `{target.strategy}` needs "
                f"{_either(elsewhere)}"
                + (" or `traffic_controller: flagger`" if target.engine is Engine.HELM else ""),
                notes=(("the engine is chosen here", ctx.positions.value((*path, "engine"))),),
            )


def _either(items: list[str]) -> str:
    quoted = [f"`{item}`" for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def canary_steps(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A canary has steps below 100 %, in rising order; other strategies have none."""
    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            path = ("services", index, "targets", env)
            problem = _canary_problem(target)
            if problem is None:
                continue
            if not target.canary_steps:
                yield ctx.at((*path, "strategy"), "canary-steps", *problem)
                continue
            yield Diagnostic(
                "canary-steps",
                problem[0],
                ctx.positions.value((*path, "canary_steps")),
                (*path, "canary_steps"),
                hint=problem[1],
                notes=(
                    (
                        f"the strategy is `{target.strategy}`",
                        ctx.positions.value((*path, "strategy")),
                    ),
                ),
            )


def _canary_problem(target: Target) -> tuple[str, str] | None:
    steps = target.canary_steps
    if target.strategy is not Strategy.CANARY:
        if steps:
            return (
                f"canary_steps are only used by `strategy: canary`, not `{target.strategy}`",
                "remove canary_steps, or set `strategy: canary`",
            )
        return None
    if not any(0 < step < 100 for step in steps):
        return (
            "a canary needs at least one step that sends part of the traffic (1 to 99 %)",
            "set e.g. `canary_steps: [10, 50, 100]`",
        )
    if any(not 0 < step <= 100 for step in steps) or steps != sorted(set(steps)):
        return (
            f"canary steps are rising percentages from 1 to 100, not {steps}",
            "write each step's share of the traffic, e.g. `[10, 50, 100]`",
        )
    return None


#: Engines each traffic controller works with: Flagger drives a chart's Deployment; the
#: NGINX canary Ingress fronts the generated canary Deployment.
_CONTROLLED: dict[TrafficController, Engine] = {
    TrafficController.FLAGGER: Engine.HELM,
    TrafficController.NGINX_INGRESS: Engine.KUBERNETES,
}


def _controlled_canary(target: Target) -> bool:
    """A helm canary is carried out by Flagger when the target names it."""
    return (
        target.engine is Engine.HELM
        and target.strategy is Strategy.CANARY
        and target.traffic_controller is TrafficController.FLAGGER
    )


def traffic_controllers(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A traffic controller is named on a canary of the engine it works with."""
    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            controller = target.traffic_controller
            if controller is None:
                continue
            path = ("services", index, "targets", env, "traffic_controller")
            engine = _CONTROLLED[controller]
            if target.strategy is not Strategy.CANARY or target.engine is not engine:
                yield ctx.at(
                    path,
                    "traffic-controller",
                    f"`traffic_controller: {controller}` splits the traffic of a `{engine}` "
                    f"canary, not of a `{target.engine}` `{target.strategy}` rollout",
                    f"use it with `engine: {engine}` and `strategy: canary`, or remove it",
                )
            network = ctx.plan.environments[env].infrastructure.network_configuration
            routed = any(i.service == service.name for i in network.ingresses)
            if controller is TrafficController.NGINX_INGRESS and not routed:
                yield ctx.at(
                    path,
                    "traffic-controller",
                    f"`nginx_ingress` weighs requests through an Ingress, and `{env}` routes "
                    f"none to `{service.name}`",
                    f"add an ingress for `{service.name}` to `{env}`'s network_configuration",
                )


def pinned_images(ctx: RuleContext) -> Iterator[Diagnostic]:
    """An upstream image that production runs on Kubernetes is pinned by digest: a tag can
    be moved to other bytes. (On helm the version is `image.tag` too; helm.sh warns when
    production runs it without a digest.)"""
    for index, service in enumerate(ctx.plan.services):
        if service.upstream is None or service.upstream.digest:
            continue
        for env, target in service.targets.items():
            production = ctx.plan.environments[env].environment_type is EnvironmentType.PRODUCTION
            if production and target.engine is Engine.KUBERNETES:
                yield Diagnostic(
                    "image-tag",
                    f"`{env}` runs the upstream image of `{service.name}` by its tag "
                    f"`{service.upstream.version}`, which can be moved to other bytes",
                    ctx.positions.value(("services", index, "upstream", "version")),
                    ("services", index, "upstream", "version"),
                    severity=Severity.WARNING,
                    hint="add `digest: sha256:<64 hex>` to the upstream, the digest the tag "
                    "has now",
                )
                break


#: What each engine reads from the target (or the service) to deploy anything at all.
_NEEDS: dict[Engine, tuple[tuple[str, str], ...]] = {
    Engine.HELM: (("chart", "chart: oci://registry.example.com/charts/NAME"), ("image", "")),
    Engine.COMPOSE: (("image", ""),),
    Engine.ANSIBLE: (("hosts", "hosts: [app-1.example.com]"),),
    Engine.SYSTEMD: (("hosts", "hosts: [app-1.example.com]"),),
    Engine.LOCAL: (("start_command", ""),),
}


def targets_complete(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A target has what its engine reads: a chart, hosts, an image, a start command."""
    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            for field, example in _NEEDS.get(target.engine, ()):
                if getattr(target, field, None) or getattr(service, field, None):
                    continue
                yield _incomplete(ctx, index, service, env, target.engine, field, example)


def _incomplete(
    ctx: RuleContext,
    index: int,
    service: Service,
    env: str,
    engine: Engine,
    field: str,
    example: str,
) -> Diagnostic:
    path = ("services", index, "targets", env)
    owner = "target" if example else "service"
    hint = (
        f"add `{example}` to the target"
        if example
        else f"set `{field}` on service `{service.name}`"
        + (" (a registry path without tag)" if field == "image" else "")
    )
    return Diagnostic(
        "target-incomplete",
        f"the `{engine}` engine needs the {owner}'s `{field}`, and `{service.name}` has none "
        f"for `{env}`",
        ctx.positions.value(path),
        path,
        hint=hint,
        notes=(("the engine is chosen here", ctx.positions.value((*path, "engine"))),),
    )


ENGINE_RULES = (
    strategies_supported,
    canary_steps,
    targets_complete,
    traffic_controllers,
    pinned_images,
)

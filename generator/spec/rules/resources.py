"""Allocations that fit the environment (``validate_resources``): what the services may
request at their largest fits the node pools, each instance fits on a node, and limits are
not below requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.diagnostics import Diagnostic
from generator.spec.model.environments import Allocation, DeploymentEnvironment, NodePool
from generator.spec.model.project import Engine
from generator.spec.model.types import cpu_millicores, size_bytes
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext


@dataclass(frozen=True)
class Dimension:
    """CPU or memory: where an allocation and a node pool state it, and how to read it."""

    request: str
    limit: str
    node: str
    amount: Callable[[str], float]
    text: Callable[[float], str]


def _cpu_text(millicores: float) -> str:
    return f"{millicores:g}m CPU" if millicores < 1000 else f"{millicores / 1000:g} CPU"


def _memory_text(size: float) -> str:
    for unit, factor in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20)):
        if size >= factor:
            return f"{round(size / factor, 2):g}{unit} memory"
    return f"{size:g} bytes memory"


CPU = Dimension("cpu", "cpu_limit", "cpu", cpu_millicores, _cpu_text)
MEMORY = Dimension("memory", "memory_limit", "memory", size_bytes, _memory_text)


def _allocations(ctx: RuleContext, env: str) -> dict[str, Allocation]:
    """Allocations that run on the environment's nodes (a managed service runs elsewhere)."""
    managed = {
        s.name
        for s in ctx.plan.services
        if env in s.targets and s.targets[env].engine is Engine.MANAGED
    }
    allocations = ctx.plan.environments[env].infrastructure.compute_resources.allocations
    return {name: a for name, a in allocations.items() if name not in managed}


def _instances(allocation: Allocation) -> int:
    """The most instances an allocation may run: its autoscaler's bound, else its replicas."""
    return allocation.autoscaling.max_replicas if allocation.autoscaling else allocation.replicas


def _path(env: str, *rest: str | int) -> Path:
    return ("environments", env, "infrastructure", "compute_resources", *rest)


def resources_fit(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Requests at the largest replica counts fit the node pools, CPU and memory apart."""
    for env, environment in ctx.plan.environments.items():
        allocations = _allocations(ctx, env)
        for dimension in (CPU, MEMORY):
            yield from _total_fits(ctx, env, environment, allocations, dimension)
            yield from _instances_fit(ctx, env, environment, allocations, dimension)


def _total_fits(
    ctx: RuleContext,
    env: str,
    environment: DeploymentEnvironment,
    allocations: dict[str, Allocation],
    dimension: Dimension,
) -> Iterator[Diagnostic]:
    pools = environment.infrastructure.compute_resources.node_pools
    capacity = sum(pool.count * dimension.amount(getattr(pool, dimension.node)) for pool in pools)
    demand = {
        name: _instances(a) * dimension.amount(getattr(a, dimension.request))
        for name, a in allocations.items()
    }
    total = sum(demand.values())
    if total <= capacity:
        return
    largest = max(demand, key=lambda name: demand[name])
    parts = ", ".join(
        f"`{name}` {_instances(a)} × {getattr(a, dimension.request)}"
        for name, a in allocations.items()
    )
    path = _path(env, "allocations", largest)
    yield Diagnostic(
        "resources-exceeded",
        f"the services in `{env}` request up to {dimension.text(total)} ({parts}), more than "
        f"its node pools have: {dimension.text(capacity)}",
        ctx.positions.key(path),
        path,
        hint=f"lower the replicas, max_replicas or {dimension.request} requests (`{largest}` "
        f"asks for the most, {dimension.text(demand[largest])}), or add nodes",
        notes=(
            (
                f"the node pools of `{env}` have {dimension.text(capacity)} in all",
                ctx.positions.key(_path(env, "node_pools")),
            ),
        ),
    )


def _instances_fit(
    ctx: RuleContext,
    env: str,
    environment: DeploymentEnvironment,
    allocations: dict[str, Allocation],
    dimension: Dimension,
) -> Iterator[Diagnostic]:
    pools = environment.infrastructure.compute_resources.node_pools
    biggest: NodePool = max(pools, key=lambda p: dimension.amount(getattr(p, dimension.node)))
    room = dimension.amount(getattr(biggest, dimension.node))
    for name, allocation in allocations.items():
        request = getattr(allocation, dimension.request)
        if dimension.amount(request) <= room:
            continue
        path = _path(env, "allocations", name, dimension.request)
        yield Diagnostic(
            "resources-exceeded",
            f"one instance of `{name}` requests {dimension.text(dimension.amount(request))}, "
            f"more than any node of `{env}` has: it can never be placed",
            ctx.positions.value(path),
            path,
            hint=f"request at most {dimension.text(room)}, or add a node pool with bigger nodes",
            notes=(
                (
                    f"the biggest nodes, pool `{biggest.name}`, have {dimension.text(room)}",
                    ctx.positions.value(_path(env, "node_pools", pools.index(biggest))),
                ),
            ),
        )


def limits_above_requests(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A limit is at least the request it bounds."""
    for env, environment in ctx.plan.environments.items():
        allocations = environment.infrastructure.compute_resources.allocations
        for name, allocation in allocations.items():
            for dimension in (CPU, MEMORY):
                limit = getattr(allocation, dimension.limit)
                request = getattr(allocation, dimension.request)
                if limit is None or dimension.amount(limit) >= dimension.amount(request):
                    continue
                path = _path(env, "allocations", name)
                inherited = ctx.positions.inheritance((*path, dimension.request))
                if inherited is None or ctx.positions.inheritance((*path, dimension.limit)) is None:
                    # (both inherited: the environment they come from reports them)
                    yield _limit_below(ctx, env, name, dimension, (limit, request))


def _limit_below(
    ctx: RuleContext, env: str, name: str, dimension: Dimension, values: tuple[str, str]
) -> Diagnostic:
    limit, request = values
    path = _path(env, "allocations", name)
    notes = [("the request is set here", ctx.positions.value((*path, dimension.request)))]
    inherited = ctx.positions.inheritance((*path, dimension.limit))
    if inherited is not None:
        notes.append((f"`{env}` inherits the limit through `extends`", inherited.extends_at))
    return Diagnostic(
        "limit-below-request",
        f"`{name}` in `{env}` has a {dimension.request} limit of {limit}, below its request "
        f"of {request}: no instance can be given what it requests",
        ctx.positions.value((*path, dimension.limit)),
        (*path, dimension.limit),
        hint=f"raise {dimension.limit} to at least {request}, or lower {dimension.request}",
        notes=tuple(notes),
    )


RESOURCE_RULES = (resources_fit, limits_above_requests)

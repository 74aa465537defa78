"""The deployment flow for one service in one environment: ordered stages, their gates,
freeze windows and the order services are deployed in."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType, Service
from generator.spec.model.process import DeploymentStage, StageAction, ValidationPoint
from generator.spec.model.project import Engine
from generator.spec.model.types import duration_seconds
from generator.targets.deploy.engines import probe_hosts

#: Engines that run a `migrate` stage themselves, on one host in the new release before
#: the switch, instead of on the machine that runs deploy.sh.
MIGRATING_ENGINES = frozenset({Engine.ANSIBLE, Engine.SYSTEMD, Engine.LOCAL})


def topological(names: list[str], edges: Mapping[str, Iterable[str]]) -> list[str]:
    """``names`` so that each comes after what it depends on; ties keep spec order.

    ``edges[name]`` lists what ``name`` depends on; unknown names are ignored. The rules
    reject cycles before planning, so every name is placed.
    """
    position = {name: index for index, name in enumerate(names)}
    waiting = {n: {d for d in edges.get(n, ()) if d in position and d != n} for n in names}
    dependents: dict[str, list[str]] = {n: [] for n in waiting}
    for other, deps in waiting.items():
        for dep in deps:
            dependents[dep].append(other)
    ready = [position[n] for n in names if not waiting[n]]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        name = names[heapq.heappop(ready)]
        ordered.append(name)
        for other in dependents[name]:
            deps = waiting[other]
            deps.discard(name)
            if not deps:
                heapq.heappush(ready, position[other])
    return ordered


def seconds(duration: str) -> str:
    """A duration as seconds for ``sleep``/``timeout``: ``"1m30s"`` -> ``"90"``."""
    value = duration_seconds(duration)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def stages_for(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """The stages that run for ``service`` in ``env``, in ``depends_on`` order."""
    flow = plan.deployment_flow
    if flow is None:
        return [_default_deploy_stage()]
    chosen = [s for s in flow.stages if not s.environments or env in s.environments]
    by_name = {s.name: s for s in chosen}
    order = topological(list(by_name), {s.name: s.depends_on for s in chosen})
    gates = [g for g in flow.validation_points if _applies(g, service.name, env)]
    in_rollout = service.targets[env].engine in MIGRATING_ENGINES
    left_out = _left_out(service, env)
    hosts = probe_hosts(plan, service, env)
    port = service.targets[env].port or service.port or 0
    return [
        {
            **_stage(by_name[name], service, in_rollout, by_name[name].action in left_out),
            "gates": [
                each
                for g in gates
                if g.after_stage == name
                for each in host_gates(
                    gate(g, service.name, env), service.targets[env].engine, hosts, port
                )
            ],
        }
        for name in order
    ]


def host_gates(
    point: dict[str, Any], engine: Engine, hosts: list[str], port: int
) -> list[dict[str, Any]]:
    """A gate whose URL names ``{host}`` checks each host the service is probed at
    (``{port}``: the environment's port). On VM engines the rollout checks each host
    right after its switch, so deploy.sh leaves those gates to it."""
    url = point["check"]["url"]
    if "{host}" not in url and "{port}" not in url:
        return [point]
    if "{host}" in url and engine in (Engine.ANSIBLE, Engine.SYSTEMD):
        return []
    urls = [url.replace("{host}", host).replace("{port}", str(port)) for host in hosts]
    return [{**point, "check": {**point["check"], "url": u}} for u in dict.fromkeys(urls)]


def migration(plan: DeploymentPlan, service: Service, env: str) -> dict[str, str] | None:
    """The `migrate` stage the engine runs inside its rollout: its command and timeout."""
    if service.targets[env].engine not in MIGRATING_ENGINES:
        return None
    for stage in stages_for(plan, service, env):
        if stage["kind"] == "migrate":
            return {"command": stage["command"], "timeout": stage["timeout"]}
    return None


def _applies(point: ValidationPoint, service: str, env: str) -> bool:
    return (not point.services or service in point.services) and (
        not point.environments or env in point.environments
    )


def _default_deploy_stage() -> dict[str, Any]:
    return {
        "name": "deploy",
        "action": "deploy",
        "kind": "engine",
        "command": "",
        "timeout": "600",
        "retries": 0,
        "rollback_on_failure": True,
        "gates": [],
    }


_SERVICE_COMMANDS = {StageAction.BUILD: "build_command", StageAction.TEST: "test_command"}
#: What a provider's service leaves out: it builds, scans and migrates nothing of ours.
_NOT_FOR_MANAGED = frozenset(
    {StageAction.BUILD, StageAction.TEST, StageAction.SCAN, StageAction.MIGRATE}
)


def _left_out(service: Service, env: str) -> frozenset[StageAction]:
    """Stage actions that have nothing to act on for ``service`` in ``env``: a managed
    service's build, test, scan and migrate; the image scan of a service with no image."""
    if service.targets[env].engine is Engine.MANAGED:
        return _NOT_FOR_MANAGED
    return frozenset() if service.image else frozenset({StageAction.SCAN})


def _stage(
    stage: DeploymentStage, service: Service, in_rollout: bool, left_out: bool
) -> dict[str, Any]:
    """How deploy.sh runs one stage: its own command, the service's, the engine, or
    nothing. A migration on a VM or local engine runs inside the engine's rollout."""
    command = None if left_out else stage.command
    if command is None and stage.action in _SERVICE_COMMANDS and not left_out:
        command = getattr(service, _SERVICE_COMMANDS[stage.action])
    if command is not None and stage.action is StageAction.MIGRATE and in_rollout:
        kind = "migrate"
    elif command is not None:
        kind = "command"
    elif stage.action in (StageAction.DEPLOY, StageAction.VERIFY, StageAction.APPROVE):
        kind = {"deploy": "engine", "verify": "verify", "approve": "approve"}[stage.action]
    else:
        kind = "skip"
    return {
        "name": stage.name,
        "action": stage.action.value,
        "kind": kind,
        "command": command or "",
        "timeout": seconds(stage.timeout),
        "retries": stage.retries,
        "rollback_on_failure": stage.rollback_on_failure,
    }


_CHECK_DEFAULTS = {
    "url": "",
    "expect_status": 200,
    "contains": "",
    "command": "",
    "query": "",
    "operator": "",
    "threshold": "",
}


def gate(point: ValidationPoint, service: str, env: str) -> dict[str, Any]:
    """A validation point as deploy.sh evaluates it for ``service`` in ``env``."""
    check = {k: v for k, v in point.check.model_dump(mode="json").items() if v is not None}
    if "query" in check:
        check["query"] = fill_query(check["query"], service, env)
    if "threshold" in check:
        check["threshold"] = format(check["threshold"], "g")
    return {
        "name": point.name,
        "check": {**_CHECK_DEFAULTS, **check},
        "attempts": point.retries + 1,
        "interval": seconds(point.interval),
        "deadline": seconds(point.deadline),
        "on_failure": point.on_failure,
    }


def fill_query(query: str, service: str, env: str) -> str:
    """A PromQL query with ``$SERVICE`` and ``$ENVIRONMENT`` replaced by their names."""
    return query.replace("$SERVICE", service).replace("$ENVIRONMENT", env)


def freeze_windows(plan: DeploymentPlan, env: str) -> list[dict[str, Any]]:
    """The release-freeze windows that cover ``env``, with epoch bounds for the script."""
    if plan.version_management is None:
        return []
    return [
        {
            "name": w.name,
            "start": int(w.start.timestamp()),
            "end": int(w.end.timestamp()),
            "start_text": w.start.isoformat(),
            "end_text": w.end.isoformat(),
            "reason": w.reason,
        }
        for w in plan.version_management.release_policy.freeze_windows
        if env in w.environments
    ]


def needs_confirmation(plan: DeploymentPlan, env: str) -> bool:
    """Production and protected environments ask before changing anything."""
    environment = plan.environments[env]
    return environment.configuration.protected or (
        environment.environment_type is EnvironmentType.PRODUCTION
    )


def service_order(plan: DeploymentPlan, env: str) -> list[str]:
    """Services deployed to ``env``, each after the services it requires."""
    names = [s.name for s in plan.services if env in s.targets]
    edges: dict[str, list[str]] = {}
    for dep in plan.deployment_flow.dependencies if plan.deployment_flow else []:
        if not dep.external:
            edges.setdefault(dep.service, []).append(dep.requires)
    return topological(names, edges)

"""What the kubernetes and helm deploy scripts read besides the common target settings:
the variables of the deploy-time Secret, and how each canary step splits the traffic.

Without a traffic controller a canary splits by pods: the Service sends each pod an equal
share, so a step of ``p`` % runs ``c`` release pods beside ``s`` stable ones with
``c / (c + s) = p / 100`` and at least the usual replicas in all, more pods for the step
when the replicas alone cannot make the share exact (10 % of 4 replicas: 1 release pod
beside 9 stable ones; 50 %: 2 beside 2).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType, Service
from generator.spec.model.project import Engine, Strategy, TrafficController
from generator.targets.deploy import helm_values, workload

#: A step runs at most this many times the replicas (or 10 pods) to make its share exact;
#: past it the nearest share is taken (and deploy.sh says which).
MAX_GROWTH = 3


def stable_replicas(plan: DeploymentPlan, service: str, env: str) -> int:
    """The stable pods a canary starts from: the replicas, or the autoscaler's minimum."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    if allocation is None:
        return 1
    scaling = allocation.autoscaling
    return scaling.min_replicas if scaling else max(1, allocation.replicas)


def pod_split(percent: int, replicas: int) -> tuple[int, int]:
    """(release pods, stable pods) closest to ``percent`` %, at least ``replicas`` pods in
    all and as few as can make the share exact within the growth bound."""
    share = Fraction(percent, 100)
    best: tuple[Fraction, int, int] | None = None
    for total in range(max(replicas, 2), max(replicas * MAX_GROWTH, 10) + 1):
        canary = min(max(1, round(share * total)), total - 1)
        candidate = (abs(Fraction(canary, total) - share), total, canary)
        if best is None or candidate < best:
            best = candidate
        if candidate[0] == 0:
            break
    assert best is not None
    return best[2], best[1] - best[2]


def canary_steps(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """Each step below 100 %: its share, the pods on each side, and the share they make."""
    target = service.targets[env]
    if target.strategy is not Strategy.CANARY:
        return []
    replicas = stable_replicas(plan, service.name, env)
    weighted = target.traffic_controller is TrafficController.NGINX_INGRESS
    steps = []
    for percent in (p for p in target.canary_steps if p < 100):
        if weighted:  # the ingress weighs requests: enough release pods for the share
            canary, stable = max(1, math.ceil(replicas * percent / 100)), replicas
            actual = Fraction(percent)
        else:
            canary, stable = pod_split(percent, replicas)
            actual = Fraction(100 * canary, canary + stable)
        steps.append(
            {
                "percent": percent,
                "canary": canary,
                "stable": stable,
                "actual": format(float(actual), ".4g"),
                "exact": actual == percent,
            }
        )
    return steps


def _autoscaling(plan: DeploymentPlan, service: str, env: str) -> dict[str, int]:
    """The autoscaler's bounds, which a pod-split canary holds at each step's stable pods."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    scaling = allocation.autoscaling if allocation else None
    return {"min": scaling.min_replicas, "max": scaling.max_replicas} if scaling else {}


def script_settings(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The kubernetes and helm settings of the deploy scripts."""
    target = service.targets[env]
    production = plan.environments[env].environment_type is EnvironmentType.PRODUCTION
    helm = target.engine is Engine.HELM
    return {
        "secret_name": workload.secret_name(service.name),
        "secret_variables": workload.deploy_time_secrets(plan, service, env),
        "traffic_controller": target.traffic_controller.value if target.traffic_controller else "",
        "canary": canary_steps(plan, service, env),
        "chart_version": target.chart_version or "",
        "helm_values": helm_values.helm_values(plan, service, env) if helm else {},
        "companions": helm and bool(helm_values.companions(plan, service, env)),
        "autoscaling": _autoscaling(plan, service.name, env),
        "production": production,
    }

"""Argo Rollouts for the canary of a kubernetes target delivered through GitOps.

Nobody scales a second Deployment in a cluster that Argo CD or Flux owns, so the overlay
holds a ``Rollout`` instead of the Deployment: the Argo Rollouts controller sets each of
the spec's canary weights on the ingress controller (a real share of the requests, through
``<service>-canary`` beside the stable Service), holds it, and runs the analysis of the
metric validation points after the deploy stage; the validation criteria run as background
analysis for the whole canary. A failed analysis aborts the canary, the Rollout reports
Degraded, and the promotion is reverted.
"""

from __future__ import annotations

import re
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.gitops import Delivery, Rollouts
from generator.spec.model.process import MetricCheck, ValidationPoint
from generator.spec.model.project import Engine, Strategy, TrafficController
from generator.spec.model.types import duration_seconds
from generator.targets.deploy import flow, manifests, scripts
from generator.targets.gitops.flux import go_duration

API_VERSION = "argoproj.io/v1alpha1"
#: Ingress classes whose controllers Argo Rollouts sets canary weights on through the
#: service's own Ingress, and the ``trafficRouting`` key of each.
ROUTERS = {"nginx": "nginx", "alb": "alb"}
#: ALB: the Ingress forwards through the action Argo Rollouts writes into its annotations.
ALB_ACTION = "use-annotation"


def managed(service: Service, env: str) -> bool:
    """Whether ``service`` runs as a Rollout in ``env``: a GitOps-delivered kubernetes
    canary."""
    target = service.targets[env]
    return (
        target.engine is Engine.KUBERNETES
        and target.delivery is Delivery.GITOPS
        and target.strategy is Strategy.CANARY
    )


def settings(plan: DeploymentPlan) -> Rollouts:
    """The spec's Argo Rollouts settings, or their defaults."""
    gitops = plan.automation.gitops if plan.automation else None
    return gitops.rollouts if gitops else Rollouts()


def ingress_class(plan: DeploymentPlan, service: Service, env: str) -> str | None:
    """The ingress controller that routes the canary: the class the environment names, or
    NGINX when the target asks for ``nginx_ingress``; None when the service has no
    Ingress to route through."""
    network = plan.environments[env].infrastructure.network_configuration
    if not any(i.service == service.name for i in network.ingresses) or not service.port:
        return None
    if service.targets[env].traffic_controller is TrafficController.NGINX_INGRESS:
        return "nginx"
    return network.ingress_class or ""


def prometheus(plan: DeploymentPlan, env: str) -> str:
    """The Prometheus the controller queries for ``env`` (empty when the spec names none)."""
    return settings(plan).prometheus.get(env) or scripts.prometheus_url(plan)


def _template_name(service: Service, gate: str) -> str:
    return f"{service.name}-{re.sub(r'[^a-z0-9-]', '-', gate.lower())}"


def step_gates(plan: DeploymentPlan, service: Service, env: str) -> list[ValidationPoint]:
    """Metric validation points after the deploy stage that gate ``service`` in ``env``:
    deploy.sh checks them after each canary step, the Rollout in its analysis steps."""
    flow_spec = plan.deployment_flow
    if flow_spec is None:
        return []
    deploys = {s.name for s in flow_spec.stages if s.action.value == "deploy"}
    return [
        point
        for point in flow_spec.validation_points
        if isinstance(point.check, MetricCheck)
        and point.after_stage in deploys
        and (not point.services or service.name in point.services)
        and (not point.environments or env in point.environments)
    ]


def _metric(name: str, query: str, condition: str, address: str) -> dict[str, Any]:
    return {
        "name": name,
        "successCondition": condition,
        "provider": {"prometheus": {"address": address, "query": query}},
    }


def analysis_templates(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """File name -> AnalysisTemplate: one per step gate, passing when any of its attempts
    passes (as deploy.sh's gate does), and one of the validation criteria."""
    address = prometheus(plan, env)
    files: dict[str, Any] = {}
    for point in step_gates(plan, service, env):
        check = point.check
        assert isinstance(check, MetricCheck)
        query = flow.fill_query(check.query, service.name, env)
        condition = f"result[0] {check.operator} {check.threshold:g}"
        metric = _metric(point.name.replace("_", "-"), query, condition, address)
        metric |= {
            "interval": go_duration(point.interval),
            "count": point.retries + 1,
            "failureLimit": point.retries,
        }
        name = _template_name(service, point.name)
        files[f"analysis-{name}.yaml"] = _template(name, [metric])
    criteria = [
        _metric(
            c["name"].replace("_", "-"),
            c["query"],
            f"result[0] {c['operator']} {c['limit']}",
            address,
        )
        | {"interval": go_duration(settings(plan).analysis_interval)}
        | {"failureLimit": settings(plan).failure_limit}
        for c in scripts.gate_criteria(plan, service, env)
    ]
    if criteria:
        name = _template_name(service, "validation-criteria")
        files[f"analysis-{name}.yaml"] = _template(name, criteria)
    return files


def _template(name: str, metrics: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "AnalysisTemplate",
        "metadata": {"name": name},
        "spec": {"metrics": metrics},
    }


def canary_strategy(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """``strategy.canary``: the spec's weights, each held for the step pause and then
    analysed; the validation criteria in the background from the first weight on."""
    step_templates = [
        {"templateName": _template_name(service, p.name)} for p in step_gates(plan, service, env)
    ]
    steps: list[dict[str, Any]] = []
    for percent in (p for p in service.targets[env].canary_steps if p < 100):
        steps += [
            {"setWeight": percent},
            {"pause": {"duration": go_duration(settings(plan).step_pause)}},
        ]
        if step_templates:
            steps.append({"analysis": {"templates": step_templates}})
    canary: dict[str, Any] = {
        "canaryService": f"{service.name}-canary",
        "stableService": service.name,
        "trafficRouting": _traffic_routing(plan, service, env),
        "steps": steps,
    }
    if scripts.gate_criteria(plan, service, env):
        template = _template_name(service, "validation-criteria")
        canary["analysis"] = {"templates": [{"templateName": template}], "startingStep": 1}
    return canary


def _traffic_routing(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    router = ROUTERS[ingress_class(plan, service, env) or ""]
    if router == "alb":
        return {"alb": {"ingress": service.name, "servicePort": service.port}}
    return {"nginx": {"stableIngress": service.name}}


def duration(plan: DeploymentPlan, service: Service, env: str) -> int:
    """Seconds the canary takes when every step passes: pauses and step analyses."""
    if not managed(service, env):
        return 0
    pause = duration_seconds(settings(plan).step_pause)
    analysis = sum(
        duration_seconds(p.interval) * (p.retries + 1) for p in step_gates(plan, service, env)
    )
    steps = [p for p in service.targets[env].canary_steps if p < 100]
    return int(len(steps) * (pause + analysis))


def rollout(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The environment's Deployment as a Rollout: the same pods, the canary strategy."""
    merged: dict[str, Any] = manifests.strategic_merge(
        manifests.deployment(plan, service), manifests.deployment_patch(plan, service, env)
    )
    spec = {k: v for k, v in merged["spec"].items() if k != "strategy"}
    spec["strategy"] = {"canary": canary_strategy(plan, service, env)}
    metadata = {**merged["metadata"], "labels": merged["metadata"].get("labels", {})}
    return {"apiVersion": API_VERSION, "kind": "Rollout", "metadata": metadata, "spec": spec}


def canary_service(plan: DeploymentPlan, service: Service) -> dict[str, Any]:
    """``<service>-canary``: the stable Service's twin, which Argo Rollouts narrows to the
    release's pods and the ingress controller sends the canary's weight to."""
    stable = manifests.service(plan, service)
    stable["metadata"]["name"] = f"{service.name}-canary"
    return stable


def overlay_files(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """The overlay's resources besides the base: the Rollout, the canary Service, the
    AnalysisTemplates and the environment's resources, the autoscaler scaling the Rollout
    and an ALB Ingress forwarding through the action Argo Rollouts writes."""
    extra = manifests.environment_resources(plan, service, env)
    if "hpa.yaml" in extra:
        target = {"apiVersion": API_VERSION, "kind": "Rollout", "name": service.name}
        extra["hpa.yaml"]["spec"]["scaleTargetRef"] = target
    if "ingress.yaml" in extra and ingress_class(plan, service, env) == "alb":
        for rule in extra["ingress.yaml"]["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                path["backend"]["service"]["port"] = {"name": ALB_ACTION}
    return {
        "rollout.yaml": rollout(plan, service, env),
        "service-canary.yaml": canary_service(plan, service),
        **analysis_templates(plan, service, env),
        **extra,
    }


def deployment_removal(service: Service) -> dict[str, Any]:
    """The patch that takes the base's Deployment out: the Rollout runs the pods."""
    return {
        "$patch": "delete",
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service.name},
    }

"""GitOps delivery: a repository and controller to deliver through, on an engine whose
manifests can be committed, at a layout that gives every service and environment a folder
of its own."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model import Service
from generator.spec.model.gitops import Delivery
from generator.spec.model.project import Engine, Strategy
from generator.spec.rules.context import RuleContext

_GITOPS = ("automation", "gitops")
_PLACEHOLDERS = ("{environment}", "{service}")


def gitops_targets(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Targets delivered through GitOps run on kubernetes and have a repository to go to."""
    automation = ctx.plan.automation
    configured = automation is not None and automation.gitops is not None
    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            if target.delivery is not Delivery.GITOPS:
                continue
            path = ("services", index, "targets", env, "delivery")
            if target.engine not in (Engine.KUBERNETES, Engine.HELM):
                yield ctx.at(
                    path,
                    "gitops-engine",
                    f"`{service.name}` is delivered through GitOps in `{env}`, but its "
                    f"engine `{target.engine.value}` is neither `kubernetes` nor `helm`",
                    hint="GitOps delivery commits the Kustomize overlays of `engine: "
                    "kubernetes` or the values of `engine: helm`; use one of them or "
                    "`delivery: direct`",
                )
            elif target.engine is Engine.HELM:
                yield from _helm_target(ctx, service, index, env)
            if target.engine in (Engine.KUBERNETES, Engine.HELM) and not configured:
                yield ctx.at(
                    path,
                    "gitops-repository-missing",
                    f"`{service.name}` is delivered through GitOps in `{env}`, but no "
                    "GitOps repository is set",
                    hint="add `automation.gitops` with the `repository` the controller "
                    "syncs, e.g. `repository: https://github.com/example/shop-gitops`",
                )


def _helm_target(ctx: RuleContext, service: Service, index: int, env: str) -> Iterator[Diagnostic]:
    """The controller installs the chart: from an OCI registry, at a pinned version, with
    its secrets from the cluster, and without a canary deploy.sh would have to drive."""
    target = service.targets[env]
    path = ("services", index, "targets", env)
    if not (target.chart or "").startswith("oci://") or target.chart_version is None:
        yield ctx.at(
            (*path, "chart" if target.chart else "delivery"),
            "gitops-helm-chart",
            f"`{service.name}` is a Helm release delivered through GitOps in `{env}`, so "
            "the controller pulls its chart: it needs an `oci://` chart and its "
            "`chart_version`",
            hint="e.g. `chart: oci://registry.example.com/charts/NAME` and "
            "`chart_version: 1.2.3`, or `delivery: direct`",
        )
    if target.strategy is not Strategy.ROLLING:
        yield ctx.at(
            (*path, "strategy"),
            "gitops-engine",
            f"`{service.name}` is a Helm release delivered through GitOps in `{env}`, and "
            f"its `{target.strategy.value}` rollout is driven by deploy.sh in the cluster",
            hint="use `strategy: rolling`, `engine: kubernetes` for a canary through Argo "
            "Rollouts, or `delivery: direct`",
        )
    from generator.targets.deploy import workload  # the targets import the rules' model

    if workload.deploy_time_secrets(ctx.plan, service, env):
        yield ctx.at(
            (*path, "delivery"),
            "gitops-secrets",
            f"`{service.name}` is a Helm release delivered through GitOps in `{env}`, and "
            "some of its secrets are fetched by deploy.sh, which no longer writes to the "
            "cluster",
            hint="name the External Secrets Operator store with `secret_store` and keep "
            "the secrets in a provider it reads (vault, aws_secrets_manager, "
            "gcp_secret_manager, azure_key_vault)",
        )


def gitops_layout(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The layout names both the environment and the service, so no two share a folder."""
    automation = ctx.plan.automation
    gitops = automation.gitops if automation else None
    if gitops is None:
        return
    missing = [p for p in _PLACEHOLDERS if p not in gitops.layout]
    stray = gitops.layout
    for placeholder in _PLACEHOLDERS:
        stray = stray.replace(placeholder, "")
    path = (*_GITOPS, "layout")
    if missing:
        named = " and ".join(f"`{p}`" for p in missing)
        yield ctx.at(
            path,
            "gitops-layout",
            f"the GitOps layout `{gitops.layout}` does not contain {named}: services or "
            "environments would overwrite each other's manifests",
            hint="write a folder per environment and service, e.g. `envs/{environment}/{service}`",
        )
    elif "{" in stray or "}" in stray:
        yield ctx.at(
            path,
            "gitops-layout",
            f"the GitOps layout `{gitops.layout}` has a placeholder other than "
            "`{environment}` and `{service}`",
            hint="only `{environment}` and `{service}` are filled in",
        )


def gitops_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each delivery's Application or Kustomization, `<service>-<environment>`, is unique."""
    seen: dict[str, tuple[str, str]] = {}
    for index, service in enumerate(ctx.plan.services):
        for env, target in service.targets.items():
            if target.delivery is not Delivery.GITOPS:
                continue
            name = f"{service.name}-{env}"
            if name not in seen:
                seen[name] = (service.name, env)
                continue
            other, other_env = seen[name]
            yield ctx.at(
                ("services", index, "targets", env, "delivery"),
                "gitops-name-clash",
                f"`{service.name}` in `{env}` and `{other}` in `{other_env}` would both be "
                f"synced by a controller resource named `{name}`",
                hint="rename the service or the environment so that "
                "`<service>-<environment>` differs",
            )


def gitops_canaries(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A GitOps canary is an Argo Rollouts Rollout whose weights an ingress controller
    applies to requests, and whose analyses have a Prometheus to query."""
    from generator.targets.deploy import rollouts  # the targets import the rules' model

    for index, service in enumerate(ctx.plan.services):
        for env in service.targets:
            if env not in ctx.plan.environments or not rollouts.managed(service, env):
                continue
            path = ("services", index, "targets", env, "strategy")
            routed = rollouts.ingress_class(ctx.plan, service, env)
            if routed is None:
                yield ctx.at(
                    path,
                    "gitops-canary-routing",
                    f"the canary of `{service.name}` in `{env}` is an Argo Rollouts Rollout, "
                    f"and `{env}` routes no ingress to `{service.name}` to weigh its requests",
                    hint=f"add an ingress for `{service.name}` to `{env}`'s "
                    "network_configuration, or use `strategy: rolling`",
                )
            elif routed not in rollouts.ROUTERS:
                named = f"`{routed}`" if routed else "no ingress class"
                yield ctx.at(
                    path,
                    "gitops-canary-routing",
                    f"the canary of `{service.name}` in `{env}` is an Argo Rollouts Rollout, "
                    f"which deployplan routes through ingress-nginx or the AWS Load Balancer "
                    f"Controller, and `{env}` names {named}",
                    hint="set `ingress_class: nginx` or `ingress_class: alb` in "
                    f"`{env}`'s network_configuration (or `traffic_controller: "
                    "nginx_ingress`), or use `strategy: rolling`",
                )
            analysed = rollouts.step_gates(ctx.plan, service, env) or _criteria(ctx, service, env)
            if analysed and not rollouts.prometheus(ctx.plan, env):
                yield ctx.at(
                    path,
                    "gitops-canary-prometheus",
                    f"the canary of `{service.name}` in `{env}` is analysed with Prometheus "
                    "queries, and no Prometheus address is known for it",
                    hint=f"add `automation.gitops.rollouts.prometheus.{env}` with the address "
                    "Argo Rollouts reaches from the cluster, or a `metrics` monitoring tool "
                    "with its `url`",
                )


def _criteria(ctx: RuleContext, service: Service, env: str) -> bool:
    from generator.targets.deploy import scripts

    return bool(scripts.gate_criteria(ctx.plan, service, env))


GITOPS_RULES = (gitops_targets, gitops_layout, gitops_names, gitops_canaries)

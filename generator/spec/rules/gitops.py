"""GitOps delivery: a repository and controller to deliver through, on an engine whose
manifests can be committed, at a layout that gives every service and environment a folder
of its own."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model.gitops import Delivery
from generator.spec.model.project import Engine
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
            if target.engine is not Engine.KUBERNETES:
                yield ctx.at(
                    path,
                    "gitops-engine",
                    f"`{service.name}` is delivered through GitOps in `{env}`, but its "
                    f"engine `{target.engine.value}` is not `kubernetes`",
                    hint="GitOps delivery commits the Kustomize overlays of `engine: "
                    "kubernetes`; use that engine or `delivery: direct`",
                )
            elif not configured:
                yield ctx.at(
                    path,
                    "gitops-repository-missing",
                    f"`{service.name}` is delivered through GitOps in `{env}`, but no "
                    "GitOps repository is set",
                    hint="add `automation.gitops` with the `repository` the controller "
                    "syncs, e.g. `repository: https://github.com/example/shop-gitops`",
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


GITOPS_RULES = (gitops_targets, gitops_layout, gitops_names)

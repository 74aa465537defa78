"""Lessons on releasing: stages and gates, rollback, freeze windows, approvals, canary and
blue-green rollouts.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.process import ValidationPoint
from generator.spec.model.project import Strategy
from generator.targets.docs.commands import script
from generator.targets.docs.lessons.common import Lesson, first_service, production
from generator.targets.docs.site import Site


def _gate(gate: ValidationPoint) -> dict[str, Any]:
    return {
        "name": gate.name,
        "after": gate.after_stage,
        "check": gate.check,
        "attempts": gate.retries + 1,
        "interval": gate.interval,
        "deadline": gate.deadline,
        "on_failure": gate.on_failure,
        "services": gate.services,
        "environments": gate.environments,
    }


def _deploy_commands(service: str, env: str) -> list[str]:
    return [
        script(service, env, "preflight.sh"),
        f'{script(service, env, "deploy.sh")} --dry-run --version "$VERSION"',
        f'{script(service, env, "deploy.sh")} --version "$VERSION"',
        script(service, env, "verify.sh"),
    ]


def stages_and_gates(site: Site, env: str) -> Lesson:
    """The stages in order with timeouts, the gates with their attempts and outcome."""
    flow = site.plan.deployment_flow
    stages = flow.stages if flow else []
    gates = [_gate(g) for g in (flow.validation_points if flow else [])]
    service = first_service(site, env)
    deploy_stage = next((s for s in stages if s.action.value == "deploy"), stages[0])
    asked = gates[:1]
    asked += [g for g in gates if asked and g["on_failure"] != asked[0]["on_failure"]][:1]
    return {
        "stages": stages,
        "gates": gates,
        "service": service,
        "environment": env,
        "commands": _deploy_commands(service, env) if service else [],
        "questions": [
            {"kind": "stage_timeout", "stage": deploy_stage},
            *({"kind": "gate_failure", "gate": g} for g in asked),
        ],
    }


def rollback(site: Site, env: str) -> Lesson:
    """The rollback policy and the commands that roll back, to practise and in production."""
    flow = site.plan.deployment_flow
    assert flow is not None
    service = first_service(site, env)
    prod = production(site.plan)
    prod_service = first_service(site, prod) if prod else None
    commands = (
        [
            f"{script(service, env, 'rollback.sh')} --list",
            f"{script(service, env, 'rollback.sh')} --dry-run",
            script(service, env, "rollback.sh"),
        ]
        if service
        else []
    )
    return {
        "automatic": flow.rollback.automatic,
        "keep": flow.rollback.keep_releases,
        "kept_stages": [s.name for s in flow.stages if not s.rollback_on_failure],
        "other_gates": [_gate(g) for g in flow.validation_points if g.on_failure != "rollback"],
        "service": service,
        "environment": env,
        "commands": commands,
        "production": prod,
        "production_commands": (
            [
                f"{script(prod_service, prod, 'rollback.sh')} --list",
                f"{script(prod_service, prod, 'rollback.sh')} --to VERSION",
            ]
            if prod and prod_service
            else []
        ),
        "production_service": prod_service,
        "questions": [
            {
                "kind": "rollback_policy",
                "automatic": flow.rollback.automatic,
                "keep": flow.rollback.keep_releases,
            },
            *(
                [
                    {
                        "kind": "rollback_list",
                        "command": commands[0],
                        "service": service,
                        "environment": env,
                    }
                ]
                if commands
                else []
            ),
        ],
    }


def freeze_windows(site: Site, _env: str) -> Lesson:
    """The freeze windows, and how a hotfix passes one."""
    policy = _release_policy(site.plan)
    windows = policy.freeze_windows
    frozen = windows[0].environments[0]
    service = first_service(site, frozen)
    override = (
        f'{script(service, frozen, "deploy.sh")} --version "$VERSION" --override-freeze "REASON"'
        if service and policy.hotfixes_during_freeze
        else None
    )
    return {
        "windows": windows,
        "hotfixes": policy.hotfixes_during_freeze,
        "command": override,
        "timezone": site.plan.project.timezone,
        "questions": [
            {"kind": "freeze_when", "window": windows[0]},
            {
                "kind": "freeze_hotfix",
                "allowed": policy.hotfixes_during_freeze,
                "command": override,
            },
        ],
    }


def approvals(site: Site, _env: str) -> Lesson:
    """Who approves deploys to which environment, and where no approval is needed."""
    rules = _release_policy(site.plan).approvals
    approved = {a.environment for a in rules}
    prod = production(site.plan)
    asked = next((a for a in rules if a.environment == prod), rules[0])
    return {
        "rules": rules,
        "free": [name for name in site.plan.environments if name not in approved],
        "questions": [
            {"kind": "approval_environments", "environments": [a.environment for a in rules]},
            {"kind": "approvers", "rule": asked},
        ],
    }


def _release_policy(plan: DeploymentPlan) -> Any:
    assert plan.version_management is not None
    return plan.version_management.release_policy


def _rollouts(site: Site, strategy: Strategy) -> list[dict[str, Any]]:
    flow = site.plan.deployment_flow
    deploy_stages = {s.name for s in flow.stages if s.action.value == "deploy"} if flow else set()
    rollouts = []
    for name in site.service_order:
        for env, target in site.plan.service(name).targets.items():
            if target.strategy is not strategy:
                continue
            gates = [
                _gate(g)
                for g in (flow.validation_points if flow else [])
                if g.after_stage in deploy_stages
                and (not g.services or name in g.services)
                and (not g.environments or env in g.environments)
            ]
            rollouts.append(
                {
                    "service": name,
                    "environment": env,
                    "engine": target.engine.value,
                    "steps": target.canary_steps,
                    "controller": target.traffic_controller.value
                    if target.traffic_controller
                    else None,
                    "delivery": target.delivery.value,
                    "gates": gates,
                    "commands": [
                        f'{script(name, env, "deploy.sh")} --dry-run --version "$VERSION"',
                        f"{script(name, env, 'rollback.sh')} --list",
                    ],
                }
            )
    return rollouts


def canary(site: Site, _env: str) -> Lesson:
    """Each canary rollout: its traffic steps and what holds or rolls back each step."""
    rollouts = _rollouts(site, Strategy.CANARY)
    criteria = site.plan.deployment_testing.validation_criteria
    automation = site.plan.automation
    return {
        "rollouts": rollouts,
        "criteria": criteria,
        "argo": automation.gitops.rollouts if automation and automation.gitops else None,
        "questions": [
            {"kind": "canary_steps", "rollout": rollouts[0]},
            {
                "kind": "canary_failure",
                "rollout": rollouts[0],
                "argo": automation and automation.gitops,
            },
        ],
    }


def blue_green(site: Site, _env: str) -> Lesson:
    """Each blue/green rollout, and how its switch is undone."""
    rollouts = _rollouts(site, Strategy.BLUE_GREEN)
    return {
        "rollouts": rollouts,
        "questions": [{"kind": "blue_green_where", "rollouts": rollouts}],
    }

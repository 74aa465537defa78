"""The exact commands behind an operator's action, per service, engine and environment.

How to act on a service from an operator's machine: the generated rollback, deploy and
health-check scripts, the failover script of a disaster-recovery environment, a restore
test, scaling where the engine can; and the typed steps of procedures expanded into these
actions. The read-only commands that show a service's state are in diagnosis.py (alert
runbooks take them from here as ``diagnosis``). Every command carries what its output
looks like when all is well, as a catalog message.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from generator.locale.message import Code, Message
from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.project import Engine
from generator.spec.model.steps import (
    DeployStep,
    FailoverStep,
    HealthcheckStep,
    RestoreStep,
    RollbackStep,
    RunStep,
    ScaleStep,
)
from generator.targets.deploy import gitops
from generator.targets.deploy.engines import namespace
from generator.targets.docs.commands import OUTPUT, script
from generator.targets.docs.diagnosis import Command, health, kubectl
from generator.targets.docs.diagnosis import diagnosis as diagnosis

#: How long a verify step waits for the service to pass its health checks.
WAIT_SECONDS = 300
#: Environments in the order an operator needs them: production first.
_URGENCY = (
    EnvironmentType.PRODUCTION,
    EnvironmentType.DISASTER_RECOVERY,
    EnvironmentType.STAGING,
    EnvironmentType.DEVELOPMENT,
)


def production_first(plan: DeploymentPlan, environments: list[str]) -> list[str]:
    """``environments`` with production first and development last (spec order within)."""
    rank = {kind: index for index, kind in enumerate(_URGENCY)}
    return sorted(environments, key=lambda e: rank[plan.environments[e].environment_type])


@dataclass(frozen=True)
class Action:
    """A step of a procedure as the page shows it: what it does, its commands, its check."""

    kind: str
    title: Message
    commands: tuple[Command, ...]
    verify: Command | None = None
    note: str = ""
    environment: str | None = None
    effect: Message | None = None
    links: tuple[tuple[Message, str], ...] = field(default=())


def failover_planned(plan: DeploymentPlan) -> bool:
    """Whether the recovery family writes failover scripts and runbooks (targets/recovery/)."""
    recovery = plan.disaster_recovery
    return bool(recovery.recovery_procedures or recovery.failover_strategy)


def failover_script(environment: str) -> str:
    """The failover script of a disaster-recovery environment."""
    return f"{OUTPUT}/disaster-recovery/{environment}/failover.sh"


def _q(value: str) -> str:
    return shlex.quote(value)


def rollback(plan: DeploymentPlan, service: str, env: str, to: str | None = None) -> Action:
    """Return ``service`` in ``env`` to the release before (or ``to``)."""
    path = script(service, env, "rollback.sh")
    target = plan.service(service).targets[env]
    promotion = gitops.context(plan, plan.service(service), env)
    effect = (
        Message(
            "Reverts the last promotion of %(service)s in the GitOps repository; the "
            "controller syncs the release before it.",
            service=Code(service),
        )
        if promotion["enabled"]
        else Message(
            "The provider runs %(service)s: the script has no release to return to and only "
            "runs its checks; restore or fail over with the provider's own tools.",
            service=Code(service),
        )
        if target.engine is Engine.MANAGED
        else Message(
            "Returns %(service)s to the release before the current one with %(engine)s; "
            "the script records the rollback in the audit log.",
            service=Code(service),
            engine=target.engine.value,
        )
    )
    return Action(
        kind="rollback",
        title=Message(
            "Roll back %(service)s in %(environment)s", service=Code(service), environment=env
        ),
        commands=(
            Command(
                (f"{path} --list",),
                Message("The recorded releases, newest first; pick the last good one."),
            ),
            Command(
                (f"{path} --to {_q(to)}" if to else path,),
                Message("It names the release it returns to and ends with exit code 0."),
            ),
        ),
        verify=_wait(service, env),
        environment=env,
        effect=effect,
    )


def _wait(service: str, env: str) -> Command:
    return Command(
        (f"{script(service, env, 'healthcheck.sh')} --wait {WAIT_SECONDS}",),
        Message(
            "Every health indicator passes within %(seconds)s seconds and the script exits 0.",
            seconds=WAIT_SECONDS,
        ),
    )


def deploy(plan: DeploymentPlan, service: str, env: str, version: str | None) -> Action:
    """Deploy a release of ``service`` to ``env``: rehearsed, then for real."""
    del plan  # the scripts carry every setting
    path = script(service, env, "deploy.sh")
    chosen = _q(version) if version else '"$VERSION"'
    return Action(
        kind="deploy",
        title=Message(
            "Deploy %(service)s to %(environment)s", service=Code(service), environment=env
        ),
        commands=(
            Command(
                (script(service, env, "preflight.sh"),),
                Message("Every check passes: tools, access, secrets and configuration."),
            ),
            Command(
                (f"{path} --dry-run --version {chosen}",),
                Message("The stages and commands it would run, in order; nothing changes."),
            ),
            Command(
                (f"{path} --version {chosen}",),
                Message("Each stage and gate passes and the script ends with exit code 0."),
            ),
        ),
        verify=Command(
            (script(service, env, "verify.sh"),),
            Message("Every test scenario passes and the script exits 0."),
        ),
        environment=env,
        effect=Message(
            "Rolls %(service)s out with its stages and gates; a failed gate rolls back.",
            service=Code(service),
        ),
    )


def healthcheck(service: str, env: str) -> Action:
    """Probe ``service`` in ``env`` with every health indicator."""
    return Action(
        kind="healthcheck",
        title=Message(
            "Check %(service)s in %(environment)s", service=Code(service), environment=env
        ),
        commands=(health(service, env),),
        environment=env,
    )


def scale(plan: DeploymentPlan, service: str, env: str, count: int) -> Action | None:
    """Set the instance count of ``service`` in ``env``; None where the engine cannot."""
    target = plan.service(service).targets[env]
    if gitops.context(plan, plan.service(service), env)["enabled"]:
        return None
    if target.engine is Engine.KUBERNETES:
        line = f"{kubectl(plan, target, env)} scale deployment/{service} --replicas {count}"
        check = f"{kubectl(plan, target, env)} rollout status deployment/{service} --timeout 5m"
    elif target.engine is Engine.HELM:
        context = plan.environments[env].configuration.kube_context
        where = f" --kube-context {_q(context)}" if context else ""
        release = target.release or service
        chart = _q(target.chart or release)
        version = f" --version {_q(target.chart_version)}" if target.chart_version else ""
        line = (
            f"helm{where} --namespace {_q(namespace(plan, target, env))} upgrade {release} "
            f"{chart}{version} --reuse-values --set replicaCount={count} --wait"
        )
        check = (
            f"{kubectl(plan, target, env)} get pods --selector app.kubernetes.io/instance={release}"
        )
    else:
        return None
    return Action(
        kind="scale",
        title=Message(
            "Scale %(service)s in %(environment)s to %(count)s",
            service=Code(service),
            environment=env,
            count=count,
        ),
        commands=(
            Command((line,), Message("The new count is accepted; pods start or stop.")),
            Command((check,), Message("%(count)s pods are Running and ready.", count=count)),
        ),
        verify=health(service, env),
        environment=env,
        effect=Message(
            "Runs %(count)s instances of %(service)s until the next deploy sets the count of "
            "the spec again.",
            count=count,
            service=Code(service),
        ),
    )


def failover(plan: DeploymentPlan, env: str, drill: bool = False) -> Action:
    """Fail over to the disaster-recovery environment ``env``."""
    path = failover_script(env)
    run = f"{path} --drill" if drill else path
    checks = [s.name for s in plan.services if env in s.targets]
    return Action(
        kind="failover",
        title=Message("Fail over to %(environment)s", environment=env),
        commands=(
            Command((f"{path} --list",), Message("The steps in order, with owner and duration.")),
            Command(
                (run,),
                Message(
                    "Each step asks before it runs and reports done; the run ends when "
                    "every step is done."
                ),
            ),
        ),
        verify=Command(
            tuple(script(s, env, "healthcheck.sh") for s in checks),
            Message("Every service passes its health checks in %(environment)s.", environment=env),
        ),
        environment=env,
        effect=Message(
            "Moves production traffic to %(environment)s; it follows the recovery procedures "
            "and switches traffic last.",
            environment=env,
        ),
        links=((Message("Failover runbook"), f"operations/disaster-recovery/{env}.md"),),
    )


def restore(plan: DeploymentPlan, backup: str, env: str) -> Action:
    """Restore the newest copy of ``backup``: tested into a scratch target first."""
    found = next(b for b in plan.backup_strategy.backup_types if b.name == backup)
    test = f"{OUTPUT}/services/{found.service}/backup/{env}/{backup}-verify.sh"
    return Action(
        kind="restore",
        title=Message(
            "Restore %(backup)s of %(environment)s", backup=Code(backup), environment=env
        ),
        commands=(
            Command(
                (test,),
                Message(
                    "It restores the newest backup into a scratch folder, checks it and "
                    "prints restore test passed."
                ),
            ),
        ),
        verify=health(found.service, env),
        environment=env,
        effect=Message(
            "Proves the newest copy of %(backup)s restores; the recovery procedures of the "
            "disaster-recovery runbook then restore it in place.",
            backup=Code(backup),
        ),
        links=tuple(
            (Message("Failover runbook"), f"operations/disaster-recovery/{dr}.md")
            for dr in plan.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
            if failover_planned(plan)
        ),
    )


def run(step: RunStep) -> Action:
    """A command of the team's own, shown as written."""
    return Action(
        kind="run",
        title=Message("Run"),
        commands=(Command((step.run,), step.expect),),
        environment=step.environment,
    )


def expand(plan: DeploymentPlan, step: object) -> Action | None:
    """The action a typed step stands for; None for a step written as text."""
    found: Action | None
    match step:
        case RollbackStep():
            found = rollback(plan, step.rollback, step.environment, step.to)
        case DeployStep():
            found = deploy(plan, step.deploy, step.environment, step.version)
        case FailoverStep():
            found = failover(plan, step.failover, step.drill)
        case RestoreStep():
            found = restore(plan, step.restore, step.environment)
        case HealthcheckStep():
            found = healthcheck(step.healthcheck, step.environment)
        case ScaleStep():
            found = scale(plan, step.scale, step.environment, step.replicas)
        case RunStep():
            found = run(step)
        case _:
            return None
    note = getattr(step, "note", "")
    return replace(found, note=note) if found is not None and note else found


def shown_steps(plan: DeploymentPlan, steps: list[Any]) -> list[dict[str, Any]]:
    """Steps as pages show them: ``text`` as written, or the ``action`` they expand into."""
    return [
        {"text": step, "action": None}
        if isinstance(step, str)
        else {"text": "", "action": expand(plan, step)}
        for step in steps
    ]

"""The exact commands behind an operator's action, per service, engine and environment.

Alert runbooks and the typed steps of procedures both come here: how to look at a service
in an environment from an operator's machine (kubectl with the environment's context and
namespace, helm, ssh with systemctl and journalctl on VMs, docker compose, the provider's
CLI), and how to act on it (the generated rollback, deploy and health-check scripts, the
failover script of a disaster-recovery environment, scaling where the engine can).
Every command carries what its output looks like when all is well, as a catalog message.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from generator.locale import N_
from generator.locale.message import Code, Message
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.project import Engine, Target
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
from generator.targets.deploy.engines import namespace, replicas
from generator.targets.docs.commands import OUTPUT, script

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
class Command:
    """Shell lines to run, and what their output shows when all is well."""

    lines: tuple[str, ...]
    healthy: Message | str


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


def kubectl(plan: DeploymentPlan, target: Target, env: str) -> str:
    """``kubectl`` with the environment's context and the target's namespace."""
    context = plan.environments[env].configuration.kube_context
    where = f" --context {_q(context)}" if context else ""
    return f"kubectl{where} --namespace {_q(namespace(plan, target, env))}"


def _ssh(target: Target, host: str) -> str:
    who = f"{target.ssh_user}@{host}" if target.ssh_user else host
    return f"ssh {_q(who)}"


def diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    """Read-only commands that show the state of ``service`` in ``env``."""
    target = service.targets[env]
    by_engine = {
        Engine.KUBERNETES: _kubernetes_diagnosis,
        Engine.HELM: _helm_diagnosis,
        Engine.ANSIBLE: _vm_diagnosis,
        Engine.SYSTEMD: _vm_diagnosis,
        Engine.COMPOSE: _compose_diagnosis,
        Engine.MANAGED: _managed_diagnosis,
        Engine.LOCAL: _local_diagnosis,
    }
    found = by_engine[target.engine](plan, service, env)
    found.append(_health(service.name, env))
    return found


def _health(service: str, env: str) -> Command:
    return Command(
        (script(service, env, "healthcheck.sh"),),
        Message(
            "Every health indicator prints ok and the script exits 0; a failing probe "
            "names the check and exits 1."
        ),
    )


def _kubernetes_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    target = service.targets[env]
    k = kubectl(plan, target, env)
    name = service.name
    found = [
        Command(
            (f"{k} get deployment {name} --output wide",),
            Message(
                "READY shows %(count)s of %(count)s and UP-TO-DATE equals it.",
                count=replicas(plan, name, env),
            ),
        ),
        Command(
            (f"{k} get pods --selector app.kubernetes.io/name={name}",),
            Message("Every pod is Running with all containers ready and few RESTARTS."),
        ),
        Command(
            (f"{k} logs deployment/{name} --since 15m --tail 200",),
            Message("Requests are served; no repeated errors, stack traces or timeouts."),
        ),
        Command(
            (f"{k} get events --sort-by .lastTimestamp",),
            Message("No recent BackOff, Unhealthy, FailedScheduling or OOMKilled events."),
        ),
    ]
    promotion = gitops.context(plan, service, env)
    if promotion["enabled"]:
        found.insert(0, _sync_status(plan, env, promotion))
    return found


def _sync_status(plan: DeploymentPlan, env: str, promotion: dict[str, Any]) -> Command:
    context = plan.environments[env].configuration.kube_context
    where = f" --context {_q(context)}" if context else ""
    kind = (
        "applications.argoproj.io"
        if promotion["controller"] == "argocd"
        else "kustomizations.kustomize.toolkit.fluxcd.io"
    )
    name = promotion["application"] if promotion["controller"] == "argocd" else ""
    line = f"kubectl{where} --namespace {_q(promotion['controller_namespace'])} get {kind}"
    healthy = (
        Message(
            "The Argo CD application %(application)s is Synced and Healthy at the revision "
            "last promoted.",
            application=Code(promotion["application"]),
        )
        if promotion["controller"] == "argocd"
        else Message("Every Flux Kustomization is Ready True at the revision last promoted.")
    )
    return Command((f"{line} {name}".rstrip(),), healthy)


def _helm_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    target = service.targets[env]
    context = plan.environments[env].configuration.kube_context
    where = f" --kube-context {_q(context)}" if context else ""
    helm = f"helm{where} --namespace {_q(namespace(plan, target, env))}"
    release = target.release or service.name
    k = kubectl(plan, target, env)
    return [
        Command(
            (f"{helm} status {release}",),
            Message("STATUS: deployed, at the revision of the release you expect."),
        ),
        Command(
            (f"{helm} history {release} --max 5",),
            Message(
                "The newest revision is deployed and the ones before superseded; a failed "
                "or pending revision is the one to look at."
            ),
        ),
        Command(
            (f"{k} get pods --selector app.kubernetes.io/instance={release}",),
            Message("Every pod is Running with all containers ready and few RESTARTS."),
        ),
        Command(
            (f"{k} logs --selector app.kubernetes.io/instance={release} --since 15m --tail 200",),
            Message("Requests are served; no repeated errors, stack traces or timeouts."),
        ),
    ]


def _vm_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    del plan  # each host is reached by its own name
    target = service.targets[env]
    unit = target.unit or f"{service.name}.service"
    found = []
    for host in target.hosts:
        ssh = _ssh(target, host)
        found += [
            Command(
                (f"{ssh} systemctl status {unit} --no-pager",),
                Message(
                    "Active: active (running) on %(host)s, since the time of the last "
                    "deploy or restart.",
                    host=Code(host),
                ),
            ),
            Command(
                (f"{ssh} journalctl -u {unit} --since '-15min' --no-pager",),
                Message("Requests are served; no repeated errors, stack traces or restarts."),
            ),
        ]
    return found


def _compose_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    target = service.targets[env]
    compose = (
        f"docker compose --project-name {plan.project.name}-{env} "
        f"--file {script(service.name, env, 'compose.yaml')}"
    )
    found = []
    for host in target.hosts or [""]:
        who = f"{target.ssh_user}@{host}" if target.ssh_user else host
        prefix = f"DOCKER_HOST=ssh://{who} " if host else ""
        found += [
            Command(
                (f"{prefix}{compose} ps {service.name}",),
                Message("STATUS is Up and (healthy) for the service's container."),
            ),
            Command(
                (f"{prefix}{compose} logs --since 15m --tail 200 {service.name}",),
                Message("Requests are served; no repeated errors, stack traces or restarts."),
            ),
        ]
    return found


#: The provider's CLI for the managed products it knows: command and what healthy shows.
_PROVIDER_CLI = {
    "aws-rds": (
        "aws rds describe-db-instances --region {region} --query "
        "'DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,MultiAZ]' --output table",
        N_("Every instance is available; none is rebooting, modifying or storage-full."),
    ),
    "aws-elasticache": (
        "aws elasticache describe-replication-groups --region {region} --query "
        "'ReplicationGroups[].[ReplicationGroupId,Status]' --output table",
        N_("Every replication group is available."),
    ),
    "gcp-cloudsql": (
        "gcloud sql instances list --filter region:{region}",
        N_("STATUS is RUNNABLE for every instance."),
    ),
    "azure-postgresql": (
        "az postgres flexible-server list --query '[].[name,state]' --output table",
        N_("Every server is Ready."),
    ),
}


def _managed_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    product = service.targets[env].managed_service or ""
    region = plan.environments[env].region or ""
    for prefix, (command, healthy) in _PROVIDER_CLI.items():
        if product.startswith(prefix) and (region or "{region}" not in command):
            return [Command((command.format(region=_q(region)),), Message(healthy))]
    return []


def _local_diagnosis(plan: DeploymentPlan, service: Service, env: str) -> list[Command]:
    del plan, service, env  # the health check is all there is to read
    return []


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
        commands=(_health(service, env),),
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
        verify=_health(service, env),
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
        verify=_health(found.service, env),
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

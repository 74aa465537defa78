"""Read-only commands that show the state of a service in an environment, per engine.

kubectl with the environment's context and namespace (and the GitOps controller's sync
status where it promotes), helm, ssh with systemctl and journalctl on VMs, docker compose,
the provider's CLI for managed products, and the generated health check. Every command
carries what its output looks like when all is well, as a catalog message.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from generator.locale import N_
from generator.locale.message import Code, Message
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine, Target
from generator.targets.deploy import gitops
from generator.targets.deploy.engines import namespace, replicas
from generator.targets.docs.commands import script


@dataclass(frozen=True)
class Command:
    """Shell lines to run, and what their output shows when all is well."""

    lines: tuple[str, ...]
    healthy: Message | str


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
    found.append(health(service.name, env))
    return found


def health(service: str, env: str) -> Command:
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

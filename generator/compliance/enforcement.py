"""Evidence tiers: which generated lines carry a check's claim, and which probes verify it.

An *enforcer* finds, per scope the check judges (an environment, a service, a backup),
the generated lines that carry the claim. A passing check is ``enforced`` when every
scope has such a line, ``verified`` when besides a probe (:mod:`.probes`) checks every
scope on the running system, else ``declared``: only the spec says so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from generator.compliance.artifacts import FoundLine
from generator.compliance.context import AuditContext
from generator.compliance.probes import cluster_workloads, probe_for
from generator.compliance.results import ArtifactEvidence, CheckResult, Status, Tier
from generator.locale.message import Code, Message

#: Scope -> the generated lines enforcing the claim there (none: only declared).
Scopes = dict[str, list[ArtifactEvidence]]
Enforcer = Callable[[AuditContext], Scopes]
ENFORCERS: dict[str, Enforcer] = {}


def enforcer(check: str) -> Callable[[Enforcer], Enforcer]:
    """Register the decorated function as the enforcer of ``check``."""

    def register(function: Enforcer) -> Enforcer:
        ENFORCERS[check] = function
        return function

    return register


def with_tier(result: CheckResult, ctx: AuditContext) -> CheckResult:
    """``result`` with its evidence tier, the lines behind it and the unenforced scopes."""
    if result.status is Status.NOT_APPLICABLE:
        return result
    if result.status is Status.FAIL or result.check not in ENFORCERS:
        return dataclasses.replace(result, tier=Tier.DECLARED)
    scopes = ENFORCERS[result.check](ctx)
    lines = tuple(line for found in scopes.values() for line in found)
    missing = tuple(scope for scope, found in scopes.items() if not found)
    if missing or not scopes:
        return dataclasses.replace(result, tier=Tier.DECLARED, artifacts=lines, unenforced=missing)
    checked = _probes(ctx, result.check, list(scopes))
    if checked:
        return dataclasses.replace(result, tier=Tier.VERIFIED, artifacts=lines + checked)
    return dataclasses.replace(result, tier=Tier.ENFORCED, artifacts=lines)


def _probes(ctx: AuditContext, check: str, scopes: list[str]) -> tuple[ArtifactEvidence, ...]:
    """The probes verifying ``check`` in every scope's environment; none unless all are."""
    probes = [probe_for(ctx.plan, check, _environment(scope)) for scope in scopes]
    if not all(probes):
        return ()
    unique = {p.path: p for p in probes if p is not None}
    return tuple(
        ArtifactEvidence(p.environment, f"output/{path}", 1, p.name, p.description, probe=True)
        for path, p in unique.items()
    )


def _environment(scope: str) -> str:
    """Scopes are ``environment`` or ``environment: item``."""
    return scope.split(": ", 1)[0]


def _lines(found: list[FoundLine], scope: str, note: Message) -> list[ArtifactEvidence]:
    return [ArtifactEvidence(scope, f.file, f.line, f.text, note) for f in found]


@enforcer("network_default_deny")
def _network_policies(ctx: AuditContext) -> Scopes:
    """Each cluster workload's NetworkPolicy; an environment without one is only declared.

    VM workloads have no generated firewall, so they add nothing either way.
    """
    scopes: Scopes = {}
    for env in ctx.production_environments:
        found = ctx.artifacts.find("kubernetes", r"^kind: NetworkPolicy$", environment=env)
        workloads = cluster_workloads(ctx.plan, env)
        covered = {f.service for f in found}
        note = Message("NetworkPolicy admitting only declared traffic")
        complete = bool(workloads) and covered >= set(workloads)
        scopes[env] = _lines(found, env, note) if complete else []
    return scopes


def _tls_hosts(ctx: AuditContext) -> list[tuple[str, str]]:
    return [
        (env, host)
        for env in ctx.production_environments
        for host in sorted(
            {
                i.host
                for i in ctx.plan.environments[env].infrastructure.network_configuration.ingresses
                if i.tls
            }
        )
    ]


@enforcer("encryption_in_transit")
def _tls_served(ctx: AuditContext) -> Scopes:
    scopes: Scopes = {}
    for env, host in _tls_hosts(ctx):
        name = re.escape(host)
        ingress = ctx.artifacts.find(
            "kubernetes", rf"^\s+- {name}$", environment=env, name=r"ingress\.yaml$"
        )
        values = ctx.artifacts.find(
            "deploy", rf"^\s+- {name}$", environment=env, name=r"values\.yaml$"
        )
        site = ctx.artifacts.find(
            "deploy", rf"^\s*ssl_certificate \S*/{name}\.crt;$", environment=env
        )
        scope = f"{env}: {host}"
        shown = {"host": Code(host)}
        scopes[scope] = [
            *_lines(ingress, scope, Message("the Ingress serves %(host)s over TLS", **shown)),
            *_lines(values, scope, Message("the Helm values serve %(host)s over TLS", **shown)),
            *_lines(site, scope, Message("the nginx site serves %(host)s over TLS", **shown)),
        ]
    return scopes


@enforcer("tls_minimum_version")
def _tls_protocols(ctx: AuditContext) -> Scopes:
    scopes: Scopes = {}
    for env in sorted({env for env, _ in _tls_hosts(ctx)}, key=ctx.production_environments.index):
        found = ctx.artifacts.find("deploy", r"^\s*ssl_protocols TLSv1\.[23]\b", environment=env)
        note = Message("nginx accepts only these TLS versions")
        scopes[env] = _lines([f for f in found if "TLSv1.1" not in f.text], env, note)
    return scopes


@enforcer("backup_coverage")
def _backup_schedules(ctx: AuditContext) -> Scopes:
    from generator.compliance.checks.backups import production_backups

    scopes: Scopes = {}
    production = ctx.production_environments
    for _, backup in production_backups(ctx):
        for env in (e for e in backup.environments if e in production):
            names = f"({re.escape(backup.name)}|{re.escape(backup.name.replace('_', '-'))})"
            timers = ctx.artifacts.find(
                "backups", r"^OnCalendar=", environment=env, name=rf"-{names}\.timer$"
            )
            cronjobs = ctx.artifacts.find(
                "backups", r"^\s+schedule:", environment=env, name=rf"-{names}\.yaml$"
            )
            scope = f"{env}: {backup.name}"
            note = Message("schedule of backup %(backup)s", backup=Code(backup.name))
            scopes[scope] = _lines(timers + cronjobs, scope, note)
    return scopes


@enforcer("production_change_approval")
def _environment_protection(ctx: AuditContext) -> Scopes:
    management = ctx.plan.version_management
    rules = management.release_policy.approvals if management else []
    scopes: Scopes = {}
    for env in ctx.production_environments:
        if not any(rule.environment == env for rule in rules):
            continue
        name = re.escape(env)
        found = ctx.artifacts.find(
            "pipelines",
            rf"^(environment {name} true|protect {name} [1-9])\b",
            name=r"configure-(github|gitlab)-environments\.sh$",
        )
        note = Message("deploys to %(environment)s wait for required reviewers", environment=env)
        scopes[env] = _lines(found, env, note)
    return scopes


@enforcer("vulnerability_scanning")
def _scan_gates(ctx: AuditContext) -> Scopes:
    scopes: Scopes = {}
    for service in ctx.plan.services:
        # an upstream image (Redis, PostgreSQL) is not built or shipped by the pipelines
        if service.upstream is not None or not (service.image or service.build_command):
            continue
        found = [
            f
            for f in ctx.artifacts.find("pipelines", r"trivy\b.*--exit-code 1|^\s*TRIVY_IMAGE:")
            if f.service == service.name
        ]
        note = Message("the pipeline's security gate fails on vulnerable dependencies or images")
        scopes[service.name] = _lines(found, service.name, note)
    return scopes

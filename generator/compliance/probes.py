"""Probes: generated scripts that check the running system for what the spec claims.

A check's claim in an environment counts as *verified* when a generated artifact enforces
it and a probe here checks it there. The compliance family renders each probe from
``templates/compliance/probes/``; the checks read the same list, so a tier never names
a probe that is not generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from generator.locale.message import Message
from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.recovery import BackupEngine, BackupType
from generator.spec.model.types import duration_seconds

#: Environments whose claims the checks judge: production data lives there.
JUDGED = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)
#: Engines whose backups land in a restic repository, so `restic snapshots` lists them.
RESTIC_REPOSITORIES = frozenset(
    {BackupEngine.PG_DUMP, BackupEngine.PG_BASEBACKUP, BackupEngine.MYSQLDUMP, BackupEngine.RESTIC}
)
CLUSTER_ENGINES = frozenset({"kubernetes", "helm"})
_TLS_VERSIONS = {"1.2": "tls1_2", "1.3": "tls1_3"}


@dataclass(frozen=True)
class Probe:
    """One probe script of one environment, and the checks it verifies there."""

    name: str
    environment: str
    checks: tuple[str, ...]
    description: Message
    context: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def path(self) -> PurePosixPath:
        """Where it is written under ``output/``."""
        return PurePosixPath("compliance", "probes", self.environment, f"{self.name}.sh")


def planned_probes(plan: DeploymentPlan) -> list[Probe]:
    """Every probe of every production or DR environment, in a stable order."""
    probes: list[Probe] = []
    for env, environment in plan.environments.items():
        if environment.environment_type not in JUDGED:
            continue
        for build in (_tls, _network_policies, _backup_recency):
            probe = build(plan, env)
            if probe is not None:
                probes.append(probe)
    return probes


def probe_for(plan: DeploymentPlan, check: str, environment: str) -> Probe | None:
    """The probe verifying ``check`` in ``environment``, if one is generated."""
    return next(
        (p for p in planned_probes(plan) if p.environment == environment and check in p.checks),
        None,
    )


def _tls(plan: DeploymentPlan, env: str) -> Probe | None:
    from generator.targets.deploy.proxy import tls_floor

    network = plan.environments[env].infrastructure.network_configuration
    hosts = sorted({i.host for i in network.ingresses if i.tls})
    if not hosts:
        return None
    floor = tls_floor(plan, env)
    context = {"hosts": hosts, "floor": floor, "floor_flag": _TLS_VERSIONS.get(floor, "tls1_2")}
    checks = ("encryption_in_transit", "tls_minimum_version")
    return Probe("tls-probe", env, checks, Message("TLS handshakes with the public hosts"), context)


def _network_policies(plan: DeploymentPlan, env: str) -> Probe | None:
    if not plan.environments[env].infrastructure.network_configuration.default_deny:
        return None
    configuration = plan.environments[env].configuration
    targets = [
        {"service": name, "namespace": namespace}
        for name, namespace in cluster_workloads(plan, env).items()
    ]
    if not targets:
        return None
    context = {"targets": targets, "kube_context": configuration.kube_context or ""}
    checks = ("network_default_deny",)
    return Probe(
        "network-policies",
        env,
        checks,
        Message("the NetworkPolicy objects in the cluster"),
        context,
    )


def cluster_workloads(plan: DeploymentPlan, env: str) -> dict[str, str]:
    """Services on Kubernetes or Helm in ``env``, each with its namespace."""
    default = plan.environments[env].configuration.namespace or "default"
    return {
        service.name: target.namespace or default
        for service in plan.services
        if (target := service.targets.get(env)) is not None
        and target.engine.value in CLUSTER_ENGINES
    }


def _backup_recency(plan: DeploymentPlan, env: str) -> Probe | None:
    backups = [b for b in plan.backup_strategy.backup_types if env in b.environments]
    if not backups or any(b.engine not in RESTIC_REPOSITORIES for b in backups):
        return None
    repositories = [
        {"backup": b.name, "repository": b.repository or "", "max_age": _max_age(plan, b)}
        for b in backups
    ]
    context = {"repositories": repositories}
    checks = ("backup_coverage",)
    return Probe(
        "backup-recency",
        env,
        checks,
        Message("the age of the newest snapshot of each backup"),
        context,
    )


def _max_age(plan: DeploymentPlan, backup: BackupType) -> int:
    """Seconds the newest snapshot may be old: the tightest RPO it protects, else its schedule."""
    rpos = [
        duration_seconds(point.rpo)
        for point in plan.disaster_recovery.recovery_points
        if backup.name in point.backups
    ]
    if rpos:
        return int(min(rpos))
    from generator.targets.backups.details import max_age

    return max_age(plan, backup)

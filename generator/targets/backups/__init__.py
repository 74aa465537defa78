"""The ``backups`` family: perform_backup and verify_backup on real engines.

Per service and environment, ``output/services/<service>/backup/<env>/`` holds a backup
script and a restore-test script per backup, and their schedule three ways: a crontab,
systemd service and timer units (``systemd/``) and Kubernetes CronJobs with the
kustomization that ships the scripts as a ConfigMap (``kubernetes/``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import Operator
from generator.spec.model.recovery import BackupEngine, BackupType
from generator.targets.backups import velero as velero_schedules
from generator.targets.backups.details import backup_details
from generator.targets.backups.schedule import BACKUP_USER, ScheduleEntry, schedule_entries
from generator.targets.context import PlanContext

FAMILY = "backups"
INSTALL_ROOT = "/opt/deployplan"


def plan(context: PlanContext) -> list[Artifact]:
    """Scripts and schedules of every backup in every environment it runs in."""
    spec = context.plan
    groups: dict[tuple[str, str], list[BackupType]] = defaultdict(list)
    for backup in spec.backup_strategy.backup_types:
        for environment in backup.environments:
            if environment in spec.environments:
                groups[backup.service, environment].append(backup)
    artifacts: list[Artifact] = []
    for (service, environment), backups in groups.items():
        artifacts += _folder(spec, service, environment, backups)
    return artifacts


def folder(service: str, environment: str) -> PurePosixPath:
    """Where the backup files of ``service`` in ``environment`` are generated."""
    return PurePosixPath("services", service, "backup", environment)


def install_dir(project: str, service: str, environment: str) -> str:
    """Where the scripts are installed on a host; the crontab and units run them there."""
    return f"{INSTALL_ROOT}/{project}/backup/{service}/{environment}"


def _folder(
    spec: DeploymentPlan, service: str, environment: str, backups: list[BackupType]
) -> list[Artifact]:
    here = folder(service, environment)
    scope = {"service": service, "environment": environment}
    artifacts = []
    entries: list[ScheduleEntry] = []
    for backup in backups:
        details = backup_details(spec, backup, environment)
        engine = backup.engine.value
        for template, name in (
            (engine, backup.name),
            (f"verify-{engine}", f"{backup.name}-verify"),
        ):
            artifacts.append(
                _artifact(here / f"{name}.sh", f"backups/{template}.sh.j2", details, scope, True)
            )
        entries += schedule_entries(spec, backup, service, environment)
    shared = {
        "service": service,
        "environment": environment,
        "timezone": spec.backup_strategy.schedule.timezone,
        "install_dir": install_dir(spec.project.name, service, environment),
    }
    artifacts.append(
        _artifact(here / "crontab", "backups/crontab.j2", {**shared, "entries": entries}, scope)
    )
    for entry in entries:
        for kind in ("service", "timer"):
            path = here / "systemd" / f"{entry.unit}.{kind}"
            context = {**shared, "entry": entry}
            artifacts.append(_artifact(path, f"backups/unit.{kind}.j2", context, scope))
    if any(entry.user == BACKUP_USER for entry in entries):
        users = [{"name": BACKUP_USER, "description": "deployplan backups and restore tests"}]
        context = {**shared, "name": BACKUP_USER, "users": users}
        path = here / "systemd" / "sysusers.conf"
        artifacts.append(_artifact(path, "backups/sysusers.conf.j2", context, scope))
    scheduled = _velero_scheduled(spec, entries, environment)
    artifacts += _velero(spec, here, scheduled, scope)
    cronjobs = [entry for entry in entries if entry not in scheduled]
    artifacts += _kubernetes(spec, here, cronjobs, backups, shared, scope)
    return artifacts


def _velero_scheduled(
    spec: DeploymentPlan, entries: list[ScheduleEntry], environment: str
) -> list[ScheduleEntry]:
    """The Velero backups that the cluster's Velero operator schedules itself."""
    if Operator.VELERO not in spec.environments[environment].configuration.operators:
        return []
    return [e for e in entries if e.backup.engine is BackupEngine.VELERO and not e.restore_test]


def _velero(
    spec: DeploymentPlan,
    here: PurePosixPath,
    entries: list[ScheduleEntry],
    scope: dict[str, str],
) -> list[Artifact]:
    """Velero Schedules in ``velero/``, with the kustomization that applies them."""
    if not entries:
        return []
    found = velero_schedules.schedules(spec, entries, scope["environment"])
    template = "backups/resource.yaml.j2"
    artifacts = [
        _artifact(here / "velero" / f"{name}.yaml", template, {"resource": schedule}, scope)
        for name, schedule in found.items()
    ]
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": velero_schedules.NAMESPACE,
        "resources": [f"{name}.yaml" for name in found],
    }
    path = here / "velero" / "kustomization.yaml"
    artifacts.append(_artifact(path, template, {"resource": kustomization}, scope))
    return artifacts


def _kubernetes(
    spec: DeploymentPlan,
    here: PurePosixPath,
    entries: list[ScheduleEntry],
    backups: list[BackupType],
    shared: dict[str, Any],
    scope: dict[str, str],
) -> list[Artifact]:
    image = spec.backup_strategy.runner_image
    if image is None or not entries:
        return []
    service, environment = shared["service"], shared["environment"]
    namespace = _namespace(spec, service, environment)
    config_map = f"{service}-backup-scripts"
    labels = {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/component": "backup",
        "app.kubernetes.io/managed-by": "deployplan",
    }
    common = {**shared, "namespace": namespace, "image": image, "config_map": config_map}
    artifacts = []
    for entry in entries:
        job = entry.cronjob(spec, environment)
        context = {**common, "entry": entry, "job": job, "labels": labels}
        path = here / "kubernetes" / f"{job['name']}.yaml"
        artifacts.append(_artifact(path, "backups/cronjob.yaml.j2", context, scope))
    resources = [f"kubernetes/{e.cronjob(spec, environment)['name']}.yaml" for e in entries]
    scripts = sorted({s for b in backups for s in (f"{b.name}.sh", f"{b.name}-verify.sh")})
    kustomization = {**common, "resources": resources, "scripts": scripts}
    path = here / "kustomization.yaml"
    artifacts.append(_artifact(path, "backups/kustomization.yaml.j2", kustomization, scope))
    return artifacts


def _namespace(spec: DeploymentPlan, service: str, environment: str) -> str:
    target = spec.service(service).targets.get(environment)
    if target is not None and target.namespace:
        return target.namespace
    return spec.environments[environment].configuration.namespace or "default"


def _artifact(
    path: PurePosixPath,
    template: str,
    context: dict[str, Any],
    scope: dict[str, str],
    executable: bool = False,
) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=path,
        template=template,
        family=FAMILY,
        context=context,
        environment=scope["environment"],
        service=scope["service"],
        executable=executable,
    )

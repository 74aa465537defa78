"""Velero ``Schedule`` resources, for clusters that run the Velero operator: Velero takes
the scheduled backups itself, with their TTL, instead of a CronJob running its CLI.

Schedules live in Velero's namespace, so they get a folder and kustomization of their own
(``velero/``): the backup folder's kustomization sets the service's namespace on all it
lists. Restore tests stay CronJobs: Velero has no scheduled restores.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.targets.backups.details import backup_details
from generator.targets.backups.schedule import ScheduleEntry

API_VERSION = "velero.io/v1"
#: Where Velero is installed (its default namespace); Schedules must be created there.
NAMESPACE = "velero"


def schedules(
    spec: DeploymentPlan, entries: list[ScheduleEntry], environment: str
) -> dict[str, dict[str, Any]]:
    """Name -> Schedule: one per entry and storage location (the off-site copy too)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        details = backup_details(spec, entry.backup, environment)
        base = entry.cronjob(spec, environment)["name"]
        locations = [entry.backup.repository, entry.backup.offsite_copy]
        for suffix, location in zip(("", "-offsite"), locations, strict=True):
            if location:
                found[base + suffix] = _schedule(spec, entry, base + suffix, location, details)
    return found


def _schedule(
    spec: DeploymentPlan,
    entry: ScheduleEntry,
    name: str,
    location: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    timezone = spec.backup_strategy.schedule.timezone
    cron = entry.cron if timezone == "UTC" else f"CRON_TZ={timezone} {entry.cron}"
    labels = {
        "app.kubernetes.io/name": entry.backup.service,
        "app.kubernetes.io/component": "backup",
        "app.kubernetes.io/managed-by": "deployplan",
        "deployplan.io/backup": entry.backup.name.replace("_", "-"),
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "Schedule",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "schedule": cron,
            "template": {
                "includedNamespaces": [entry.backup.source],
                "storageLocation": location,
                "ttl": details["b"]["velero_ttl"],
            },
        },
    }

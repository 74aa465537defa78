"""When backups and restore tests run: one entry per scheduled job, written as a crontab
line, a systemd service and timer, and a Kubernetes CronJob."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.recovery import BackupEngine, BackupType
from generator.targets.calendar import on_calendar

#: Engines whose scripts run as the postgres user (the server refuses root).
_POSTGRES = {BackupEngine.PG_DUMP, BackupEngine.PG_BASEBACKUP}
_POSTGRES_UID = 999
_RUNNER_UID = 65532
#: The system user backups run as (PostgreSQL's run as ``postgres``); ``sysusers.conf``
#: next to the units creates it.
BACKUP_USER = "deployplan-backup"


@dataclass(frozen=True)
class ScheduleEntry:
    """One scheduled run of a backup or of its restore test."""

    backup: BackupType
    restore_test: bool
    cron: str
    index: int
    unit: str
    script: str
    description: str
    calendar: tuple[str, ...]
    user: str
    writable: tuple[str, ...]
    read_all: bool

    def cronjob(self, spec: DeploymentPlan, environment: str) -> dict[str, Any]:
        """Name, limits and volumes of the CronJob that runs this entry."""
        name = self.unit.removeprefix("deployplan-").replace("_", "-")[:52].rstrip("-")
        return {
            "name": name,
            "deadline": 6 * 3600 if self.restore_test else 4 * 3600,
            "uid": _POSTGRES_UID if self.backup.engine in _POSTGRES else _RUNNER_UID,
            "container": "restore-test" if self.restore_test else "backup",
            "service_account": "deployplan-backup",
            "volumes": [] if self.restore_test else _volumes(spec, self.backup, environment),
        }


def schedule_entries(
    spec: DeploymentPlan, backup: BackupType, service: str, environment: str
) -> list[ScheduleEntry]:
    """The backup's jobs, then its restore tests, in spec order."""
    schedule = spec.backup_strategy.schedule
    entries = []
    for restore_test, jobs in ((False, schedule.jobs), (True, schedule.restore_tests)):
        crons = [job.cron for job in jobs if job.backup == backup.name]
        for index, cron in enumerate(crons):
            suffix = ("-verify" if restore_test else "") + (f"-{index + 1}" if index else "")
            what = "Restore test of" if restore_test else "Backup"
            entries.append(
                ScheduleEntry(
                    backup=backup,
                    restore_test=restore_test,
                    cron=cron,
                    index=index,
                    unit=f"deployplan-{service}-{backup.name}{suffix}",
                    script=f"{backup.name}{'-verify' if restore_test else ''}.sh",
                    description=f"{what} {backup.name} of {service} in {environment} "
                    f"({backup.engine.value})",
                    calendar=tuple(on_calendar(cron, schedule.timezone)),
                    user="postgres" if backup.engine in _POSTGRES else BACKUP_USER,
                    writable=_local_repositories(backup),
                    read_all=backup.engine is BackupEngine.RESTIC and not restore_test,
                )
            )
    return entries


def _local_repositories(backup: BackupType) -> tuple[str, ...]:
    """Repositories on this host's disk: the only places a backup's unit may write."""
    places = (backup.repository, backup.offsite_copy)
    return tuple(sorted({p for p in places if p and p.startswith("/")}))


def _volumes(spec: DeploymentPlan, backup: BackupType, environment: str) -> list[dict[str, str]]:
    """The environment's volume a restic backup reads, mounted read-only."""
    if backup.engine is not BackupEngine.RESTIC:
        return []
    storage = spec.environments[environment].infrastructure.storage_requirements
    return [
        {"name": "source", "claim": volume.name, "mount_path": volume.mount_path}
        for volume in storage.volumes
        if volume.service == backup.service
        and (backup.source + "/").startswith(volume.mount_path.rstrip("/") + "/")
    ][:1]

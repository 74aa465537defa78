"""Seed §6: backups and disaster recovery."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from generator.spec.model.types import (
    Cron,
    Duration,
    EnvironmentRef,
    Identifier,
    RoleRef,
    SecretRefName,
    ServiceRef,
    SpecModel,
    Text,
)


class BackupEngine(StrEnum):
    PG_DUMP = "pg_dump"
    PG_BASEBACKUP = "pg_basebackup"
    MYSQLDUMP = "mysqldump"
    RESTIC = "restic"
    OBJECT_REPLICATION = "object_replication"
    VELERO = "velero"


class BackupType(SpecModel):
    """One kind of backup: what is copied, with which engine, to where."""

    name: Identifier = Field(description="Unique backup name.")
    kind: Literal["full", "incremental", "differential", "snapshot", "logical"] = Field(
        description="Backup kind."
    )
    engine: BackupEngine = Field(description="Engine that takes the backup.")
    service: ServiceRef = Field(description="Service whose data is backed up.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Where it runs.")
    source: str = Field(description="Database name, path or bucket backed up.")
    repository: str = Field(description="Where backups go, e.g. `s3:s3.amazonaws.com/shop-bk`.")
    offsite_copy: str | None = Field(None, description="A second repository in another region.")
    encryption_key: SecretRefName | None = Field(
        None, description="Secret holding the encryption key; none means unencrypted."
    )


class ScheduledJob(SpecModel):
    backup: Identifier = Field(description="The backup this job runs.")
    cron: Cron = Field(description="When it runs.")


class BackupSchedule(SpecModel):
    """Seed ``BackupSchedule``: when backups and restore tests run."""

    timezone: str = Field("UTC", description="Time zone of the cron expressions.")
    jobs: list[ScheduledJob] = Field(default_factory=list, description="Backup runs.")
    restore_tests: list[ScheduledJob] = Field(
        default_factory=list, description="Scheduled restore tests (verify_backup)."
    )


class RetentionPolicy(SpecModel):
    """Grandfather-father-son retention."""

    keep_daily: int = Field(7, ge=0, description="Daily backups kept.")
    keep_weekly: int = Field(4, ge=0, description="Weekly backups kept.")
    keep_monthly: int = Field(12, ge=0, description="Monthly backups kept.")
    keep_yearly: int = Field(0, ge=0, description="Yearly backups kept.")


class BackupStrategy(SpecModel):
    """Seed §6.1 ``BackupStrategy``."""

    backup_types: list[BackupType] = Field(default_factory=list, description="Backups.")
    schedule: BackupSchedule = Field(default_factory=BackupSchedule, description="Schedule.")
    retention_policy: RetentionPolicy = Field(
        default_factory=RetentionPolicy, description="How long backups are kept."
    )


class RecoveryProcedure(SpecModel):
    name: Identifier = Field(description="Unique step name.")
    description: Text = Field(description="What the step does and why.")
    command: Text | None = Field(None, description="Command that performs it, if scripted.")
    duration: Duration = Field(description="How long it takes; summed against the RTO.")
    owner: RoleRef = Field(description="Role that performs it.")
    confirm: bool = Field(True, description="Ask before running it.")


class FailoverStrategy(SpecModel):
    type: Literal["active_passive", "active_active", "pilot_light", "backup_restore"] = Field(
        description="Failover model."
    )
    primary: EnvironmentRef = Field(description="Environment serving normally.")
    secondary: EnvironmentRef = Field(description="Environment taking over.")
    traffic_switch: Literal["dns", "load_balancer", "manual"] = Field(
        "dns", description="How traffic moves."
    )
    dns_record: str | None = Field(None, description="Record switched, e.g. `shop.example.com`.")
    dns_ttl: Duration = Field("60s", description="TTL of that record.")
    automatic: bool = Field(False, description="Fail over without a human decision.")
    drill_schedule: str | None = Field(
        None, pattern=r"^\S+(\s+\S+){4}$", description="Cron of DR drills (test_recovery_plan)."
    )
    failback: list[Text] = Field(default_factory=list, description="Steps to fail back.")


class RecoveryPoint(SpecModel):
    name: Identifier = Field(description="Unique name.")
    service: ServiceRef = Field(description="Service whose data this is.")
    backups: list[Identifier] = Field(min_length=1, description="Backups that protect it.")
    rpo: Duration = Field(description="Most data that may be lost.")
    rto: Duration = Field(description="Longest time to restore service.")


class DisasterRecovery(SpecModel):
    """Seed §6.2 ``DisasterRecovery``."""

    recovery_procedures: list[RecoveryProcedure] = Field(
        default_factory=list, description="Ordered failover steps."
    )
    failover_strategy: FailoverStrategy | None = Field(None, description="How failover works.")
    recovery_points: list[RecoveryPoint] = Field(
        default_factory=list, description="RPO and RTO per data set."
    )

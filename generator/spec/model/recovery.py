"""Seed §6: backups and disaster recovery."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.types import (
    Cron,
    Duration,
    EnvironmentRef,
    Identifier,
    Name,
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
    PROVIDER_PITR = "provider_pitr"


class PitrProvider(StrEnum):
    """Managed databases whose continuous backups `provider_pitr` restores from."""

    AWS_RDS = "aws_rds"
    GCP_CLOUDSQL = "gcp_cloudsql"
    AZURE_POSTGRESQL = "azure_postgresql"


HOSTNAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$"
REPOSITORY = r"^(/|(s3|sftp|rest|gs|azure|b2|swift|rclone):)?[A-Za-z0-9._/:@+=,~-]+$"
TableName = Annotated[
    str,
    Field(
        pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$",
        description="A table, optionally schema-qualified: `orders` or `billing.invoices`.",
    ),
]
_REPOSITORY_DESCRIPTION = (
    "A restic repository (`s3:HOST/BUCKET/PREFIX`, `sftp:…`, `rest:…`, `gs:…`, `azure:…`, "
    "`b2:…`, `rclone:…` or a local `/path`); for `object_replication` the destination bucket "
    "(`s3:HOST/BUCKET`); for `velero` the backup storage location's name; `provider_pitr` "
    "keeps its backups at the provider and takes none."
)


class BackupType(SpecModel):
    """One kind of backup: what is copied, with which engine, to where.

    Database dumps and base backups are stored in restic repositories too: restic encrypts
    them, keeps them by the retention policy, checks them and copies them off-site.
    """

    name: Identifier = Field(description="Unique backup name.")
    kind: Literal["full", "incremental", "differential", "snapshot", "logical"] = Field(
        description="Backup kind."
    )
    engine: BackupEngine = Field(
        description="Engine that takes the backup; `provider_pitr` is a managed database's "
        "own continuous backup (point-in-time recovery): deployplan takes nothing, checks "
        "it is on and restore-tests it through the provider's CLI."
    )
    service: ServiceRef = Field(description="Service whose data is backed up.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Where it runs.")
    source: str = Field(
        pattern=r"^[A-Za-z0-9_./-]+$",
        description="Database name (pg_dump, pg_basebackup, mysqldump), absolute path "
        "(restic), source bucket (object_replication), namespace (velero) or the provider's "
        "database instance name (provider_pitr).",
    )
    repository: str | None = Field(
        None,
        pattern=REPOSITORY,
        description=_REPOSITORY_DESCRIPTION + " Required for every engine but `provider_pitr`.",
    )
    offsite_copy: str | None = Field(
        None,
        pattern=REPOSITORY,
        description="A second repository in another region, kept in step after each run; "
        "for `provider_pitr` the region the provider replicates its backups to.",
    )
    provider: PitrProvider | None = Field(
        None, description="Whose point-in-time recovery it is (provider_pitr, required)."
    )
    log_interval: Duration = Field(
        "5m",
        description="How often the provider archives the transaction log: the most a "
        "point-in-time restore loses, counted against RPOs (provider_pitr).",
    )
    database: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_$-]*$",
        description="Database the restore test counts `expect_tables` rows in "
        "(provider_pitr) [default: the service name, `-` written `_`].",
    )
    retention: Duration | None = Field(
        None,
        description="How far back the provider can restore, its backup retention period, "
        "e.g. `7d` (provider_pitr, required); the backup script checks the provider keeps "
        "at least that.",
    )
    encryption_key: SecretRefName | None = Field(
        None,
        description="Secret holding the restic repository password: everything in the "
        "repository is encrypted with it. Object replication and Velero encrypt server-side.",
    )
    host: str | None = Field(
        None,
        pattern=HOSTNAME,
        description="Database host (pg_dump, pg_basebackup, mysqldump); defaults to the "
        "service's first host in the environment.",
    )
    user: str | None = Field(
        None,
        pattern=r"^[a-z_][a-z0-9_]*$",
        description="Database role the backup connects as (pg_dump, pg_basebackup, mysqldump).",
    )
    credentials: SecretRefName | None = Field(
        None, description="Secret holding that role's password."
    )
    base: Identifier | None = Field(
        None,
        description="The full pg_basebackup an `incremental` or `differential` one builds on.",
    )
    expect_tables: list[TableName] = Field(
        default_factory=list,
        description="Tables that must hold rows after a restore test (databases).",
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
    """Grandfather-father-son retention, applied with `restic forget --prune`."""

    keep_daily: int = Field(7, ge=0, description="Daily backups kept.")
    keep_weekly: int = Field(4, ge=0, description="Weekly backups kept.")
    keep_monthly: int = Field(12, ge=0, description="Monthly backups kept.")
    keep_yearly: int = Field(0, ge=0, description="Yearly backups kept.")
    keep_hourly: int = Field(0, ge=0, description="Hourly backups kept.")
    keep_within: Duration | None = Field(
        None, description="Keep every backup younger than this (point-in-time restores)."
    )


class BackupStrategy(SpecModel):
    """Seed §6.1 ``BackupStrategy``."""

    backup_types: list[BackupType] = Field(default_factory=list, description="Backups.")
    schedule: BackupSchedule = Field(default_factory=BackupSchedule, description="Schedule.")
    retention_policy: RetentionPolicy = Field(
        default_factory=RetentionPolicy, description="How long backups are kept."
    )
    runner_image: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9._/:@-]*$",
        description="Image with bash, the backup engines and the secret provider's CLI. The "
        "Kubernetes CronJobs run the generated scripts in it; without it none are generated.",
    )


class RecoveryProcedure(SpecModel):
    name: Identifier = Field(description="Unique step name.")
    description: Text = Field(description="What the step does and why.")
    command: Text | None = Field(None, description="Command that performs it, if scripted.")
    duration: Duration = Field(description="How long it takes; summed against the RTO.")
    owner: RoleRef = Field(description="Role that performs it.")
    confirm: bool = Field(True, description="Ask before running it.")
    action: Literal["traffic_switch"] | None = Field(
        None,
        description="`traffic_switch`: this step moves traffic as `failover_strategy` says "
        "(the generated DNS change, or a confirmed manual switch).",
    )
    in_drill: bool = Field(
        True, description="Run it during DR drills; `false` skips it (e.g. fencing production)."
    )


class DnsTarget(SpecModel):
    """A DNS record moved on failover: what it points at normally and after failover."""

    record: str = Field(pattern=HOSTNAME, description="Record name, e.g. `shop.example.com`.")
    primary: str = Field(pattern=HOSTNAME, description="Load balancer serving the primary.")
    secondary: str = Field(pattern=HOSTNAME, description="Load balancer serving the secondary.")
    primary_alias_zone: str | None = Field(
        None,
        pattern=r"^[A-Z0-9]{1,32}$",
        description="Hosted zone of the primary's load balancer: the record becomes a Route 53 "
        "alias (required at the zone apex); without it, a CNAME.",
    )
    secondary_alias_zone: str | None = Field(
        None,
        pattern=r"^[A-Z0-9]{1,32}$",
        description="Hosted zone of the secondary's load balancer.",
    )


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
    dns_zone_id: str | None = Field(
        None,
        pattern=r"^[A-Z0-9]{1,32}$",
        description="Route 53 hosted zone of `dns_targets`; the failover script switches them.",
    )
    dns_targets: list[DnsTarget] = Field(
        default_factory=list, description="Records switched on failover and back on failback."
    )
    automatic: bool = Field(False, description="Fail over without a human decision.")
    drill_schedule: Cron | None = Field(
        None, description="When DR drills are due (test_recovery_plan), in `project.timezone`."
    )
    failback: list[Text] = Field(default_factory=list, description="Steps to fail back.")


_KAFKA_PATTERN = Annotated[str, Field(pattern=r"^[A-Za-z0-9._*|()\[\]^$+?-]+$")]


class StreamingReplication(SpecModel):
    """A PostgreSQL hot standby in another environment, fed by streaming replication."""

    kind: Literal["streaming_replication"] = Field(
        description="PostgreSQL streaming replication to a standby that failover promotes."
    )
    source: EnvironmentRef = Field(description="Environment of the primary database.")
    target: EnvironmentRef = Field(description="Environment of the standby.")
    max_lag: Duration = Field(
        description="Replay lag the standby is kept within: the most a failover loses, "
        "counted against the RPO."
    )
    standby_host: str | None = Field(
        None, pattern=HOSTNAME, description="Host of the standby the runbook promotes."
    )
    slot: str | None = Field(
        None,
        pattern=r"^[a-z0-9_]{1,63}$",
        description="Replication slot the standby streams from, dropped on the old primary "
        "after failover.",
    )


class Mirroring(SpecModel):
    """Kafka topics mirrored to another environment's cluster by MirrorMaker 2."""

    kind: Literal["mirroring"] = Field(
        description="Kafka MirrorMaker 2 copying topics and consumer offsets."
    )
    source: EnvironmentRef = Field(description="Environment of the source cluster.")
    target: EnvironmentRef = Field(description="Environment of the cluster mirrored into.")
    max_lag: Duration = Field(
        description="Replication latency MirrorMaker 2 is kept within: the most a failover "
        "loses, counted against the RPO."
    )
    source_alias: Name | None = Field(
        None,
        description="MirrorMaker 2 alias of the source cluster, the prefix of mirrored topic "
        "names (`<alias>.<topic>`) [default: the source environment's name].",
    )
    topics: list[_KAFKA_PATTERN] = Field(
        default_factory=lambda: [".*"], description="Topic patterns mirrored (regexes)."
    )
    consumer_groups: list[_KAFKA_PATTERN] = Field(
        default_factory=lambda: [".*"],
        description="Consumer groups whose committed offsets are translated to the target "
        "(`sync.group.offsets.enabled`), so consumers resume where they were.",
    )


ContinuousProtection = Annotated[StreamingReplication | Mirroring, Field(discriminator="kind")]


class RecoveryPoint(SpecModel):
    name: Identifier = Field(description="Unique name.")
    service: ServiceRef = Field(description="Service whose data this is.")
    backups: list[Identifier] = Field(
        default_factory=list,
        description="Backups that protect it; a `provider_pitr` backup counts with its "
        "`log_interval`.",
    )
    continuous: list[ContinuousProtection] = Field(
        default_factory=list,
        description="Continuous protection: streaming replication to a PostgreSQL standby or "
        "Kafka mirroring with MirrorMaker 2, each with the lag it is kept within. A recovery "
        "point needs backups, continuous protection or both.",
    )
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

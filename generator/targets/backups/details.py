"""What a backup script needs to know: engine settings, secrets, retention, freshness."""

from __future__ import annotations

import math
import re
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.recovery import (
    BackupEngine,
    BackupType,
    PitrProvider,
    RetentionPolicy,
)
from generator.spec.model.types import duration_seconds
from generator.spec.schedules import longest_gap
from generator.targets.configuration.secrets import locate, secrets_by_name

DATABASES = {BackupEngine.PG_DUMP, BackupEngine.PG_BASEBACKUP, BackupEngine.MYSQLDUMP}
_DEFAULT_PORT = {BackupEngine.MYSQLDUMP: 3306}
_PASSWORD_VARIABLE = {BackupEngine.MYSQLDUMP: "MYSQL_PWD"}
_S3_REGION = re.compile(r"s3[.-]([a-z0-9-]+)\.amazonaws\.com")
#: Slack for a run to finish: a snapshot may be this much older than the schedule's gap.
RUN_TIME = 3600


def backup_details(spec: DeploymentPlan, backup: BackupType, environment: str) -> dict[str, Any]:
    """Template context of the backup and restore-test scripts of one backup."""
    secrets = _secrets(spec, backup, environment)
    return {
        "b": _settings(spec, backup, environment),
        "secrets": secrets,
        "providers": sorted({s["location"]["provider"] for s in secrets}),
        "retention": retention_flags(spec.backup_strategy.retention_policy),
        "max_age": max_age(spec, backup),
    }


def _settings(spec: DeploymentPlan, backup: BackupType, environment: str) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "name": backup.name,
        "service": backup.service,
        "environment": environment,
        "engine": backup.engine.value,
        "kind": backup.kind,
        "source": backup.source,
        "repository": backup.repository or "",
        "offsite": backup.offsite_copy,
        "expect_tables": backup.expect_tables,
        "base": None,
    }
    if backup.engine in DATABASES:
        settings["db"] = _database(spec, backup, environment)
    if backup.base is not None:
        base = next(b for b in spec.backup_strategy.backup_types if b.name == backup.base)
        settings["base"] = {"name": base.name, "repository": base.repository}
    if backup.engine is BackupEngine.OBJECT_REPLICATION:
        settings["s3"] = s3_target(backup.repository or "")
        settings["source_region"] = _bucket_region(spec, backup.source, environment)
    if backup.engine is BackupEngine.VELERO:
        days = spec.backup_strategy.retention_policy.keep_daily or 30
        settings["velero_ttl"] = f"{days * 24}h0m0s"
    if backup.engine is BackupEngine.PROVIDER_PITR:
        settings["pitr"] = _pitr(spec, backup, environment)
    return settings


#: provider_pitr: (name in messages, CLI) per provider.
_PITR = {
    PitrProvider.AWS_RDS: ("Amazon RDS", "aws"),
    PitrProvider.GCP_CLOUDSQL: ("Cloud SQL", "gcloud"),
    PitrProvider.AZURE_POSTGRESQL: ("Azure Database for PostgreSQL", "az"),
}


def _pitr(spec: DeploymentPlan, backup: BackupType, environment: str) -> dict[str, Any]:
    """The provider, its CLI and what the check and the restore test compare against."""
    provider = backup.provider or PitrProvider.AWS_RDS  # the rules require one
    label, cli = _PITR[provider]
    target = spec.service(backup.service).targets.get(environment)
    product = (target.managed_service or "") if target else ""
    mysql = "mysql" in product or "mariadb" in product
    interval = duration_seconds(backup.log_interval)
    name = backup.source.rsplit("/", 1)[-1]
    return {
        "provider": provider.value,
        "label": label,
        "cli": cli,
        "client": "mysql" if mysql else "psql",
        "region": spec.environments[environment].region or "",
        "retention": backup.retention or "1d",
        "retention_days": math.ceil(duration_seconds(backup.retention or "1d") / 86400),
        "log_interval": backup.log_interval,
        # the provider ships the log every interval: allow two, and a few minutes of lag
        "max_lag": int(2 * interval + 300),
        "database": backup.database or backup.service.replace("-", "_"),
        "user": backup.user or "postgres",
        "port": spec.service(backup.service).port or (3306 if mysql else 5432),
        "scratch_prefix": f"{name}-restore-test"[:40].rstrip("-"),
    }


def _database(spec: DeploymentPlan, backup: BackupType, environment: str) -> dict[str, Any]:
    service = spec.service(backup.service)
    target = service.targets.get(environment)
    host = backup.host
    if host is None and target is not None and target.hosts:
        host = target.hosts[0]
    if host is None and target is not None and target.namespace:
        host = f"{service.name}.{target.namespace}.svc.cluster.local"
    return {
        "host": host or "localhost",
        "port": service.port or _DEFAULT_PORT.get(backup.engine, 5432),
        "user": backup.user,
    }


def _secrets(spec: DeploymentPlan, backup: BackupType, environment: str) -> list[dict[str, Any]]:
    """Variables the script fills from secrets: the repository password, the DB login."""
    declared = secrets_by_name(spec)
    wanted = [("RESTIC_PASSWORD", backup.encryption_key)]
    if backup.engine in DATABASES:
        wanted.append((_PASSWORD_VARIABLE.get(backup.engine, "PGPASSWORD"), backup.credentials))
    if backup.engine is BackupEngine.PROVIDER_PITR:
        product = _pitr(spec, backup, environment)["client"]
        wanted = [("MYSQL_PWD" if product == "mysql" else "PGPASSWORD", backup.credentials)]
    return [
        {"variable": variable, "location": locate(spec, declared[name], environment).as_dict()}
        for variable, name in wanted
        if name in declared
        and backup.engine is not BackupEngine.OBJECT_REPLICATION
        and backup.engine is not BackupEngine.VELERO
    ]


def retention_flags(policy: RetentionPolicy) -> list[str]:
    """``restic forget`` options implementing the policy (only the levels in use)."""
    flags = []
    if policy.keep_within:
        hours = math.ceil(duration_seconds(policy.keep_within) / 3600)
        flags += ["--keep-within", f"{hours}h"]
    for level in ("hourly", "daily", "weekly", "monthly", "yearly"):
        count = getattr(policy, f"keep_{level}")
        if count:
            flags += [f"--keep-{level}", str(count)]
    return flags or ["--keep-last", "1"]


def max_age(spec: DeploymentPlan, backup: BackupType) -> int:
    """Seconds the newest snapshot may be old when the restore test runs."""
    schedule = spec.backup_strategy.schedule
    crons = tuple(job.cron for job in schedule.jobs if job.backup == backup.name)
    gap = longest_gap(crons, schedule.timezone) if crons else None
    return int(gap if gap is not None else 86400) + RUN_TIME


def s3_target(repository: str) -> dict[str, Any]:
    """``s3:s3.eu-west-1.amazonaws.com/bucket/prefix`` as bucket path and region."""
    host, _, path = repository.removeprefix("s3:").removeprefix("//").partition("/")
    if not path:  # `s3:bucket`: no endpoint given
        host, path = "", host
    match = _S3_REGION.fullmatch(host)
    return {"path": path.strip("/"), "bucket": path.split("/")[0], "region": match and match[1]}


def _bucket_region(spec: DeploymentPlan, bucket: str, environment: str) -> str | None:
    env = spec.environments[environment]
    for declared in env.infrastructure.storage_requirements.buckets:
        if declared.bucket == bucket and declared.region:
            return declared.region
    return env.region

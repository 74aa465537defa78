"""Backups that can actually run: repositories that fit the engine, keys for encrypted
repositories, incremental chains with a base, and a schedule and restore test for each."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Severity
from generator.spec.model.recovery import BackupEngine, BackupType
from generator.spec.rules.context import RuleContext

#: Engines whose output is stored (encrypted, deduplicated, pruned) in a restic repository.
RESTIC_STORED = frozenset(
    {BackupEngine.PG_DUMP, BackupEngine.PG_BASEBACKUP, BackupEngine.MYSQLDUMP, BackupEngine.RESTIC}
)
_RESTIC_SCHEMES = ("/", "s3:", "sftp:", "rest:", "gs:", "azure:", "b2:", "swift:", "rclone:")
_TYPES = ("backup_strategy", "backup_types")


def backup_repositories(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each repository is written the way its engine reads it."""
    for index, backup in enumerate(ctx.plan.backup_strategy.backup_types):
        if backup.engine is BackupEngine.PROVIDER_PITR:
            yield from _provider_pitr(ctx, index, backup)
            continue
        if backup.repository is None:
            yield ctx.at(
                (*_TYPES, index, "engine"),
                "backup-repository",
                f"backup `{backup.name}` ({backup.engine.value}) names no repository to "
                "store it in",
                hint="add `repository:`, e.g. `s3:s3.eu-central-1.amazonaws.com/BUCKET/PREFIX`",
            )
        for field in ("repository", "offsite_copy"):
            value = getattr(backup, field)
            problem = _repository_problem(backup.engine, value) if value else None
            if problem:
                yield ctx.at((*_TYPES, index, field), "backup-repository", *problem)
        if backup.engine is BackupEngine.RESTIC and not backup.source.startswith("/"):
            yield ctx.at(
                (*_TYPES, index, "source"),
                "backup-source",
                f"restic backs up a directory, and `{backup.source}` is not an absolute path",
                hint="write the directory as mounted on the host, e.g. `/var/lib/orders/invoices`",
            )


def _provider_pitr(ctx: RuleContext, index: int, backup: BackupType) -> Iterator[Diagnostic]:
    """Point-in-time recovery names its provider and how far back it restores."""
    path = (*_TYPES, index)
    for field, example in (("provider", "aws_rds"), ("retention", "7d")):
        if getattr(backup, field) is None:
            yield ctx.at(
                (*path, "engine"),
                "backup-pitr",
                f"provider_pitr backup `{backup.name}` needs `{field}`",
                hint=f"add `{field}: {example}`",
            )
    if backup.repository is not None:
        yield Diagnostic(
            "backup-pitr",
            "the provider keeps point-in-time backups itself: `repository` is not used",
            ctx.positions.value((*path, "repository")),
            (*path, "repository"),
            severity=Severity.WARNING,
            hint="remove `repository`; `offsite_copy` names a region the provider copies to",
        )


def _repository_problem(engine: BackupEngine, value: str) -> tuple[str, str] | None:
    if engine in RESTIC_STORED and not value.startswith(_RESTIC_SCHEMES):
        return (
            f"`{value}` is not a restic repository",
            "write e.g. `s3:s3.eu-central-1.amazonaws.com/BUCKET/PREFIX` or `/srv/backups`",
        )
    if engine is BackupEngine.OBJECT_REPLICATION and not value.startswith("s3:"):
        return (
            f"object replication copies to an S3 bucket, and `{value}` is not one",
            "write the destination as `s3:s3.REGION.amazonaws.com/BUCKET`",
        )
    if engine is BackupEngine.VELERO and (":" in value or value.startswith("/")):
        return (
            f"velero writes to a backup storage location, named without a scheme: `{value}`",
            "write the name of the BackupStorageLocation, e.g. `default`",
        )
    return None


def backup_encryption(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Restic repositories need their password; server-side engines take no key."""
    for index, backup in enumerate(ctx.plan.backup_strategy.backup_types):
        if backup.engine in RESTIC_STORED and backup.encryption_key is None:
            yield ctx.at(
                (*_TYPES, index, "name"),
                "backup-encryption",
                f"backup `{backup.name}` is stored in a restic repository, which is always "
                "encrypted, but it names no encryption_key",
                hint="declare the repository password as a secret and set `encryption_key: NAME`",
            )
        elif backup.engine not in RESTIC_STORED and backup.encryption_key is not None:
            yield Diagnostic(
                "backup-encryption",
                f"{backup.engine.value} encrypts server-side (SSE-KMS, the storage location's "
                "settings): encryption_key is not used",
                ctx.positions.value((*_TYPES, index, "encryption_key")),
                (*_TYPES, index, "encryption_key"),
                severity=Severity.WARNING,
                hint="remove encryption_key, and configure encryption on the bucket",
            )


def backup_chains(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Incremental and differential base backups name the full backup they build on."""
    backups = {b.name: b for b in ctx.plan.backup_strategy.backup_types}
    for index, backup in enumerate(ctx.plan.backup_strategy.backup_types):
        chained = backup.engine is BackupEngine.PG_BASEBACKUP and backup.kind in (
            "incremental",
            "differential",
        )
        path = (*_TYPES, index, "base")
        if chained and backup.base is None:
            yield ctx.at(
                (*_TYPES, index, "kind"),
                "backup-base",
                f"an {backup.kind} pg_basebackup builds on a full one, and `{backup.name}` "
                "names none",
                hint="set `base:` to the full pg_basebackup of the same service",
            )
        elif backup.base is not None and not chained:
            yield ctx.at(
                path,
                "backup-base",
                "only incremental and differential pg_basebackups build on a base backup",
            )
        elif backup.base in backups and not _is_base_of(backups[backup.base], backup):
            yield ctx.at(
                path,
                "backup-base",
                f"`{backup.base}` is not a full pg_basebackup of `{backup.service}`",
                hint="the base is a `kind: full`, `engine: pg_basebackup` backup of the same "
                "service, in the same environments",
            )


def _is_base_of(base: BackupType, backup: BackupType) -> bool:
    return (
        base.engine is BackupEngine.PG_BASEBACKUP
        and base.kind == "full"
        and base.service == backup.service
        and set(backup.environments) <= set(base.environments)
    )


def backups_scheduled(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every backup runs on a schedule and has a restore test (warnings)."""
    schedule = ctx.plan.backup_strategy.schedule
    scheduled = {job.backup for job in schedule.jobs}
    tested = {job.backup for job in schedule.restore_tests}
    if not (scheduled | tested) <= set(ctx.names["backup"]):
        return  # a job names an unknown backup: that error says enough
    for index, backup in enumerate(ctx.plan.backup_strategy.backup_types):
        path = (*_TYPES, index, "name")
        continuous = backup.engine is BackupEngine.PROVIDER_PITR
        if backup.name not in scheduled and not continuous:
            yield Diagnostic(
                "backup-unscheduled",
                f"backup `{backup.name}` never runs: no job in backup_strategy.schedule.jobs",
                ctx.positions.value(path),
                path,
                severity=Severity.WARNING,
                hint=f'add `- {{backup: {backup.name}, cron: "0 2 * * *"}}` to the jobs',
            )
        elif backup.name not in tested:
            # continuous backups are taken by the provider, but restore-tested all the same
            yield Diagnostic(
                "backup-untested",
                f"backup `{backup.name}` has no scheduled restore test",
                ctx.positions.value(path),
                path,
                severity=Severity.WARNING,
                hint=f'add `- {{backup: {backup.name}, cron: "0 5 * * 1"}}` to restore_tests',
            )

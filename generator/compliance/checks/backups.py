"""Backups of production data: taken, encrypted, copied off site, restore-tested, kept."""

from __future__ import annotations

from datetime import timedelta

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.compliance.schedule import describe, longest_gap
from generator.locale.message import Code, Message
from generator.spec.model import EnvironmentType
from generator.spec.model.recovery import BackupEngine, BackupType
from generator.spec.model.security import RestoreTestingPolicy
from generator.spec.model.types import duration_seconds

BACKUPS = ("backup_strategy", "backup_types")
RESTORE_TESTS = ("backup_strategy", "schedule", "restore_tests")
RETENTION = ("backup_strategy", "retention_policy")
#: Restore tests at least monthly when no `restore_testing` policy says otherwise.
DEFAULT_RESTORE_INTERVAL = "31d"
#: Engines whose storage encrypts server-side, under `encryption_settings.at_rest`.
SERVER_SIDE = frozenset(
    {BackupEngine.OBJECT_REPLICATION, BackupEngine.VELERO, BackupEngine.PROVIDER_PITR}
)
_DAYS = {"keep_daily": 1.0, "keep_weekly": 7.0, "keep_monthly": 365.25 / 12, "keep_yearly": 365.25}


def production_backups(ctx: AuditContext) -> list[tuple[int, BackupType]]:
    """Backups that run in a production or DR environment, with their index."""
    production = set(ctx.production_environments)
    return [
        (index, backup)
        for index, backup in enumerate(ctx.plan.backup_strategy.backup_types)
        if production & set(backup.environments)
    ]


def continuously_protected(ctx: AuditContext, service: str) -> set[str]:
    """Environments whose data of ``service`` a standby or a mirror copies continuously."""
    return {
        copy.source
        for point in ctx.plan.disaster_recovery.recovery_points
        if point.service == service
        for copy in point.continuous
    }


@check(
    "backup_coverage",
    Message("Every service holding production data is backed up"),
    Message(
        "Each service with `stores_data: true` deployed to a `production` environment has a "
        "backup in `backup_strategy.backup_types` that runs there (DR copies are restored "
        "from those), or continuous protection of a recovery point (a PostgreSQL standby or "
        "a MirrorMaker 2 mirror) that copies it from there."
    ),
)
def backup_coverage(ctx: AuditContext) -> CheckResult:
    # DR copies are restored from production's backups: production is what must be covered
    primary = ctx.plan.environments_of_type(EnvironmentType.PRODUCTION)
    backups = production_backups(ctx)
    evidence = []
    for index, service in enumerate(ctx.plan.services):
        envs = [e for e in primary if e in service.targets]
        if not (service.stores_data and envs):
            continue
        covered = {e for _, b in backups if b.service == service.name for e in b.environments}
        replicated = continuously_protected(ctx, service.name)
        missing = [e for e in envs if e not in covered and e not in replicated]
        note = Message(
            "%(service)s is backed up in %(environments)s",
            service=Code(service.name),
            environments=", ".join(envs),
        )
        if any(e in replicated for e in envs):
            note = Message(
                "%(service)s is backed up or continuously replicated in %(environments)s",
                service=Code(service.name),
                environments=", ".join(envs),
            )
        if missing:
            note = Message(
                "%(service)s has no backup in %(environments)s",
                service=Code(service.name),
                environments=", ".join(missing),
            )
        evidence.append(ctx.evidence(("services", index, "stores_data"), note, ok=not missing))
    if not evidence:
        return not_applicable("backup_coverage", Message("No production environment stores data."))
    return verdict(
        "backup_coverage",
        evidence,
        Message("Every service holding production data is backed up."),
        Message("Some production data is not backed up."),
    )


def _not_applicable_without_backups(name: str) -> CheckResult:
    return not_applicable(name, Message("No backup runs in a production environment."))


@check(
    "backup_encryption",
    Message("Backups of production data are encrypted"),
    Message(
        "Each backup running in a production or DR environment has an `encryption_key`; "
        "object replication and velero rely on the storage's encryption at rest instead."
    ),
)
def backup_encryption(ctx: AuditContext) -> CheckResult:
    backups = production_backups(ctx)
    if not backups:
        return _not_applicable_without_backups("backup_encryption")
    evidence = []
    for index, backup in backups:
        if backup.encryption_key is not None:
            note = Message(
                "%(backup)s is encrypted with %(key)s",
                backup=Code(backup.name),
                key=Code(backup.encryption_key),
            )
            evidence.append(ctx.evidence((*BACKUPS, index, "encryption_key"), note, ok=True))
        elif backup.engine in SERVER_SIDE:
            evidence.append(_server_side_encryption(ctx, index, backup))
        else:
            note = Message("%(backup)s has no encryption key", backup=Code(backup.name))
            evidence.append(ctx.evidence((*BACKUPS, index, "name"), note, ok=False))
    return verdict(
        "backup_encryption",
        evidence,
        Message("Every backup of production data is encrypted."),
        Message("Some backups of production data are not encrypted."),
    )


def _server_side_encryption(ctx: AuditContext, index: int, backup: BackupType) -> Evidence:
    security = ctx.plan.security
    settings = security.encryption_settings if security else None
    at_rest = bool(settings and settings.at_rest.enabled)
    stored = {"backup": Code(backup.name), "engine": backup.engine.value}
    note = (
        Message("%(backup)s (%(engine)s) is stored server-side, encrypted at rest", **stored)
        if at_rest
        else Message(
            "%(backup)s (%(engine)s) is stored server-side, not encrypted at rest", **stored
        )
    )
    return ctx.evidence((*BACKUPS, index, "engine"), note, ok=at_rest)


@check(
    "backup_offsite_copy",
    Message("Backups of production data are kept off site"),
    Message(
        "Each backup running in a production or DR environment has an `offsite_copy`; object "
        "replication is itself the off-site copy."
    ),
)
def backup_offsite_copy(ctx: AuditContext) -> CheckResult:
    backups = production_backups(ctx)
    if not backups:
        return _not_applicable_without_backups("backup_offsite_copy")
    evidence = []
    for index, backup in backups:
        if backup.offsite_copy is not None:
            note = Message(
                "%(backup)s is copied to %(copy)s",
                backup=Code(backup.name),
                copy=backup.offsite_copy,
            )
            evidence.append(ctx.evidence((*BACKUPS, index, "offsite_copy"), note, ok=True))
        elif backup.engine is BackupEngine.OBJECT_REPLICATION:
            note = Message(
                "%(backup)s replicates to %(repository)s",
                backup=Code(backup.name),
                repository=backup.repository,
            )
            evidence.append(ctx.evidence((*BACKUPS, index, "repository"), note, ok=True))
        else:
            note = Message("%(backup)s has no off-site copy", backup=Code(backup.name))
            evidence.append(ctx.evidence((*BACKUPS, index, "name"), note, ok=False))
    return verdict(
        "backup_offsite_copy",
        evidence,
        Message("Every backup of production data has an off-site copy."),
        Message("Some backups of production data exist in one place only."),
    )


def _restore_interval(ctx: AuditContext) -> tuple[str, Evidence | None]:
    """The strictest `restore_testing` policy's interval (or the default) and its evidence."""
    security = ctx.plan.security
    policies = [
        (index, policy)
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, RestoreTestingPolicy)
    ]
    if not policies:
        return DEFAULT_RESTORE_INTERVAL, None
    index, policy = min(policies, key=lambda p: duration_seconds(p[1].max_interval))
    path = ("security", "security_policies", index, "max_interval")
    note = Message(
        "policy %(policy)s: restore-test every backup at least every %(interval)s",
        policy=Code(policy.name),
        interval=policy.max_interval,
    )
    return policy.max_interval, ctx.evidence(path, note)


@check(
    "backup_restore_testing",
    Message("Backups of production data are restore-tested on schedule"),
    Message(
        "Each backup running in a production or DR environment has scheduled restore tests "
        "(`backup_strategy.schedule.restore_tests`) no further apart than the "
        "`restore_testing` policy's `max_interval` (%(default)s without a policy).",
        default=DEFAULT_RESTORE_INTERVAL,
    ),
)
def backup_restore_testing(ctx: AuditContext) -> CheckResult:
    backups = production_backups(ctx)
    if not backups:
        return _not_applicable_without_backups("backup_restore_testing")
    interval, policy = _restore_interval(ctx)
    limit = timedelta(seconds=duration_seconds(interval))
    evidence = [policy] if policy else []
    tests = ctx.plan.backup_strategy.schedule.restore_tests
    for index, backup in backups:
        mine = [i for i, test in enumerate(tests) if test.backup == backup.name]
        if not mine:
            note = Message("%(backup)s is never restore-tested", backup=Code(backup.name))
            evidence.append(ctx.evidence((*BACKUPS, index, "name"), note, ok=False))
            continue
        gap = longest_gap([tests[i].cron for i in mine])
        assert gap is not None
        ok = gap <= limit
        tested = {"backup": Code(backup.name), "gap": describe(gap)}
        note = (
            Message("%(backup)s is restore-tested at least every %(gap)s", **tested)
            if ok
            else Message("%(backup)s goes %(gap)s between restore tests", **tested)
        )
        for i in mine:
            evidence.append(ctx.evidence((*RESTORE_TESTS, i, "cron"), note, ok=ok))
    return verdict(
        "backup_restore_testing",
        evidence,
        Message(
            "Every backup of production data is restore-tested at least every %(interval)s.",
            interval=interval,
        ),
        Message(
            "Some backups of production data are not restore-tested every %(interval)s.",
            interval=interval,
        ),
    )


def retention_span(ctx: AuditContext) -> float:
    """Seconds the oldest backup is kept under the grandfather-father-son policy."""
    policy = ctx.plan.backup_strategy.retention_policy
    return max(float(getattr(policy, field)) * days for field, days in _DAYS.items()) * 86400


@check(
    "backup_retention",
    Message("Backups are kept as long as the frameworks demand"),
    Message(
        "The oldest backup kept under `backup_strategy.retention_policy` (the longest of its "
        "daily, weekly, monthly and yearly generations) is at least the `backup_retention` "
        "that a framework in scope demands."
    ),
    uses_demands=True,
)
def backup_retention(ctx: AuditContext) -> CheckResult:
    demands = ctx.demands.backup_retention
    if not demands:
        return not_applicable(
            "backup_retention", Message("No framework in scope demands a retention.")
        )
    backups = production_backups(ctx)
    strictest = max(demands, key=lambda d: d.seconds)
    evidence = [
        ctx.evidence(
            d.path, Message("%(source)s demands %(duration)s", source=d.source, duration=d.duration)
        )
        for d in demands
        if d.path
    ]
    if not backups:
        note = Message("no backup runs in a production environment")
        evidence.append(ctx.evidence(BACKUPS, note, ok=False))
    else:
        span = retention_span(ctx)
        ok = span >= strictest.seconds
        note = Message("backups are kept for up to %(days)s days", days=round(span / 86400))
        evidence.append(ctx.evidence(RETENTION, note, ok=ok))
    return verdict(
        "backup_retention",
        evidence,
        Message("Backups are kept at least %(duration)s.", duration=strictest.duration),
        Message(
            "Backups are not kept the %(duration)s that %(source)s demands.",
            duration=strictest.duration,
            source=strictest.source,
        ),
    )

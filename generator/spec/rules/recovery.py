"""Disaster recovery: schedules against RPOs, procedures against RTOs, a DR environment
to fail over to, and retention against what compliance demands."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.recovery import BackupEngine, RetentionPolicy
from generator.spec.model.types import duration_seconds
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext
from generator.spec.schedules import format_duration, longest_gap

_DR = ("disaster_recovery",)
_JOBS = ("backup_strategy", "schedule", "jobs")
_TYPES = ("backup_strategy", "backup_types")


def rpo_schedules(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Backups of each recovery point run at least as often as its RPO allows."""
    strategy = ctx.plan.backup_strategy
    zone = strategy.schedule.timezone
    for index, point in enumerate(ctx.plan.disaster_recovery.recovery_points):
        jobs = [i for i, job in enumerate(strategy.schedule.jobs) if job.backup in point.backups]
        path = (*_DR, "recovery_points", index)
        continuous: list[tuple[Path, str, str]] = [
            ((*_TYPES, i, "log_interval"), f"`{b.name}`", b.log_interval)
            for i, b in enumerate(strategy.backup_types)
            if b.name in point.backups and b.engine is BackupEngine.PROVIDER_PITR
        ]
        continuous += [
            ((*path, "continuous", i, "max_lag"), f"{c.kind} to `{c.target}`", c.max_lag)
            for i, c in enumerate(point.continuous)
        ]
        if continuous:
            yield from _continuous_rpo(ctx, path, point.name, point.rpo, continuous)
            continue
        if not point.backups:
            continue  # reported by recovery_point_protection
        if not jobs:
            yield _never_scheduled(ctx, path, point.name, point.backups)
            continue
        crons = tuple(strategy.schedule.jobs[i].cron for i in jobs)
        gap = longest_gap(crons, zone)
        rpo = duration_seconds(point.rpo)
        if gap is None or gap <= rpo:
            continue
        # the job that runs most often is the one to tighten
        best = min(jobs, key=lambda i: longest_gap((strategy.schedule.jobs[i].cron,), zone) or 0)
        yield Diagnostic(
            "rpo-exceeded",
            f"backups of recovery point `{point.name}` run up to {format_duration(gap)} apart, "
            f"longer than its RPO of {point.rpo}",
            ctx.positions.value((*_JOBS, best, "cron")),
            (*_JOBS, best, "cron"),
            hint=f"run `{strategy.schedule.jobs[best].backup}` at least every {point.rpo}"
            f"{_cron_example(rpo)}, or raise the RPO",
            notes=(("the RPO is set here", ctx.positions.value((*path, "rpo"))),),
        )


def _continuous_rpo(
    ctx: RuleContext,
    path: tuple[str | int, ...],
    name: str,
    rpo: str,
    continuous: list[tuple[Path, str, str]],
) -> Iterator[Diagnostic]:
    """Continuous protection loses at most its lag: one transaction-log interval of
    point-in-time recovery, or the replication lag of a standby or mirror."""
    where, what, lag = min(continuous, key=lambda item: duration_seconds(item[2]))
    if duration_seconds(lag) <= duration_seconds(rpo):
        return
    if where not in ctx.positions.values:  # a default log_interval: point at the engine
        where = (*where[:-1], "engine")
    yield Diagnostic(
        "rpo-exceeded",
        f"{what} restores to a point at most {lag} old, longer than the RPO of {rpo} of "
        f"recovery point `{name}`",
        ctx.positions.value(where),
        where,
        hint="keep the replication lag or the provider's log archiving interval within "
        "the RPO, or raise the RPO",
        notes=(("the RPO is set here", ctx.positions.value((*path, "rpo"))),),
    )


def recovery_point_protection(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every recovery point is protected by a backup or by continuous protection."""
    for index, point in enumerate(ctx.plan.disaster_recovery.recovery_points):
        if point.backups or point.continuous:
            continue
        yield ctx.at(
            (*_DR, "recovery_points", index, "name"),
            "recovery-point-unprotected",
            f"recovery point `{point.name}` has neither backups nor continuous protection",
            hint="list its `backups`, or add `continuous` protection such as "
            "`- {kind: streaming_replication, source: production, target: dr, max_lag: 1m}`",
        )


def replication_environments(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Continuous protection copies data from one environment to a different one."""
    environments = ctx.plan.environments
    for index, point in enumerate(ctx.plan.disaster_recovery.recovery_points):
        for number, copy in enumerate(point.continuous):
            if copy.source != copy.target or copy.source not in environments:
                continue
            yield ctx.at(
                (*_DR, "recovery_points", index, "continuous", number, "target"),
                "replication-target",
                f"{copy.kind} of recovery point `{point.name}` copies `{copy.source}` into itself",
                hint="the target is the environment that takes over, e.g. the "
                "disaster_recovery one",
            )


def _never_scheduled(
    ctx: RuleContext, path: tuple[str | int, ...], name: str, backups: list[str]
) -> Diagnostic:
    listed = ", ".join(f"`{b}`" for b in backups)
    return Diagnostic(
        "rpo-unscheduled",
        f"recovery point `{name}` is protected by {listed}, but no job in "
        "backup_strategy.schedule.jobs runs them",
        ctx.positions.value((*path, "backups")),
        (*path, "backups"),
        hint=f'add a job such as `- {{backup: {backups[0]}, cron: "0 * * * *"}}`',
        notes=(("the backup jobs are scheduled here", ctx.positions.key(_JOBS)),),
    )


def _cron_example(seconds: float) -> str:
    minutes = int(seconds // 60)
    if 0 < minutes < 60 and 60 % minutes == 0:
        return f" (`*/{minutes} * * * *`)"
    hours = minutes // 60
    if minutes % 60 == 0 and 0 < hours < 24 and 24 % hours == 0:
        return f" (`0 */{hours} * * *`)" if hours > 1 else " (`0 * * * *`)"
    return ""


def rto_budget(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The recovery procedures, one after the other, fit in every recovery point's RTO."""
    recovery = ctx.plan.disaster_recovery
    if not recovery.recovery_procedures:
        return
    total = sum(duration_seconds(step.duration) for step in recovery.recovery_procedures)
    steps = len(recovery.recovery_procedures)
    for index, point in enumerate(recovery.recovery_points):
        if total <= duration_seconds(point.rto):
            continue
        path = (*_DR, "recovery_points", index, "rto")
        yield Diagnostic(
            "rto-exceeded",
            f"the {steps} recovery procedures take {format_duration(total)} one after the "
            f"other, longer than the RTO of recovery point `{point.name}` ({point.rto})",
            ctx.positions.value(path),
            path,
            hint="shorten the slowest steps (e.g. keep a warm standby), or raise the RTO",
            notes=(
                (
                    f"the durations of these procedures add up to {format_duration(total)}",
                    ctx.positions.key((*_DR, "recovery_procedures")),
                ),
            ),
        )


def failover_environment(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Failover goes from one environment to a different, disaster_recovery one."""
    failover = ctx.plan.disaster_recovery.failover_strategy
    environments = ctx.plan.environments
    if failover is None or failover.secondary not in environments:
        return  # an unknown name is reported by references_resolve
    path = (*_DR, "failover_strategy", "secondary")
    if failover.secondary == failover.primary:
        yield ctx.at(
            path,
            "failover-environment",
            f"failover goes from `{failover.primary}` to itself",
            hint="the secondary is the environment that takes over, in another region",
        )
        return
    kind = environments[failover.secondary].environment_type
    if kind is EnvironmentType.DISASTER_RECOVERY:
        return
    candidates = ctx.plan.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
    yield Diagnostic(
        "failover-environment",
        f"failover goes to `{failover.secondary}`, a {kind.value} environment; the secondary "
        "must be a disaster_recovery environment",
        ctx.positions.value(path),
        path,
        hint=f"fail over to `{candidates[0]}`, the disaster_recovery environment"
        if candidates
        else "add an environment with `environment_type: disaster_recovery` "
        "(it can `extends: production`)",
        notes=(
            (
                f"`{failover.secondary}` is a {kind.value} environment here",
                ctx.positions.value(("environments", failover.secondary, "environment_type")),
            ),
        ),
    )


def retention_span(policy: RetentionPolicy) -> float:
    """Seconds back to the oldest backup the policy keeps (months 30 days, years 365)."""
    return max(
        duration_seconds(policy.keep_within) if policy.keep_within else 0,
        policy.keep_hourly * 3600,
        policy.keep_daily * 86400,
        policy.keep_weekly * 7 * 86400,
        policy.keep_monthly * 30 * 86400,
        policy.keep_yearly * 365 * 86400,
    )


def retention_covers_compliance(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Backups are kept at least as long as every compliance requirement demands."""
    strategy = ctx.plan.backup_strategy
    if not strategy.backup_types:
        return
    kept = retention_span(strategy.retention_policy)
    for index, requirement in enumerate(ctx.plan.compliance.compliance_requirements):
        demanded = requirement.backup_retention
        if demanded is None or kept >= duration_seconds(demanded):
            continue
        policy = ("backup_strategy", "retention_policy")
        framework = requirement.framework.value
        yield Diagnostic(
            "retention-too-short",
            f"the retention policy keeps backups for about {format_duration(kept)}, less than "
            f"the {demanded} that {framework} requires",
            ctx.positions.key(policy),
            policy,
            hint="keep more monthly or yearly backups: `keep_yearly: 1` keeps one for a year",
            notes=(
                (
                    f"{framework} requires {demanded} here",
                    ctx.positions.value(
                        ("compliance", "compliance_requirements", index, "backup_retention")
                    ),
                ),
            ),
        )

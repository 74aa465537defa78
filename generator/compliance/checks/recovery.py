"""Disaster recovery: failover is rehearsed on schedule."""

from __future__ import annotations

from datetime import timedelta

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.compliance.schedule import describe, longest_gap
from generator.locale.message import Code, Message
from generator.spec.model import EnvironmentType
from generator.spec.model.security import DrDrillPolicy
from generator.spec.model.types import duration_seconds

FAILOVER = ("disaster_recovery", "failover_strategy")
#: A DR drill at least once a year when no `dr_drill` policy says otherwise.
DEFAULT_DRILL_INTERVAL = "366d"


def _drill_interval(ctx: AuditContext) -> tuple[str, list[Evidence]]:
    security = ctx.plan.security
    policies = [
        (index, policy)
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, DrDrillPolicy)
    ]
    if not policies:
        return DEFAULT_DRILL_INTERVAL, []
    index, policy = min(policies, key=lambda p: duration_seconds(p[1].max_interval))
    path = ("security", "security_policies", index, "max_interval")
    note = Message(
        "policy %(policy)s: a DR drill at least every %(interval)s",
        policy=Code(policy.name),
        interval=policy.max_interval,
    )
    return policy.max_interval, [ctx.evidence(path, note)]


@check(
    "dr_drill",
    Message("Failover to the DR environment is rehearsed on schedule"),
    Message(
        "Where the plan has a disaster-recovery environment or a failover strategy, "
        "`disaster_recovery.failover_strategy.drill_schedule` runs drills no further apart "
        "than the `dr_drill` policy's `max_interval` (%(default)s without a policy).",
        default=DEFAULT_DRILL_INTERVAL,
    ),
)
def dr_drill(ctx: AuditContext) -> CheckResult:
    standby = ctx.plan.environments_of_type(EnvironmentType.DISASTER_RECOVERY)
    strategy = ctx.plan.disaster_recovery.failover_strategy
    if not standby and strategy is None:
        return not_applicable("dr_drill", Message("The plan has no disaster-recovery environment."))
    interval, evidence = _drill_interval(ctx)
    evidence += [
        ctx.evidence(
            ("environments", name, "environment_type"),
            Message("%(environment)s is a DR environment", environment=name),
        )
        for name in standby
    ]
    if strategy is None:
        evidence.append(ctx.evidence(FAILOVER, Message("no failover strategy"), ok=False))
    elif strategy.drill_schedule is None:
        evidence.append(ctx.evidence(FAILOVER, Message("no drill schedule"), ok=False))
    else:
        limit = timedelta(seconds=duration_seconds(interval))
        gap = longest_gap([strategy.drill_schedule])
        assert gap is not None
        drilled = {
            "primary": strategy.primary,
            "secondary": strategy.secondary,
            "gap": describe(gap),
        }
        note = (
            Message(
                "failover from %(primary)s to %(secondary)s is drilled at least every %(gap)s",
                **drilled,
            )
            if gap <= limit
            else Message(
                "failover from %(primary)s to %(secondary)s is drilled, %(gap)s apart", **drilled
            )
        )
        evidence.append(ctx.evidence((*FAILOVER, "drill_schedule"), note, ok=gap <= limit))
    return verdict(
        "dr_drill",
        evidence,
        Message("Failover is rehearsed at least every %(interval)s.", interval=interval),
        Message("Failover is not rehearsed every %(interval)s.", interval=interval),
    )

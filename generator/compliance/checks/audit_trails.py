"""Audit trails: what is recorded, for how long, and whether records can be altered."""

from __future__ import annotations

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.locale.message import Code, Message
from generator.spec.model.types import duration_seconds

TRAILS = ("compliance", "audit_trails")
#: Events every plan that deploys to production must record.
CHANGE_EVENTS = ("deployment", "rollback", "approval", "config_change")


def _required_events(ctx: AuditContext) -> list[str]:
    events = list(CHANGE_EVENTS)
    management = ctx.plan.configuration_management.secrets_management
    if management is not None and management.secrets:
        events.append("secret_access")
    if ctx.plan.security is not None:
        events.append("login")
    return events


@check(
    "audit_trail_events",
    Message("Changes to production and access to it are recorded"),
    Message(
        "`compliance.audit_trails` together record deployments, rollbacks, approvals and "
        "configuration changes, plus secret access when the plan declares secrets and logins "
        "when it defines roles."
    ),
)
def audit_trail_events(ctx: AuditContext) -> CheckResult:
    if not ctx.production_environments:
        return not_applicable(
            "audit_trail_events", Message("The plan has no production environment.")
        )
    required = _required_events(ctx)
    trails = ctx.plan.compliance.audit_trails
    evidence: list[Evidence] = []
    for index, trail in enumerate(trails):
        note = Message(
            "%(trail)s records %(events)s in %(destination)s",
            trail=Code(trail.name),
            events=", ".join(trail.events),
            destination=trail.destination,
        )
        useful = bool(set(trail.events) & set(required))
        evidence.append(ctx.evidence((*TRAILS, index, "events"), note, ok=True if useful else None))
    missing = [event for event in required if not any(event in t.events for t in trails)]
    if missing:
        note = Message("no audit trail records %(events)s", events=", ".join(missing))
        evidence.append(ctx.evidence(TRAILS, note, ok=False))
    return verdict(
        "audit_trail_events",
        evidence,
        Message("Audit trails record %(events)s.", events=", ".join(required)),
        Message("Nothing records %(events)s.", events=", ".join(missing)),
    )


@check(
    "audit_trail_retention",
    Message("Audit trails are kept as long as the frameworks demand"),
    Message(
        "Each audit trail's `retention` is at least the audit-log retention that a framework "
        "in scope demands (PCI DSS: 12 months), or the `audit_log_retention` the spec sets for "
        "it."
    ),
    uses_demands=True,
)
def audit_trail_retention(ctx: AuditContext) -> CheckResult:
    demands = ctx.demands.audit_log_retention
    if not demands:
        return not_applicable(
            "audit_trail_retention",
            Message("No framework in scope demands an audit-log retention."),
        )
    strictest = max(demands, key=lambda d: d.seconds)
    evidence = [
        ctx.evidence(
            d.path, Message("%(source)s demands %(duration)s", source=d.source, duration=d.duration)
        )
        for d in demands
        if d.path
    ]
    trails = ctx.plan.compliance.audit_trails
    if not trails:
        evidence.append(ctx.evidence(TRAILS, Message("no audit trail is declared"), ok=False))
    for index, trail in enumerate(trails):
        ok = duration_seconds(trail.retention) >= strictest.seconds
        note = Message(
            "%(trail)s is kept %(retention)s", trail=Code(trail.name), retention=trail.retention
        )
        evidence.append(ctx.evidence((*TRAILS, index, "retention"), note, ok=ok))
    return verdict(
        "audit_trail_retention",
        evidence,
        Message("Every audit trail is kept at least %(duration)s.", duration=strictest.duration),
        Message(
            "Some audit trails are not kept the %(duration)s that %(source)s demands.",
            duration=strictest.duration,
            source=strictest.source,
        ),
    )


@check(
    "audit_trail_tamper_protection",
    Message("Audit records cannot be altered"),
    Message(
        "Each audit trail has a `tamper_protection` other than `none` (object lock, WORM "
        "storage or a hash chain)."
    ),
)
def audit_trail_tamper_protection(ctx: AuditContext) -> CheckResult:
    trails = ctx.plan.compliance.audit_trails
    if not trails:
        return not_applicable(
            "audit_trail_tamper_protection", Message("The plan declares no audit trail.")
        )
    evidence = []
    for index, trail in enumerate(trails):
        protection = trail.tamper_protection
        ok = protection != "none"
        note = (
            Message(
                "%(trail)s is protected by %(protection)s",
                trail=Code(trail.name),
                protection=protection,
            )
            if ok
            else Message("%(trail)s has no tamper protection", trail=Code(trail.name))
        )
        evidence.append(ctx.evidence((*TRAILS, index, "tamper_protection"), note, ok=ok))
    return verdict(
        "audit_trail_tamper_protection",
        evidence,
        Message("Every audit trail is protected from alteration."),
        Message("Some audit records could be altered unnoticed."),
    )

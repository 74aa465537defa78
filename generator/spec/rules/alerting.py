"""Alerts that can fire and reach someone: thresholds in a sensible order, receivers with
what their channel needs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model.types import duration_seconds
from generator.spec.rules.context import RuleContext

_THRESHOLDS = ("health_check", "alert_thresholds", "thresholds")
_RECEIVERS = ("monitoring", "alerting_system", "receivers")
# What a receiver's target looks like; Alertmanager reads these fields as templates, so
# nothing else (no `{{`) may reach them.
_TARGETS = {
    "slack": (re.compile(r"[#@][a-z0-9._-]{1,80}"), "#shop-alerts"),
    "email": (re.compile(r"[^@\s{}]+@[^@\s{}]+\.[^@\s{}]+"), "sre@example.com"),
    "webhook": (re.compile(r"https?://[^\s{}]+"), "https://hooks.example.com/alerts"),
    "pagerduty": (re.compile(r"[A-Za-z0-9 ._-]{1,100}"), "shop-sre"),
    "opsgenie": (re.compile(r"[A-Za-z0-9 ._-]{1,100}"), "shop-sre"),
}
#: Receiver types that page a person.
PAGERS = frozenset({"pagerduty", "opsgenie"})
_NEEDS_KEY = {
    "slack": "its incoming-webhook URL",
    "pagerduty": "its Events API routing key",
    "opsgenie": "its API key",
}


def threshold_levels(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each threshold has a level, and critical lies beyond warning."""
    for index, threshold in enumerate(ctx.plan.health_check.alert_thresholds.thresholds):
        path = (*_THRESHOLDS, index)
        warning, critical = threshold.warning, threshold.critical
        if warning is None and critical is None:
            yield ctx.at(
                (*path, "name"),
                "alert-levels",
                f"alert threshold `{threshold.name}` has neither a warning nor a critical level",
                hint="add `warning: N`, `critical: N` or both",
            )
            continue
        if warning is None or critical is None:
            continue
        rising = threshold.operator in (">", ">=")
        if (critical < warning) if rising else (critical > warning):
            yield Diagnostic(
                "alert-levels",
                f"critical level {critical:g} is {'below' if rising else 'above'} the warning "
                f"level {warning:g}, so `{threshold.name}` would be critical before it warns",
                ctx.positions.value((*path, "critical")),
                (*path, "critical"),
                hint=f"with `operator: {threshold.operator}`, critical lies "
                f"{'above' if rising else 'below'} warning",
                notes=(("the warning level is set here", ctx.positions.value((*path, "warning"))),),
            )


def receiver_settings(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Paging and chat receivers name their secret; email receivers have a mail relay."""
    system = ctx.plan.monitoring.alerting_system
    if system is None:
        return
    for index, receiver in enumerate(system.receivers):
        path = (*_RECEIVERS, index)
        if receiver.type in _NEEDS_KEY and receiver.credentials is None:
            yield ctx.at(
                (*path, "type"),
                "receiver-credentials",
                f"a {receiver.type} receiver needs {_NEEDS_KEY[receiver.type]}, and "
                f"`{receiver.name}` names no credentials",
                hint="declare it as a secret and set `credentials: NAME`",
            )
        pattern, example = _TARGETS[receiver.type]
        if not pattern.fullmatch(receiver.target):
            yield ctx.at(
                (*path, "target"),
                "receiver-target",
                f"`{receiver.target}` is not a {receiver.type} target",
                hint=f"write e.g. `{example}`",
            )
        if receiver.type == "email" and system.smtp is None:
            yield ctx.at(
                (*path, "type"),
                "receiver-smtp",
                f"email receiver `{receiver.name}` needs a mail relay, and alerting_system has "
                "no smtp",
                hint="add `smtp: {smarthost: smtp.example.com:587, sender: alerts@example.com}`",
            )


def non_paging_receiver(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The receiver of environments that never page is not a pager."""
    system = ctx.plan.monitoring.alerting_system
    if system is None or system.non_paging_receiver is None:
        return
    receiver = next((r for r in system.receivers if r.name == system.non_paging_receiver), None)
    if receiver is not None and receiver.type in PAGERS:
        yield ctx.at(
            ("monitoring", "alerting_system", "non_paging_receiver"),
            "non-paging-receiver-pages",
            f"`{receiver.name}` is a {receiver.type} receiver: development and staging alerts "
            "would page someone",
            hint="name a chat, email or webhook receiver, or leave `non_paging_receiver` out",
        )


def _pager_types(ctx: RuleContext) -> dict[str, str]:
    system = ctx.plan.monitoring.alerting_system
    return {r.name: r.type for r in system.receivers if r.type in PAGERS} if system else {}


def escalation_pagers(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A path pages through one paging service, and each of its paging levels reaches
    someone there: a schedule (rotation or `oncall_schedule`) or contacts."""
    pagers = _pager_types(ctx)
    teams = {t.name: t for t in ctx.plan.project.teams}
    security = ctx.plan.security
    roles = {r.name: r.teams for r in security.access_controls.roles} if security else {}
    rotated = {r.team for r in ctx.plan.operations.rotations}
    contacted = {c.team for c in ctx.plan.operations.contacts}
    for p, path in enumerate(ctx.plan.operations.escalation_paths):
        first: str | None = None
        for index, level in enumerate(path.levels):
            kind = pagers.get(level.receiver)
            if kind is None:
                continue
            where = ("operations", "escalation_paths", p, "levels", index)
            if first is not None and kind != first:
                yield ctx.at(
                    (*where, "receiver"),
                    "escalation-pagers",
                    f"escalation path `{path.name}` pages through {first} and {kind}: one "
                    "escalation policy lives on one paging service",
                    hint=f"page every level of `{path.name}` through {first} receivers",
                )
            first = first or kind
            named = [level.notify] if level.notify in teams else roles.get(level.notify, [])
            if named and not any(
                t in rotated or t in contacted or (t in teams and teams[t].oncall_schedule)
                for t in named
            ):
                yield ctx.at(
                    (*where, "notify"),
                    "escalation-unreachable",
                    f"`{level.notify}` is paged through {kind}, but {kind} knows no one to "
                    f"notify for it: no rotation, `oncall_schedule` or contacts",
                    hint="add a rotation for the team (operations.rotations), its "
                    "`oncall_schedule`, or contacts on it (operations.contacts)",
                )


def rotations(ctx: RuleContext) -> Iterator[Diagnostic]:
    """One rotation per team, with shifts of whole hours."""
    seen: set[str] = set()
    for index, rotation in enumerate(ctx.plan.operations.rotations):
        path = ("operations", "rotations", index)
        if rotation.team in seen:
            yield ctx.at(
                (*path, "team"),
                "duplicate-rotation",
                f"team `{rotation.team}` has more than one rotation",
                hint="list every member of the team's on-call in one rotation",
            )
        seen.add(rotation.team)
        seconds = duration_seconds(rotation.shift)
        if seconds < 3600 or seconds % 3600:
            yield ctx.at(
                (*path, "shift"),
                "rotation-shift",
                f"a shift of {rotation.shift} is not a whole number of hours",
                hint="write e.g. `12h`, `1d` or `1w`",
            )


def slo_indicators(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each SLI is `good` and `total`, or `error_ratio`, each over `$WINDOW`."""
    for index, slo in enumerate(ctx.plan.monitoring.slos):
        path = ("monitoring", "slos", index, "sli")
        sli = slo.sli
        pair = sli.good is not None and sli.total is not None
        if pair == (sli.error_ratio is not None) or (sli.good is None) != (sli.total is None):
            yield ctx.at(
                path,
                "slo-indicator",
                f"the SLI of `{slo.name}` needs either `good` and `total`, or `error_ratio`",
                hint="e.g. `error_ratio: sum(rate(errors_total[$WINDOW])) / "
                "sum(rate(requests_total[$WINDOW]))`",
            )
            continue
        for key in ("good", "total", "error_ratio"):
            query = getattr(sli, key)
            if query is not None and "$WINDOW" not in query:
                yield ctx.at(
                    (*path, key),
                    "slo-window",
                    f"`{key}` of `{slo.name}` has no `$WINDOW`: every burn-rate window would "
                    "read the same range",
                    hint="write the range as `[$WINDOW]`, e.g. `rate(requests_total[$WINDOW])`",
                )

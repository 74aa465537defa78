"""Alerts that can fire and reach someone: thresholds in a sensible order, receivers with
what their channel needs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.diagnostics import Diagnostic
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

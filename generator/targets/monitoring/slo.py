"""SLO burn-rate alerts in the style of the Google SRE workbook (chapter 5, "Alerting on
SLOs"): multiple windows, multiple burn rates.

Each SLO's error ratio is recorded over every window the alerts use
(``slo:sli_error:ratio_rate<window>``). The page fires when the budget burns 14.4 times
too fast over 1h and 5m, or 6 times over 6h and 30m; the ticket at 3 times over 1d and 2h,
or once over 3d and 6h. Those windows are the workbook's for a 30-day SLO; other SLO
windows scale them, so each alert still means the same share of the budget spent. The
short window makes an alert stop soon after the burn does.

The promtool unit tests feed the recorded ratios directly: they test the burn rates,
windows and labels, independently of the SLI's PromQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.operations import ServiceLevelIndicator, ServiceLevelObjective
from generator.spec.model.types import duration_seconds
from generator.spec.schedules import format_duration
from generator.targets.monitoring.alert_rules import alert_name, incident_severity, runbook_url

WINDOW = "$WINDOW"
_MONTH = 30 * 86400
# (severity, burn rate, long window, short window) for a 30-day SLO, in seconds
_WORKBOOK = (
    ("critical", 14.4, 3600, 300),
    ("critical", 6.0, 6 * 3600, 1800),
    ("warning", 3.0, 86400, 2 * 3600),
    ("warning", 1.0, 3 * 86400, 6 * 3600),
)
#: What each alert is called in the docs: a page or a ticket.
KINDS = {"critical": "page", "warning": "ticket"}


@dataclass(frozen=True)
class BurnRate:
    """One alert condition: the budget burns ``factor`` times too fast over both windows."""

    severity: str
    factor: float
    long: str
    short: str


def burn_rates(slo: ServiceLevelObjective, scrape_interval: str) -> list[BurnRate]:
    """The workbook's four conditions, windows scaled to the SLO's window and rounded to
    whole minutes (at least two scrapes)."""
    scale = duration_seconds(slo.window) / _MONTH
    shortest = math.ceil(max(60.0, 2 * duration_seconds(scrape_interval)) / 60)

    def window(seconds: int) -> str:
        return format_duration(max(round(seconds * scale / 60), shortest) * 60)

    return [
        BurnRate(severity, factor, window(long), window(short))
        for severity, factor, long, short in _WORKBOOK
    ]


def budget(slo: ServiceLevelObjective) -> float:
    """The allowed error ratio: 0.001 for 99.9 %."""
    return round(1 - slo.objective / 100, 12)


def record_name(window: str) -> str:
    """The recorded error ratio over ``window``: ``slo:sli_error:ratio_rate1h``."""
    return f"slo:sli_error:ratio_rate{window}"


def windows(rates: list[BurnRate]) -> list[str]:
    """Every window the conditions use, shortest first."""
    found = {w for rate in rates for w in (rate.long, rate.short)}
    return sorted(found, key=duration_seconds)


def error_ratio(sli: ServiceLevelIndicator, window: str) -> str:
    """The SLI's error ratio over ``window`` as PromQL."""
    if sli.error_ratio:
        return sli.error_ratio.replace(WINDOW, window)
    good = (sli.good or "").replace(WINDOW, window)
    total = (sli.total or "").replace(WINDOW, window)
    return f"1 - (({good}) / ({total}))"


def recording_rules(spec: DeploymentPlan) -> list[dict[str, Any]]:
    """Each SLO's error ratio over each window its alerts use."""
    interval = spec.monitoring.metrics_collection.scrape_interval
    return [
        {
            "record": record_name(window),
            "expr": error_ratio(slo.sli, window),
            "labels": {"service": slo.service, "slo": slo.name},
        }
        for slo in spec.monitoring.slos
        for window in windows(burn_rates(slo, interval))
    ]


def alerting_rules(spec: DeploymentPlan) -> list[dict[str, Any]]:
    """A page and a ticket rule per SLO, under one alert name."""
    interval = spec.monitoring.metrics_collection.scrape_interval
    docs_url = spec.project.docs_url
    rules = []
    for slo in spec.monitoring.slos:
        rates = burn_rates(slo, interval)
        for severity in KINDS:
            chosen = [rate for rate in rates if rate.severity == severity]
            rules.append(_rule(spec, slo, severity, chosen, docs_url))
    return rules


def _rule(
    spec: DeploymentPlan,
    slo: ServiceLevelObjective,
    severity: str,
    rates: list[BurnRate],
    docs_url: str | None,
) -> dict[str, Any]:
    ratio = _number(budget(slo))
    selector = f'{{service="{slo.service}",slo="{slo.name}"}}'
    conditions = [
        f"(\n  {record_name(r.long)}{selector} > ({_number(r.factor)} * {ratio})\nand\n"
        f"  {record_name(r.short)}{selector} > ({_number(r.factor)} * {ratio})\n)"
        for r in rates
    ]
    name = alert_name(slo.name) + "BudgetBurn"
    labels = {"service": slo.service, "slo": slo.name, "severity": severity}
    chosen = incident_severity(spec, None, severity)
    if chosen:
        labels["incident_severity"] = chosen
    return {
        "alert": name,
        "expr": "\nor\n".join(conditions) + "\n",
        "labels": labels,
        # no text of the spec but names and numbers: nothing a template would expand
        "annotations": _annotations(slo, rates, name, docs_url),
    }


def _annotations(
    slo: ServiceLevelObjective, rates: list[BurnRate], name: str, docs_url: str | None
) -> dict[str, str]:
    speed = "fast" if rates[0].severity == "critical" else "slowly"
    ratio = _number(budget(slo) * 100)
    first, *others = rates
    conditions = f"{_number(first.factor)}× the {ratio}% it allows"
    conditions += f" over {first.long} and {first.short}"
    conditions += "".join(f", or {_number(r.factor)}× over {r.long} and {r.short}" for r in others)
    lasts = format_duration(duration_seconds(slo.window) / first.factor)
    annotations = {
        "summary": f"{slo.service} is spending its error budget {speed} ({slo.name}: "
        f"{_number(slo.objective)}% over {slo.window}).",
        "description": f"The error ratio of {slo.name} is above {conditions}: at "
        f"{_number(first.factor)}×, the {slo.window} budget is gone in {lasts}.",
    }
    if docs_url:
        annotations["runbook_url"] = runbook_url(docs_url, name)
    return annotations


def unit_tests(spec: DeploymentPlan, interval: str) -> dict[str, Any]:
    """promtool tests: each condition fires alone just over its burn rate and not just
    under it; a burn only over the long window (it has stopped), only over the short one
    (a blip), and a burn within budget do not fire."""
    rules = {(r["labels"]["slo"], r["labels"]["severity"]): r for r in alerting_rules(spec)}
    scrape = spec.monitoring.metrics_collection.scrape_interval
    cases = []
    for slo in spec.monitoring.slos:
        rates = burn_rates(slo, scrape)
        for multiples in _scenarios(rates):
            firing = _firing(rates, multiples)
            alerts = [rules[(slo.name, severity)] for severity in KINDS if severity in firing]
            cases.append(_case(slo, rates, multiples, alerts))
    return {"rule_files": ["slo-alerts.yml"], "evaluation_interval": interval, "tests": cases}


def _scenarios(rates: list[BurnRate]) -> list[dict[str, float]]:
    """Error ratios as multiples of the budget, per window (0.5 where not named)."""
    fast = rates[0]
    found = [{}, {fast.long: fast.factor * 1.25}, {fast.short: fast.factor * 1.25}]
    for r in rates:
        # just over the rate fires; just under does not
        found += [{r.long: r.factor * m, r.short: r.factor * m} for m in (1.25, 0.9)]
    return found


def _firing(rates: list[BurnRate], multiples: dict[str, float]) -> set[str]:
    def value(window: str) -> float:
        return multiples.get(window, 0.5)

    return {r.severity for r in rates if value(r.long) > r.factor and value(r.short) > r.factor}


def _case(
    slo: ServiceLevelObjective,
    rates: list[BurnRate],
    multiples: dict[str, float],
    alerts: list[dict[str, Any]],
) -> dict[str, Any]:
    ratio = budget(slo)
    series = [
        {
            "series": f'{record_name(w)}{{service="{slo.service}",slo="{slo.name}"}}',
            "values": f"{_number(multiples.get(w, 0.5) * ratio)}+0x10",
        }
        for w in windows(rates)
    ]
    return {
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [
            {
                "eval_time": "5m",
                "alertname": alert_name(slo.name) + "BudgetBurn",
                "exp_alerts": [
                    {"exp_labels": a["labels"], "exp_annotations": a["annotations"]} for a in alerts
                ],
            }
        ],
    }


def error_budgets(spec: DeploymentPlan, service: str) -> list[dict[str, Any]]:
    """The service's SLOs with their error budget, for its docs page."""
    scrape = spec.monitoring.metrics_collection.scrape_interval
    found = []
    for slo in spec.monitoring.slos:
        if slo.service != service:
            continue
        allowed = budget(slo)
        minutes = duration_seconds(slo.window) * allowed / 60
        rates = burn_rates(slo, scrape)
        found.append(
            {
                "slo": slo,
                "objective": _number(slo.objective),
                "ratio": _number(allowed * 100),
                "minutes": f"{minutes:.1f}".removesuffix(".0"),
                "page": _conditions(rates, "critical"),
                "ticket": _conditions(rates, "warning"),
                "alert": alert_name(slo.name) + "BudgetBurn",
            }
        )
    return found


def _conditions(rates: list[BurnRate], severity: str) -> str:
    """``14.4× 1h/5m, 6× 6h/30m``: the conditions of one alert, in any language."""
    return ", ".join(
        f"{_number(r.factor)}× {r.long}/{r.short}" for r in rates if r.severity == severity
    )


def _number(value: float) -> str:
    return f"{round(value, 10):g}"

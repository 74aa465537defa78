"""monitor_metrics: Prometheus recording and alerting rules, and promtool unit tests that
make every alert fire.

Each monitoring point is recorded as ``deployplan:<point>``; each threshold becomes a
warning and a critical rule on that series; each HTTP or TCP health indicator a probe
alert. The unit tests feed the recorded series directly, so they test the levels,
``for`` durations, labels and annotations independently of the points' PromQL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.testing import AlertThreshold, HealthIndicator, MonitoringPoint
from generator.spec.model.types import duration_seconds
from generator.spec.schedules import format_duration

ALERTS_PAGE = "operations/alerts"
#: The folder of the runbook pages, one per alert name.
RUNBOOKS = "operations/alerts"
_DELIMITERS = re.compile(r"\{\{|\}\}")
_MINUTE = 60


@dataclass(frozen=True)
class AlertTest:
    """A unit test: one input series and when each of the alerts on it fires."""

    series: str
    values: str  # one a minute
    firing: list[tuple[int, list[Alert]]]  # (minute, alerts firing then)


@dataclass(frozen=True)
class Alert:
    """One alerting rule: a threshold level or a failing probe."""

    name: str
    level: str
    expr: str
    for_: str
    labels: dict[str, str]
    annotations: dict[str, str]

    def rule(self) -> dict[str, Any]:
        """The rule as Prometheus reads it; annotations are templates there, so the
        spec's text is written as literal text."""
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": self.labels,
            "annotations": {key: literal(value) for key, value in self.annotations.items()},
        }


def literal(text: str) -> str:
    """``text`` as a Go template that prints exactly ``text``: delimiters become strings."""
    return _DELIMITERS.sub(lambda match: '{{"' + match.group() + '"}}', text)


def alert_name(name: str) -> str:
    """``orders_api_errors`` -> ``OrdersApiErrors`` (alert names are metric names)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def record_name(point: str) -> str:
    """The recorded series of a monitoring point: ``deployplan:orders_api_error_rate``."""
    return "deployplan:" + point.replace("-", "_")


def recording_rules(spec: DeploymentPlan) -> list[dict[str, Any]]:
    """One recording rule per monitoring point, labelled with its service."""
    return [
        {"record": record_name(p.name), "expr": p.expression, "labels": {"service": p.service}}
        for p in spec.health_check.monitoring_points
    ]


def threshold_alerts(spec: DeploymentPlan, docs_url: str | None) -> list[AlertTest]:
    """A warning and a critical rule per threshold (where the level is set), with the test
    that walks the series from safe, past warning, past critical."""
    points = {p.name: p for p in spec.health_check.monitoring_points}
    tests = []
    for threshold in spec.health_check.alert_thresholds.thresholds:
        point = points.get(threshold.monitoring_point)
        if point is None:
            continue
        alerts = [
            _threshold_alert(spec, threshold, point, level, docs_url)
            for level in ("warning", "critical")
            if getattr(threshold, level) is not None
        ]
        tests.append(_threshold_test(threshold, point, alerts))
    return tests


def _threshold_test(
    threshold: AlertThreshold, point: MonitoringPoint, alerts: list[Alert]
) -> AlertTest:
    minutes = max(1, math.ceil(duration_seconds(threshold.for_) / _MINUTE))
    values = _test_values(threshold)
    # ten safe minutes, then each step past the next level long enough to fire
    steps = [f"{values[0]}+0x9"] + [f"{v}+0x{minutes + 9}" for v in values[1:]]
    firing: list[tuple[int, list[Alert]]] = [(9, [])] + [
        (10 + index * (minutes + 10) + minutes + 1, alerts[: index + 1])
        for index in range(len(alerts))
    ]
    series = f'{record_name(point.name)}{{service="{point.service}"}}'
    return AlertTest(series, " ".join(steps), firing)


def _threshold_alert(
    spec: DeploymentPlan,
    threshold: AlertThreshold,
    point: MonitoringPoint,
    level: str,
    docs_url: str | None,
) -> Alert:
    value: float = getattr(threshold, level)
    name = alert_name(threshold.name)
    series = f'{record_name(point.name)}{{service="{point.service}"}}'
    unit = f" {point.unit}" if point.unit else ""
    description = (
        f"{point.name} of {point.service} is {threshold.operator} {_number(value)}{unit} "
        f"({level} level) for {threshold.for_}."
    )
    return Alert(
        name=name,
        level=level,
        expr=f"{series} {threshold.operator} {_number(value)}",
        for_=threshold.for_,
        labels=_labels(spec, threshold, point.service, level),
        annotations=_annotations(threshold.summary or description, description, name, docs_url),
    )


def _test_values(threshold: AlertThreshold) -> list[str]:
    """A safe value, then one past each level in turn (between them, then beyond)."""
    levels = [v for v in (threshold.warning, threshold.critical) if v is not None]
    sign = 1 if threshold.operator in (">", ">=") else -1
    gap = abs(levels[-1] - levels[0]) or max(abs(levels[0]), 1.0)
    values = [levels[0] - sign * gap]
    if len(levels) == 2:
        values.append((levels[0] + levels[1]) / 2)
    values.append(levels[-1] + sign * gap)
    return [_number(v) for v in values]


def _labels(
    spec: DeploymentPlan, threshold: AlertThreshold | None, service: str, level: str
) -> dict[str, str]:
    labels = {"service": service, "severity": level}
    severity = incident_severity(spec, threshold, level)
    if severity:
        labels["incident_severity"] = severity
    return labels


def incident_severity(
    spec: DeploymentPlan, threshold: AlertThreshold | None, level: str
) -> str | None:
    """The incident severity (sev1, …) of an alert level: the threshold's, the default's,
    else the most (critical) or least (warning) severe level declared."""
    thresholds = spec.health_check.alert_thresholds
    own = getattr(threshold, f"{level}_severity") if threshold else None
    chosen = own or getattr(thresholds, f"{level}_severity")
    if chosen:
        return str(chosen)
    response = spec.operations.incident_response
    if response is None:
        return None
    levels = response.severity_levels
    return levels[0].name if level == "critical" else levels[-1].name


def _annotations(summary: str, description: str, name: str, docs_url: str | None) -> dict[str, str]:
    annotations = {"summary": summary, "description": description}
    if docs_url:
        annotations["runbook_url"] = runbook_url(docs_url, name)
    return annotations


def runbook_url(docs_url: str, name: str) -> str:
    """Where the runbook of alert ``name`` is published: its own page of the manual."""
    return f"{docs_url.rstrip('/')}/{RUNBOOKS}/{name.lower()}.html"


def probe_alerts(spec: DeploymentPlan, docs_url: str | None) -> list[AlertTest]:
    """A critical alert per HTTP or TCP health indicator whose probe keeps failing."""
    return [
        _probe_alert(spec, indicator, docs_url)
        for indicator in spec.health_check.health_indicators
        if indicator.type in ("http", "tcp")
    ]


def _probe_alert(
    spec: DeploymentPlan, indicator: HealthIndicator, docs_url: str | None
) -> AlertTest:
    name = alert_name(indicator.name) + "Down"
    seconds = duration_seconds(indicator.interval) * indicator.failure_threshold
    minutes = max(1, math.ceil(seconds / _MINUTE))
    series = f'probe_success{{indicator="{indicator.name}",service="{indicator.service}"}}'
    description = (
        f"The {indicator.type} probe {indicator.name} of {indicator.service} has failed for "
        f"{format_duration(seconds)} ({indicator.failure_threshold} checks "
        f"{indicator.interval} apart)."
    )
    alert = Alert(
        name=name,
        level="critical",
        expr=f'probe_success{{indicator="{indicator.name}"}} == 0',
        for_=format_duration(seconds),
        labels={
            "indicator": indicator.name,
            **_labels(spec, None, indicator.service, "critical"),
        },
        annotations=_annotations(
            f"{indicator.service} fails its {indicator.name} health check.",
            description,
            name,
            docs_url,
        ),
    )
    return AlertTest(series, f"1+0x9 0+0x{minutes + 9}", [(9, []), (10 + minutes + 1, [alert])])


def unit_tests(tests: list[AlertTest], interval: str) -> dict[str, Any]:
    """promtool's rule test file: each alert quiet at first, firing after its ``for``."""
    cases = []
    for test in tests:
        name = test.firing[-1][1][0].name
        checks = [
            {
                "eval_time": f"{minute}m",
                "alertname": name,
                "exp_alerts": [
                    {"exp_labels": a.labels, "exp_annotations": a.annotations} for a in alerts
                ],
            }
            for minute, alerts in test.firing
        ]
        cases.append(
            {
                "interval": "1m",
                "input_series": [{"series": test.series, "values": test.values}],
                "alert_rule_test": checks,
            }
        )
    return {"rule_files": ["alerts.yml"], "evaluation_interval": interval, "tests": cases}


def rules_of(tests: list[AlertTest]) -> list[Alert]:
    """Every alert of the tests, once, in order."""
    return [alert for test in tests for alert in test.firing[-1][1]]


def _number(value: float) -> str:
    return f"{value:g}" if value == value else "NaN"

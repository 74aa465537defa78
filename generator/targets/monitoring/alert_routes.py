"""setup_monitoring's alert routing: an Alertmanager configuration whose routes follow the
escalation paths and whose receivers read their credentials from files.

Escalation applies in production and disaster-recovery environments. A path's pages go
to one receiver per path: its service (PagerDuty) or escalation (Opsgenie) on the paging
service, whose escalation policy moves on only while nobody has acknowledged
(:mod:`generator.targets.monitoring.paging`). Alertmanager sends the page once the first paging
level's ``after`` has passed; a level that does not page (chat, email) is a sibling route
with ``group_wait`` set to its ``after`` and ``continue: true`` on the ones before it: it
is told only if the alert still fires then. Elsewhere nothing pages: alerts go to
``non_paging_receiver``, else to the default receiver when it is no pager, else to a
receiver that notifies no one (the alerts stay visible in Alertmanager).

Pages carry the incident severity as the paging service understands it: PagerDuty's event
severity and Opsgenie's priority, from the spec's severity levels (by position unless a
level sets its own).
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.operations import (
    AlertingSystem,
    EscalationPath,
    Receiver,
    SeverityLevel,
)
from generator.spec.rules.alerting import PAGERS
from generator.targets.monitoring.paging import KEYS_DIR, Policy, policies

SECRETS_DIR = "/etc/alertmanager/secrets"
PAGING = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)
#: Receives the alerts of environments that never page when the spec names no receiver.
QUIET = "deployplan-no-page"
_PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
_PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")


def alertmanager_config(
    spec: DeploymentPlan, system: AlertingSystem, environment: str
) -> dict[str, Any]:
    """The whole ``alertmanager.yml`` of ``environment`` as data."""
    paging = spec.environments[environment].environment_type in PAGING
    default = system.default_receiver if paging else quiet_receiver(system)
    route: dict[str, Any] = {
        "receiver": default,
        "group_by": system.group_by,
        "group_wait": system.group_wait,
        "group_interval": system.group_interval,
        "repeat_interval": system.repeat_interval,
    }
    pagers = {p.path: p for p in policies(spec)}
    if paging and spec.operations.escalation_paths:
        route["routes"] = [
            _path_route(path, system, pagers.get(path.name))
            for path in spec.operations.escalation_paths
        ]
    config: dict[str, Any] = {}
    if system.smtp is not None:
        config["global"] = _smtp(system)
    config["route"] = route
    config["inhibit_rules"] = [
        {
            "source_matchers": ['severity="critical"'],
            "target_matchers": ['severity="warning"'],
            "equal": ["alertname", "service"],
        }
    ]
    response = spec.operations.incident_response
    levels = response.severity_levels if response else []
    config["receivers"] = [_receiver(r, levels) for r in system.receivers]
    config["receivers"] += [_pager(p, levels) for p in pagers.values()]
    if default == QUIET:
        config["receivers"].append({"name": QUIET})
    return config


def quiet_receiver(system: AlertingSystem) -> str:
    """Where the alerts of an environment that never pages go."""
    if system.non_paging_receiver:
        return system.non_paging_receiver
    default = next(r for r in system.receivers if r.name == system.default_receiver)
    return QUIET if default.type in PAGERS else default.name


def page_levels(levels: list[SeverityLevel]) -> list[tuple[str, str, str]]:
    """(severity, Opsgenie priority, PagerDuty severity) of each incident severity level."""
    return [
        (
            level.name,
            level.priority or _PRIORITIES[min(index, len(_PRIORITIES) - 1)],
            level.pagerduty_severity
            or _PAGERDUTY_SEVERITIES[min(index, len(_PAGERDUTY_SEVERITIES) - 1)],
        )
        for index, level in enumerate(levels)
    ]


def _by_severity(levels: list[tuple[str, str]], fallback: str) -> str:
    """A notification template choosing a value by the alert's ``incident_severity``."""
    branches = "".join(
        f'{{{{ {"if" if i == 0 else "else if"} eq .CommonLabels.incident_severity "{name}" }}}}'
        f"{value}"
        for i, (name, value) in enumerate(levels)
    )
    return f"{branches}{{{{ else }}}}{fallback}{{{{ end }}}}" if levels else fallback


def _path_route(
    path: EscalationPath, system: AlertingSystem, pager: Policy | None
) -> dict[str, Any]:
    types = {r.name: r.type for r in system.receivers}
    # (receiver, wait): the page once, then each level that only notifies
    notices = [(pager.receiver, pager.first)] if pager else []
    notices += [
        (level.receiver, level.after if _seconds(level.after) else system.group_wait)
        for level in path.levels
        if not (pager and types.get(level.receiver) in PAGERS)
    ]
    routes = []
    for severity in path.severities:
        for index, (receiver, wait) in enumerate(notices):
            route: dict[str, Any] = {
                "receiver": receiver,
                "matchers": [f'incident_severity="{severity}"'],
                "group_wait": wait,
                "repeat_interval": system.repeat_intervals.get(severity, system.repeat_interval),
            }
            if index < len(notices) - 1:
                route["continue"] = True
            routes.append(route)
    return {
        "matchers": [
            f'service=~"{_alternatives(path.services)}"',
            f'incident_severity=~"{_alternatives(path.severities)}"',
        ],
        "routes": routes,
    }


def _alternatives(names: list[str]) -> str:
    # names are DNS labels and identifiers: nothing in them is special in a regex
    return "|".join(names)


def _seconds(duration: str) -> bool:
    return any(ch.isdigit() and ch != "0" for ch in duration)


def _smtp(system: AlertingSystem) -> dict[str, Any]:
    smtp = system.smtp
    assert smtp is not None
    settings: dict[str, Any] = {"smtp_smarthost": smtp.smarthost, "smtp_from": smtp.sender}
    if smtp.username:
        settings["smtp_auth_username"] = smtp.username
    return settings


def secret_file(secret: str) -> str:
    """Where the deploy step writes a receiver's credential for Alertmanager to read."""
    return f"{SECRETS_DIR}/{secret}"


def _pager(policy: Policy, levels: list[SeverityLevel]) -> dict[str, Any]:
    """The receiver of a path's pages: its key is the file the configure script writes."""
    key = f"{KEYS_DIR}/{policy.key_file}"
    if policy.provider == "pagerduty":
        severities = [(name, severity) for name, _, severity in page_levels(levels)]
        config: dict[str, Any] = {
            "routing_key_file": key,
            "send_resolved": True,
            "severity": _by_severity(severities, "warning"),
            "details": {"escalation_path": policy.path},
        }
        return {"name": policy.receiver, "pagerduty_configs": [config]}
    priorities = [(name, priority) for name, priority, _ in page_levels(levels)]
    config = {
        "api_key_file": key,
        "send_resolved": True,
        "priority": _by_severity(priorities, "P3"),
        "responders": [{"name": policy.name, "type": "escalation"}],
    }
    return {"name": policy.receiver, "opsgenie_configs": [config]}


def _receiver(receiver: Receiver, levels: list[SeverityLevel]) -> dict[str, Any]:
    key = secret_file(receiver.credentials) if receiver.credentials else None
    config: dict[str, Any]
    if receiver.type == "slack":
        config = {"channel": receiver.target, "send_resolved": True}
        if key:
            config["api_url_file"] = key
        return {"name": receiver.name, "slack_configs": [config]}
    if receiver.type == "pagerduty":
        severities = [(name, severity) for name, _, severity in page_levels(levels)]
        config = {
            "send_resolved": True,
            "severity": _by_severity(severities, "warning"),
            "details": {"pagerduty_service": receiver.target},
        }
        if key:
            config["routing_key_file"] = key
        return {"name": receiver.name, "pagerduty_configs": [config]}
    if receiver.type == "opsgenie":
        priorities = [(name, priority) for name, priority, _ in page_levels(levels)]
        config = {
            "send_resolved": True,
            "priority": _by_severity(priorities, "P3"),
            "responders": [{"name": receiver.target, "type": "team"}],
        }
        if key:
            config["api_key_file"] = key
        return {"name": receiver.name, "opsgenie_configs": [config]}
    if receiver.type == "email":
        config = {"to": receiver.target, "send_resolved": True}
        if key:
            config["auth_password_file"] = key
        return {"name": receiver.name, "email_configs": [config]}
    config = {"url": receiver.target, "send_resolved": True}
    if key:
        config["http_config"] = {"authorization": {"type": "Bearer", "credentials_file": key}}
    return {"name": receiver.name, "webhook_configs": [config]}

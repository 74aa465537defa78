"""``configure-opsgenie.sh``: the plan's teams, schedules, escalations and API
integrations on Opsgenie, as its REST API (v2) takes them.

Opsgenie names its objects, so the bodies refer to one another by name. An escalation
rule's delay counts from the alert's creation, as the spec's ``after`` does.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.targets.monitoring.pagerduty import policy_summary
from generator.targets.monitoring.paging import (
    Policy,
    Schedule,
    existing_schedules,
    policies,
    team_name,
)
from generator.targets.monitoring.paging import schedules as rotations

SCRIPT = "configure-opsgenie.sh"
_HOUR = 3600
_ROTATION_TYPES = (("weekly", 7 * 24 * _HOUR), ("daily", 24 * _HOUR), ("hourly", _HOUR))


def context(spec: DeploymentPlan) -> dict[str, Any] | None:
    """What the script needs, or None when no escalation path pages through Opsgenie."""
    found = policies(spec, "opsgenie")
    if not found:
        return None
    teams = _teams(spec)
    schedules = rotations(spec)
    return {
        "project": spec.project.name,
        "users": sorted({email for members in teams.values() for email in members}),
        "lookups": existing_schedules(spec, "opsgenie"),
        "teams": [
            {"name": name, "body": _json(_team(spec, name, members))}
            for name, members in teams.items()
        ],
        "schedules": [
            {"name": s.name, "body": _json(_schedule(s, _owner(spec, s, teams)))} for s in schedules
        ],
        "escalations": [
            {
                "name": p.name,
                "body": _json(_escalation(spec, p)),
                "integration": _json(_integration(p)),
                "key_file": p.key_file,
                "summary": policy_summary(p),
            }
            for p in found
        ],
    }


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _teams(spec: DeploymentPlan) -> dict[str, list[str]]:
    """Opsgenie team name -> member emails, for every team with contacts."""
    found: dict[str, list[str]] = {}
    for contact in spec.operations.contacts:
        found.setdefault(team_name(spec, contact.team), []).append(contact.email)
    return found


def _team(spec: DeploymentPlan, name: str, members: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"On-call team of {spec.project.name} (kept by deployplan).",
        "members": [{"user": {"username": email}, "role": "user"} for email in sorted(members)],
    }


def _owner(spec: DeploymentPlan, schedule: Schedule, teams: dict[str, list[str]]) -> str | None:
    """The rotation's team on Opsgenie, where the script keeps that team."""
    name = team_name(spec, schedule.team)
    return name if name in teams else None


def _schedule(schedule: Schedule, owner: str | None) -> dict[str, Any]:
    kind, length = rotation_length(schedule.shift)
    body: dict[str, Any] = {
        "name": schedule.name,
        "description": f"On-call rotation of team {schedule.team} (kept by deployplan).",
        "timezone": schedule.time_zone,
        "enabled": True,
        "rotations": [
            {
                "name": "rotation",
                "startDate": _utc(schedule.start),
                "type": kind,
                "length": length,
                "participants": [{"type": "user", "username": e} for e in schedule.members],
            }
        ],
    }
    if owner is not None:
        body["ownerTeam"] = {"name": owner}
    return body


def rotation_length(seconds: int) -> tuple[str, int]:
    """Opsgenie's rotation type and length for a shift: ``(weekly, 1)`` for a week."""
    for kind, size in _ROTATION_TYPES:
        if seconds % size == 0:
            return kind, seconds // size
    return "hourly", max(1, seconds // _HOUR)


def _utc(start: str) -> str:
    """Opsgenie answers with UTC times: send them so, and a rerun compares equal."""
    moment = dt.datetime.fromisoformat(start).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _escalation(spec: DeploymentPlan, policy: Policy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "description": (
            f"Escalation path {policy.path} of {spec.project.name}: "
            f"{', '.join(policy.services)} at {', '.join(policy.severities)} "
            "(kept by deployplan)."
        ),
        "rules": [
            {
                "condition": "if-not-acked",
                "notifyType": "default",
                "delay": {"timeAmount": step.minutes, "timeUnit": "minutes"},
                "recipient": {"type": target.kind, "name": target.name},
            }
            for step in policy.steps
            for target in step.targets
        ],
    }


def _integration(policy: Policy) -> dict[str, Any]:
    return {
        "type": "API",
        "name": policy.name,
        "enabled": True,
        "responders": [{"type": "escalation", "name": policy.name}],
    }

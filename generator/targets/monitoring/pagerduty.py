"""``configure-pagerduty.sh``: the plan's schedules, escalation policies and services on
PagerDuty, as the REST API (v2) takes them.

Request bodies name the objects they refer to symbolically (``"id": "ref:schedule:NAME"``);
the script replaces each reference by the id it found or created earlier in the run.
"""

from __future__ import annotations

import json
from typing import Any

from generator.spec.model import DeploymentPlan
from generator.spec.schedules import format_duration
from generator.targets.monitoring.paging import (
    Policy,
    Schedule,
    Target,
    existing_schedules,
    policies,
)
from generator.targets.monitoring.paging import schedules as rotations

SCRIPT = "configure-pagerduty.sh"
#: The integration that receives Alertmanager's events on each service.
INTEGRATION = "Alertmanager"
_REFERENCE = {"schedule": "schedule_reference", "user": "user_reference"}


def context(spec: DeploymentPlan) -> dict[str, Any] | None:
    """What the script needs, or None when no escalation path pages through PagerDuty."""
    found = policies(spec, "pagerduty")
    if not found:
        return None
    schedules = rotations(spec)
    return {
        "project": spec.project.name,
        "users": _users(schedules, found),
        "lookups": existing_schedules(spec, "pagerduty"),
        "schedules": [
            {"name": s.name, "body": _json(_schedule(s)), "summary": _schedule_summary(s)}
            for s in schedules
        ],
        "policies": [
            {
                "name": p.name,
                "body": _json(_policy(spec, p)),
                "service": _json(_service(spec, p)),
                "key_file": p.key_file,
                "summary": policy_summary(p),
            }
            for p in found
        ],
        "integration": _json(
            {"integration": {"type": "events_api_v2_inbound_integration", "name": INTEGRATION}}
        ),
        "integration_name": INTEGRATION,
    }


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _users(schedules: list[Schedule], found: list[Policy]) -> list[str]:
    emails = {email for s in schedules for email in s.members}
    emails |= {t.name for p in found for step in p.steps for t in step.targets if t.kind == "user"}
    return sorted(emails)


def _reference(target: Target) -> dict[str, str]:
    return {"id": f"ref:{target.kind}:{target.name}", "type": _REFERENCE[target.kind]}


def _schedule(schedule: Schedule) -> dict[str, Any]:
    layer = {
        "name": "Rotation",
        "start": schedule.start,
        "rotation_virtual_start": schedule.start,
        "rotation_turn_length_seconds": schedule.shift,
        "users": [{"user": _reference(Target("user", email))} for email in schedule.members],
    }
    return {
        "schedule": {
            "type": "schedule",
            "name": schedule.name,
            "description": f"On-call rotation of team {schedule.team} (kept by deployplan).",
            "time_zone": schedule.time_zone,
            "schedule_layers": [layer],
        }
    }


def _policy(spec: DeploymentPlan, policy: Policy) -> dict[str, Any]:
    rules = []
    for index, step in enumerate(policy.steps):
        following = policy.steps[index + 1 :]
        # minutes until the next rule; the last rule's delay only matters on a repeat
        delay = following[0].minutes - step.minutes if following else 30
        rules.append(
            {
                "escalation_delay_in_minutes": max(1, delay),
                "targets": [_reference(t) for t in step.targets],
            }
        )
    return {
        "escalation_policy": {
            "type": "escalation_policy",
            "name": policy.name,
            "description": _description(spec, policy),
            "num_loops": 0,
            "escalation_rules": rules,
        }
    }


def _service(spec: DeploymentPlan, policy: Policy) -> dict[str, Any]:
    return {
        "service": {
            "type": "service",
            "name": policy.name,
            "description": _description(spec, policy),
            "escalation_policy": {
                "id": f"ref:escalation_policy:{policy.name}",
                "type": "escalation_policy_reference",
            },
            # an alert's severity (from the incident severity) sets the incident's urgency
            "incident_urgency_rule": {"type": "constant", "urgency": "severity_based"},
        }
    }


def _description(spec: DeploymentPlan, policy: Policy) -> str:
    return (
        f"Escalation path {policy.path} of {spec.project.name}: "
        f"{', '.join(policy.services)} at {', '.join(policy.severities)} (kept by deployplan)."
    )


def _schedule_summary(schedule: Schedule) -> str:
    return (
        f"schedule {schedule.name}: {', '.join(schedule.members)} in turn, "
        f"{format_duration(schedule.shift)} each from {schedule.start} ({schedule.time_zone})"
    )


def policy_summary(policy: Policy) -> str:
    """One line: who is paged, and who next while nobody acknowledges."""
    steps = [
        (f"after {format_duration(step.minutes * 60)} " if step.minutes else "")
        + " and ".join(f"{t.kind} {t.name}" for t in step.targets)
        for step in policy.steps
    ]
    return f"{policy.name} ({', '.join(policy.services)}): {', then '.join(steps)}"

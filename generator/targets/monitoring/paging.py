"""Escalation on the paging engine: the escalation paths, contacts and rotations of the
spec as the paging service's own objects.

A path whose levels page (a ``pagerduty`` or ``opsgenie`` receiver) becomes an escalation
policy there, and a service (PagerDuty) or integration (Opsgenie) that Alertmanager sends
the path's alerts to. The paging service then escalates from one level to the next only
while nobody has acknowledged, which Alertmanager's timers cannot know. A level notifying
a team reaches its on-call schedule: the team's rotation (a schedule the configure script
keeps), else the schedule its ``oncall_schedule`` names (which must exist), else the
team's contacts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from generator.spec.model import DeploymentPlan
from generator.spec.model.operations import EscalationPath, OnCallRotation
from generator.spec.model.types import duration_seconds
from generator.spec.rules.alerting import PAGERS
from generator.spec.schedules import time_zone

#: Where Alertmanager reads the keys the configure scripts write (``--keys-dir``).
KEYS_DIR = "/etc/alertmanager/paging"


@dataclass(frozen=True)
class Target:
    """Whom a step notifies: a ``schedule`` or ``team`` by name, a ``user`` by email."""

    kind: str
    name: str


@dataclass(frozen=True)
class Step:
    """One escalation step: ``minutes`` after the first page, these targets."""

    minutes: int
    notify: tuple[str, ...]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Policy:
    """An escalation path as the paging service keeps it."""

    path: str
    name: str
    provider: str
    services: tuple[str, ...]
    severities: tuple[str, ...]
    first: str  # how long Alertmanager waits before the first page
    steps: tuple[Step, ...]

    @property
    def receiver(self) -> str:
        """The Alertmanager receiver of the path's pages."""
        return f"{self.provider}/{self.path}"

    @property
    def key_file(self) -> str:
        """The file (in ``KEYS_DIR``) holding the routing key or API key of its pages."""
        return f"{self.provider}-{self.path}"


@dataclass(frozen=True)
class Schedule:
    """A rotation as a schedule: members (emails) in turn, ``shift`` seconds each."""

    name: str
    team: str
    members: tuple[str, ...]
    shift: int
    start: str  # ISO 8601 with the zone's offset on the first day
    time_zone: str


def provider_of(spec: DeploymentPlan, path: EscalationPath) -> str | None:
    """The paging service the path's levels page through (its first pager's type)."""
    system = spec.monitoring.alerting_system
    if system is None:
        return None
    types = {r.name: r.type for r in system.receivers}
    return next(
        (types[lvl.receiver] for lvl in path.levels if types.get(lvl.receiver) in PAGERS), None
    )


def policies(spec: DeploymentPlan, provider: str | None = None) -> list[Policy]:
    """The escalation policy of every path that pages (through ``provider``, if given)."""
    found = []
    for path in spec.operations.escalation_paths:
        kind = provider_of(spec, path)
        if kind is None or (provider and kind != provider):
            continue
        found.append(_policy(spec, path, kind))
    return found


def _policy(spec: DeploymentPlan, path: EscalationPath, provider: str) -> Policy:
    system = spec.monitoring.alerting_system
    assert system is not None
    types = {r.name: r.type for r in system.receivers}
    levels = sorted(
        (lvl for lvl in path.levels if types.get(lvl.receiver) == provider),
        key=lambda lvl: duration_seconds(lvl.after),
    )
    start = duration_seconds(levels[0].after)
    steps: dict[int, list[str]] = {}
    for level in levels:
        minutes = math.ceil((duration_seconds(level.after) - start) / 60)
        steps.setdefault(minutes, []).append(level.notify)
    return Policy(
        path=path.name,
        name=path.paging_service or f"{spec.project.name}-{path.name.replace('_', '-')}",
        provider=provider,
        services=tuple(path.services),
        severities=tuple(path.severities),
        first=levels[0].after if start else system.group_wait,
        steps=tuple(
            Step(minutes, tuple(notify), _targets(spec, notify, provider))
            for minutes, notify in steps.items()
        ),
    )


def _targets(spec: DeploymentPlan, notify: list[str], provider: str) -> tuple[Target, ...]:
    found: list[Target] = []
    for team in _teams(spec, notify):
        for target in team_targets(spec, team, provider):
            if target not in found:
                found.append(target)
    return tuple(found)


def _teams(spec: DeploymentPlan, notify: list[str]) -> list[str]:
    """Teams behind each notified name: a team itself, a role its teams."""
    teams = {t.name for t in spec.project.teams}
    roles = {r.name: r.teams for r in spec.security.access_controls.roles} if spec.security else {}
    return [team for name in notify for team in ([name] if name in teams else roles.get(name, []))]


def team_targets(spec: DeploymentPlan, team: str, provider: str) -> list[Target]:
    """How the paging service reaches ``team``: its schedule, else its contacts."""
    schedule = schedule_name(spec, team)
    if schedule is not None:
        return [Target("schedule", schedule)]
    emails = [c.email for c in spec.operations.contacts if c.team == team]
    if not emails:
        return []
    if provider == "opsgenie":
        return [Target("team", team_name(spec, team))]
    return [Target("user", email) for email in emails]


def schedule_name(spec: DeploymentPlan, team: str) -> str | None:
    """The team's schedule: its rotation's (kept by the script) or its `oncall_schedule`."""
    own = next((t.oncall_schedule for t in spec.project.teams if t.name == team), None)
    if any(r.team == team for r in spec.operations.rotations):
        return own or team_name(spec, team)
    return own


def team_name(spec: DeploymentPlan, team: str) -> str:
    """A team's name on the paging service: ``shop-sre``."""
    return f"{spec.project.name}-{team}"


def schedules(spec: DeploymentPlan) -> list[Schedule]:
    """Every rotation as a schedule, in spec order."""
    emails = {c.name: c.email for c in spec.operations.contacts}
    zone = spec.project.timezone
    return [
        Schedule(
            name=schedule_name(spec, rotation.team) or team_name(spec, rotation.team),
            team=rotation.team,
            members=tuple(emails[m] for m in rotation.members if m in emails),
            shift=int(duration_seconds(rotation.shift)),
            start=_start(rotation, zone),
            time_zone=zone,
        )
        for rotation in spec.operations.rotations
    ]


def _start(rotation: OnCallRotation, zone: str) -> str:
    hour, minute = (int(part) for part in rotation.handoff.split(":"))
    local = dt.datetime.combine(rotation.start, dt.time(hour, minute), time_zone(zone))
    return local.isoformat()


def existing_schedules(spec: DeploymentPlan, provider: str) -> list[str]:
    """Schedules the policies name that no rotation makes: they must exist already."""
    kept = {s.name for s in schedules(spec)}
    return sorted(
        {
            target.name
            for policy in policies(spec, provider)
            for step in policy.steps
            for target in step.targets
            if target.kind == "schedule" and target.name not in kept
        }
    )

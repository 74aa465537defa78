"""Seed §8: monitoring and operational procedures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.steps import Step
from generator.spec.model.types import (
    Cron,
    Duration,
    EnvironmentRef,
    Identifier,
    SecretRefName,
    ServiceRef,
    SpecModel,
    TeamRef,
    Text,
    Url,
)

LabelName = Annotated[
    str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$", description="A Prometheus label name.")
]


class MonitoringTool(SpecModel):
    name: str = Field(description="Tool name, e.g. `prometheus`.")
    kind: Literal["metrics", "logs", "traces", "alerting", "uptime", "dashboards"] = Field(
        description="What it does."
    )
    version: str | None = Field(None, description="Version in use.")
    url: Url | None = Field(None, description="Where it is reached.")


class ScrapeTarget(SpecModel):
    service: ServiceRef = Field(description="Service scraped.")
    port: int = Field(ge=1, le=65535, description="Metrics port.")
    path: str = Field("/metrics", pattern=r"^/[^\s]*$", description="Metrics path.")


class MetricsCollection(SpecModel):
    scrape_interval: Duration = Field("30s", description="How often metrics are scraped.")
    retention: Duration = Field("15d", description="How long metrics are kept.")
    targets: list[ScrapeTarget] = Field(default_factory=list, description="What is scraped.")
    blackbox_exporter: str = Field(
        "blackbox-exporter:9115",
        pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$",
        description="`host:port` of the blackbox exporter that runs the health-indicator probes.",
    )


class Receiver(SpecModel):
    name: Identifier = Field(description="Unique receiver name.")
    type: Literal["slack", "pagerduty", "email", "webhook", "opsgenie"] = Field(
        description="Notification channel."
    )
    target: str = Field(description="Channel, address or service name.")
    credentials: SecretRefName | None = Field(None, description="Secret holding its key.")


class SmtpRelay(SpecModel):
    """The mail relay Alertmanager sends email notifications through."""

    smarthost: str = Field(
        pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$", description="`host:port` of the relay."
    )
    sender: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="From address of notifications."
    )
    username: str | None = Field(
        None, pattern=r"^[A-Za-z0-9._@+-]+$", description="Login at the relay, if it needs one."
    )


class AlertingSystem(SpecModel):
    tool: str = Field("alertmanager", description="Alert router.")
    receivers: list[Receiver] = Field(min_length=1, description="Where alerts go.")
    default_receiver: Identifier = Field(description="Receiver for unmatched alerts.")
    group_by: list[LabelName] = Field(
        default_factory=lambda: ["alertname", "service"], description="Labels grouped on."
    )
    group_wait: Duration = Field("30s", description="Wait before the first notification.")
    group_interval: Duration = Field(
        "5m", description="Wait before notifying about alerts added to an open group."
    )
    repeat_interval: Duration = Field("4h", description="Resend interval of open alerts.")
    repeat_intervals: dict[Identifier, Duration] = Field(
        default_factory=dict,
        description="Incident severity (`sev1`, …) -> resend interval, replacing "
        "`repeat_interval` for alerts of that severity.",
    )
    smtp: SmtpRelay | None = Field(None, description="Mail relay of `email` receivers.")
    non_paging_receiver: Identifier | None = Field(
        None,
        description="Receiver of the alerts of environments that never page (development "
        "and staging): it must not be a `pagerduty` or `opsgenie` receiver [default: "
        "`default_receiver` when it does not page, else none: such alerts then stay visible "
        "in Alertmanager without notifying anyone].",
    )


class ServiceLevelIndicator(SpecModel):
    """How good the service is, as PromQL over a window written `$WINDOW` (e.g.
    `rate(http_requests_total{service="orders-api"}[$WINDOW])`): either `good` and `total`
    events, or `error_ratio`."""

    good: Text | None = Field(
        None, description="PromQL: the rate of good events over `$WINDOW` (with `total`)."
    )
    total: Text | None = Field(
        None, description="PromQL: the rate of all events over `$WINDOW` (with `good`)."
    )
    error_ratio: Text | None = Field(
        None,
        description="PromQL: the share of bad events over `$WINDOW`, from 0 to 1 (instead of "
        "`good` and `total`).",
    )


class ServiceLevelObjective(SpecModel):
    """A service level objective: the share of good events a service promises over a
    rolling window; the rest is its error budget."""

    name: Identifier = Field(description="Unique SLO name, e.g. `orders_api_availability`.")
    service: ServiceRef = Field(description="Service it is about.")
    description: Text = Field("", description="What it promises, in words.")
    objective: float = Field(
        gt=0, lt=100, description="Percent of events that must be good, e.g. `99.9`."
    )
    window: Duration = Field("30d", description="Rolling window the objective holds over.")
    sli: ServiceLevelIndicator = Field(description="The service level indicator, as PromQL.")


class MonitoringSystem(SpecModel):
    """Seed §8.1 ``MonitoringSystem``."""

    monitoring_tools: list[MonitoringTool] = Field(default_factory=list, description="Tools.")
    metrics_collection: MetricsCollection = Field(
        default_factory=MetricsCollection, description="Scraping."
    )
    alerting_system: AlertingSystem | None = Field(None, description="Alert routing.")
    slos: list[ServiceLevelObjective] = Field(
        default_factory=list,
        description="Service level objectives: each gets multi-window, multi-burn-rate "
        "alerts (a page on a fast burn of its error budget, a ticket on a slow one) and its "
        "error budget on the service's page.",
    )


class MaintenanceWindow(SpecModel):
    cron: Cron = Field(description="When the window opens.")
    duration: Duration = Field(description="How long it stays open.")


class MaintenanceProcedure(SpecModel):
    name: Identifier = Field(description="Unique name.")
    title: Text = Field(description="Short title.")
    description: Text = Field("", description="Why it is done.")
    window: MaintenanceWindow = Field(description="When it is done.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Where.")
    services: list[ServiceRef] = Field(default_factory=list, description="Services touched.")
    owner: TeamRef = Field(description="Team doing it.")
    impact: Literal["none", "degraded", "downtime"] = Field("none", description="User impact.")
    steps: list[Step] = Field(
        min_length=1,
        description="What to do, in order: text, or actions such as "
        "`{scale: SERVICE, replicas: N, environment: ENV}` expanded into their commands.",
    )


class SeverityLevel(SpecModel):
    name: Identifier = Field(description="Level name, e.g. `sev1`.")
    description: Text = Field(description="What makes an incident this severe.")
    response_time: Duration = Field(description="Time to acknowledge.")
    resolution_target: Duration = Field(description="Time to resolve or mitigate.")
    postmortem: bool = Field(False, description="A post-incident review is required.")
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = Field(
        None,
        description="Opsgenie priority of its pages [default: by position, the first level "
        "`P1`, the second `P2`, …, `P5` from the fifth on].",
    )
    pagerduty_severity: Literal["critical", "error", "warning", "info"] | None = Field(
        None,
        description="PagerDuty event severity of its pages [default: by position: "
        "`critical`, `error`, `warning`, then `info`].",
    )


class IncidentRole(SpecModel):
    name: Identifier = Field(description="Role name, e.g. `incident-commander`.")
    responsibilities: list[Text] = Field(min_length=1, description="What the role does.")


class Communication(SpecModel):
    channel: str = Field(description="Incident chat channel.")
    status_page: Url | None = Field(None, description="Public status page.")
    update_interval: Duration = Field("30m", description="How often stakeholders hear news.")


class IncidentResponse(SpecModel):
    severity_levels: list[SeverityLevel] = Field(min_length=1, description="Severity levels.")
    roles: list[IncidentRole] = Field(default_factory=list, description="Incident roles.")
    communication: Communication = Field(description="How people are kept informed.")


class EscalationLevel(SpecModel):
    after: Duration = Field(description="Time since the alert fired.")
    notify: Identifier = Field(description="Team (project.teams) or role paged.")
    receiver: Identifier = Field(description="Alerting receiver used.")


class EscalationPath(SpecModel):
    """Who is told about an incident, in order. Where its levels page (a `pagerduty` or
    `opsgenie` receiver), they become an escalation policy on that paging service, which
    escalates only while nobody has acknowledged; the other levels stay notifications
    from Alertmanager."""

    name: Identifier = Field(description="Unique name.")
    services: list[ServiceRef] = Field(min_length=1, description="Services it covers.")
    severities: list[Identifier] = Field(min_length=1, description="Severity levels it covers.")
    levels: list[EscalationLevel] = Field(min_length=1, description="Who is paged, when.")
    paging_service: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$",
        description="Name of its service (PagerDuty) or integration (Opsgenie) and of its "
        "escalation policy on the paging service [default: `<project>-<path>`, with `-` "
        "for `_`].",
    )


class Contact(SpecModel):
    """A person the paging service notifies: a user there, found by email address."""

    name: Identifier = Field(description="Unique handle, e.g. `akiko`.")
    full_name: Text = Field("", description="Name as people know it.")
    email: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Email address of the person's user on the paging service.",
    )
    team: TeamRef = Field(description="Team (project.teams) the person is on.")


class OnCallRotation(SpecModel):
    """A team's on-call rotation, kept as a schedule on the paging service: members hold
    the pager in turn, one shift each."""

    team: TeamRef = Field(
        description="Team whose on-call it is; its `oncall_schedule` names the schedule "
        "[default: `<project>-<team>`]."
    )
    members: list[Identifier] = Field(
        min_length=1, description="Contacts (operations.contacts) in the order they take over."
    )
    shift: Duration = Field("1w", description="How long each member is on call, in whole hours.")
    start: dt.date = Field(description="Day the first member's first shift begins.")
    handoff: str = Field(
        "09:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Time of day (project.timezone) a shift begins, `HH:MM`.",
    )


class MaintenanceCalendar(SpecModel):
    """The period the maintenance calendar and the backup timeline show.

    A fixed first day rather than "today" keeps the generated pages byte-identical from
    run to run; move it forward (say, each quarter) to publish the next period.
    """

    start: dt.date = Field(description="First day shown, e.g. `2026-01-05`.")
    weeks: int = Field(4, ge=1, le=26, description="How many weeks the calendar covers.")


class OperationalProcedures(SpecModel):
    """Seed §8.2 ``OperationalProcedures``."""

    maintenance_procedures: list[MaintenanceProcedure] = Field(
        default_factory=list, description="Planned maintenance."
    )
    incident_response: IncidentResponse | None = Field(None, description="Incident handling.")
    escalation_paths: list[EscalationPath] = Field(
        default_factory=list, description="Who is paged, in what order."
    )
    contacts: list[Contact] = Field(
        default_factory=list,
        description="People on call: the paging service's users that rotations and "
        "escalation policies name.",
    )
    rotations: list[OnCallRotation] = Field(
        default_factory=list,
        description="On-call rotations, one per team: an escalation level notifying the team "
        "pages whoever is on call.",
    )
    calendar: MaintenanceCalendar | None = Field(
        None,
        description="Period of the maintenance calendar and backup timeline in the manual; "
        "without it the manual lists each window's rule but no dates.",
    )

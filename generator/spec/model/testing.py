"""Seed §5: deployment testing and health checks."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    Identifier,
    Percent,
    ServiceRef,
    SpecModel,
    Text,
)


class TestEnvironment(SpecModel):
    environment: EnvironmentRef = Field(description="Environment used for testing.")
    purpose: Text = Field(description="What is tested there.")
    data: Text = Field("", description="Test data it holds, e.g. an anonymised snapshot.")


class ScenarioType(StrEnum):
    SMOKE = "smoke"
    INTEGRATION = "integration"
    END_TO_END = "end_to_end"
    LOAD = "load"
    SECURITY = "security"
    CHAOS = "chaos"


class TestScenario(SpecModel):
    name: Identifier = Field(description="Unique scenario name.")
    type: ScenarioType = Field(description="Kind of test.")
    description: Text = Field("", description="What it proves.")
    services: list[ServiceRef] = Field(min_length=1, description="Services it exercises.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Environments it runs in.")
    command: Text = Field(description="Command that runs it; exit 0 passes.")
    timeout: Duration = Field("10m", description="Longest it may take.")
    required: bool = Field(True, description="A failure blocks the deploy.")


class ValidationCriteria(SpecModel):
    """Seed ``ValidationCriteria``: when a deployment counts as good."""

    max_error_rate: Percent = Field(1.0, description="Highest acceptable error rate.")
    max_p95_latency: Duration = Field("500ms", description="Highest acceptable p95 latency.")
    min_availability: Percent = Field(99.0, description="Lowest acceptable availability.")
    observation_window: Duration = Field("10m", description="How long metrics are watched.")
    required_scenarios: list[Identifier] = Field(
        default_factory=list, description="Scenarios that must pass."
    )
    error_rate_query: Text | None = Field(
        None,
        description="PromQL giving a service's error rate in percent; `$SERVICE` and "
        "`$ENVIRONMENT` are replaced by the names. `verify.sh` compares it with "
        "`max_error_rate` for services that serve HTTP (kind `web` or `api` with a port).",
    )
    p95_latency_query: Text | None = Field(
        None,
        description="PromQL giving a service's p95 latency in seconds (`$SERVICE` and "
        "`$ENVIRONMENT` replaced); compared with `max_p95_latency` for services that serve "
        "HTTP (kind `web` or `api` with a port).",
    )
    availability_query: Text | None = Field(
        None,
        description="PromQL giving a service's availability in percent (`$SERVICE` and "
        "`$ENVIRONMENT` replaced); "
        "compared with `min_availability`.",
    )


class DeploymentTesting(SpecModel):
    """Seed §5.1 ``DeploymentTesting``."""

    test_environments: list[TestEnvironment] = Field(
        default_factory=list, description="Where tests run."
    )
    test_scenarios: list[TestScenario] = Field(default_factory=list, description="Tests.")
    validation_criteria: ValidationCriteria = Field(
        default_factory=ValidationCriteria, description="When a deployment counts as good."
    )


class HealthIndicator(SpecModel):
    """A probe that tells whether a service is healthy."""

    name: Identifier = Field(description="Unique indicator name.")
    service: ServiceRef = Field(description="Service probed.")
    type: Literal["http", "tcp", "command"] = Field(description="Probe kind.")
    path: str | None = Field(None, pattern=r"^/[^\s]*$", description="HTTP path (http).")
    port: int | None = Field(None, ge=1, le=65535, description="Port (http, tcp).")
    command: Text | None = Field(None, description="Command (command).")
    expect_status: int = Field(200, ge=100, le=599, description="Expected HTTP status.")
    interval: Duration = Field("30s", description="How often to probe.")
    timeout: Duration = Field("5s", description="Probe timeout.")
    failure_threshold: int = Field(3, ge=1, description="Failures before unhealthy.")


class MonitoringPoint(SpecModel):
    """A metric watched for a service, as a PromQL expression."""

    name: Identifier = Field(description="Unique monitoring point name.")
    service: ServiceRef = Field(description="Service it measures.")
    description: Text = Field("", description="What it measures.")
    expression: Text = Field(description="PromQL expression.")
    unit: str = Field("", description="Unit of the value, e.g. `seconds` or `percent`.")


class AlertThreshold(SpecModel):
    name: Identifier = Field(description="Unique alert name.")
    monitoring_point: Identifier = Field(description="The monitoring point compared.")
    operator: Literal["<", "<=", ">", ">="] = Field(">", description="How to compare.")
    warning: float | None = Field(None, description="Warning level.")
    critical: float | None = Field(None, description="Critical level.")
    for_: Duration = Field("5m", alias="for", description="How long before it fires.")
    summary: Text = Field("", description="One line for the alert notification.")
    warning_severity: Identifier | None = Field(
        None, description="Incident severity of the warning alert; overrides the default."
    )
    critical_severity: Identifier | None = Field(
        None, description="Incident severity of the critical alert; overrides the default."
    )


class AlertThresholds(SpecModel):
    """Seed ``AlertThresholds``."""

    evaluation_interval: Duration = Field("30s", description="Rule evaluation interval.")
    thresholds: list[AlertThreshold] = Field(default_factory=list, description="Alert levels.")
    warning_severity: Identifier | None = Field(
        None,
        description="Incident severity (operations.incident_response) of warning alerts, "
        "which picks their escalation path; default: the least severe level.",
    )
    critical_severity: Identifier | None = Field(
        None,
        description="Incident severity of critical alerts and failed probes; default: the "
        "most severe level.",
    )


class HealthCheck(SpecModel):
    """Seed §5.2 ``HealthCheck``."""

    health_indicators: list[HealthIndicator] = Field(
        default_factory=list, description="Probes per service."
    )
    monitoring_points: list[MonitoringPoint] = Field(
        default_factory=list, description="Metrics watched."
    )
    alert_thresholds: AlertThresholds = Field(
        default_factory=AlertThresholds, description="When watched metrics alert."
    )

"""The deployment-plan spec as pydantic models: one section per struct of the seed plan.

Descriptions written here feed the JSON Schema, editor hovers and the spec-reference page.
"""

from __future__ import annotations

from pydantic import Field

from generator.spec.model.configuration import ConfigurationManagement, VersionManagement
from generator.spec.model.environments import DeploymentEnvironment, EnvironmentType
from generator.spec.model.manuals import (
    DeploymentDocumentation,
    KnowledgeTransfer,
    OperationalDocumentation,
    OperationalTraining,
)
from generator.spec.model.operations import MonitoringSystem, OperationalProcedures
from generator.spec.model.process import AutomationStrategy, DeploymentFlow
from generator.spec.model.project import Project, Service
from generator.spec.model.recovery import BackupStrategy, DisasterRecovery
from generator.spec.model.security import ComplianceManagement, SecurityConfiguration
from generator.spec.model.testing import DeploymentTesting, HealthCheck
from generator.spec.model.types import EnvironmentRef, SpecModel


class DeploymentPlan(SpecModel):
    """A whole deployment plan: what is deployed, where, how, and how it is run."""

    project: Project = Field(description="The project, its teams and documentation language.")
    services: list[Service] = Field(min_length=1, description="The applications deployed.")
    environments: dict[EnvironmentRef, DeploymentEnvironment] = Field(
        min_length=1, description="Seed §2.1: environment name -> environment."
    )
    deployment_flow: DeploymentFlow | None = Field(
        None, description="Seed §3.1: stages, dependencies and validation points."
    )
    automation: AutomationStrategy | None = Field(
        None, description="Seed §3.2: CI/CD pipeline, tools and script repository."
    )
    version_management: VersionManagement | None = Field(
        None, description="Seed §4.1: version scheme, branching and release policy."
    )
    configuration_management: ConfigurationManagement = Field(
        default_factory=ConfigurationManagement,
        description="Seed §4.2: config files, environment variables and secrets.",
    )
    deployment_testing: DeploymentTesting = Field(
        default_factory=DeploymentTesting,
        description="Seed §5.1: test environments, scenarios and validation criteria.",
    )
    health_check: HealthCheck = Field(
        default_factory=HealthCheck,
        description="Seed §5.2: health indicators, monitoring points and alert thresholds.",
    )
    backup_strategy: BackupStrategy = Field(
        default_factory=BackupStrategy,
        description="Seed §6.1: backup types, schedule and retention policy.",
    )
    disaster_recovery: DisasterRecovery = Field(
        default_factory=DisasterRecovery,
        description="Seed §6.2: recovery procedures, failover strategy and recovery points.",
    )
    security: SecurityConfiguration | None = Field(
        None, description="Seed §7.1: security policies, access controls and encryption."
    )
    compliance: ComplianceManagement = Field(
        default_factory=ComplianceManagement,
        description="Seed §7.2: compliance requirements, audit trails and reporting.",
    )
    monitoring: MonitoringSystem = Field(
        default_factory=MonitoringSystem,
        description="Seed §8.1: monitoring tools, metrics collection and alerting.",
    )
    operations: OperationalProcedures = Field(
        default_factory=OperationalProcedures,
        description="Seed §8.2: maintenance, incident response and escalation paths.",
    )
    documentation: DeploymentDocumentation = Field(
        default_factory=DeploymentDocumentation,
        description="Seed §9.1: installation, configuration and troubleshooting guides.",
    )
    operational_documentation: OperationalDocumentation = Field(
        default_factory=OperationalDocumentation,
        description="Seed §9.2: operation manuals, maintenance guides, emergency procedures.",
    )
    training: OperationalTraining = Field(
        default_factory=OperationalTraining,
        description="Seed §10.1: training modules, exercises and certification.",
    )
    knowledge_transfer: KnowledgeTransfer = Field(
        default_factory=KnowledgeTransfer,
        description="Seed §10.2: knowledge base, best practices and lessons learned.",
    )

    def environments_of_type(self, kind: EnvironmentType) -> list[str]:
        """Names of the environments of one type, in spec order."""
        return [name for name, env in self.environments.items() if env.environment_type is kind]

    def service(self, name: str) -> Service:
        """The service called ``name``."""
        # Families ask per service and per dependency: a scan each time is quadratic. The
        # positions are those of this plan's list as it is now (same list, same length,
        # the name still at its position), else they are taken again.
        global _positions
        services = self.services
        held = _positions
        if held is None or held[0] is not services or held[1] != len(services):
            first: dict[str, int] = {}
            for index, service in enumerate(services):
                first.setdefault(service.name, index)
            held = _positions = (services, len(services), first)
        at = held[2].get(name)
        if at is not None and services[at].name == name:
            return services[at]
        return next(s for s in services if s.name == name)


#: The services list :meth:`DeploymentPlan.service` last indexed, its length and each
#: name's first position in it.
_positions: tuple[list[Service], int, dict[str, int]] | None = None


__all__ = ["DeploymentEnvironment", "DeploymentPlan", "EnvironmentType", "Service"]

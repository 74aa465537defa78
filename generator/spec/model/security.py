"""Seed §7: security configuration and compliance management."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    Identifier,
    RoleRef,
    SpecModel,
    TeamRef,
    Text,
)

Severity = Literal["critical", "high", "medium", "low"]


class _Policy(SpecModel):
    name: Identifier = Field(description="Unique policy name.")
    description: Text = Field("", description="Why the policy exists.")
    environments: list[EnvironmentRef] = Field(
        default_factory=list, description="Environments it applies to; empty means all."
    )


class TlsPolicy(_Policy):
    kind: Literal["tls"] = Field(description="Minimum TLS version for every endpoint.")
    min_version: Literal["1.2", "1.3"] = Field(description="Lowest TLS version accepted.")


class SecretRotationPolicy(_Policy):
    kind: Literal["secret_rotation"] = Field(description="Secrets must rotate this often.")
    max_age: Duration = Field(description="Longest a secret may live.")


class ScanningPolicy(_Policy):
    kind: Literal["dependency_scanning", "image_scanning", "secret_scanning"] = Field(
        description="Scan dependencies, container images or the repository for secrets."
    )
    fail_on: Severity = Field("high", description="Lowest severity that fails the pipeline.")


class ImageSigningPolicy(_Policy):
    kind: Literal["image_signing"] = Field(description="Images are signed and verified.")
    verify_before_deploy: bool = Field(True, description="Check the signature before deploy.")


class MfaPolicy(_Policy):
    kind: Literal["mfa"] = Field(description="Multi-factor authentication for roles.")
    roles: list[RoleRef] = Field(min_length=1, description="Roles that must use MFA.")


class SeparationOfDutiesPolicy(_Policy):
    kind: Literal["separation_of_duties"] = Field(
        description="Whoever writes a change cannot approve its production deploy."
    )


class RestoreTestingPolicy(_Policy):
    kind: Literal["restore_testing"] = Field(
        description="Every backup is restored in a scheduled test at least this often."
    )
    max_interval: Duration = Field(
        description="Longest gap between two restore tests of a backup (from its schedule)."
    )


class DrDrillPolicy(_Policy):
    kind: Literal["dr_drill"] = Field(description="Failover is rehearsed at least this often.")
    max_interval: Duration = Field(
        description="Longest gap between two DR drills (from `failover_strategy.drill_schedule`)."
    )


SecurityPolicy = Annotated[
    TlsPolicy
    | SecretRotationPolicy
    | ScanningPolicy
    | ImageSigningPolicy
    | MfaPolicy
    | SeparationOfDutiesPolicy
    | RestoreTestingPolicy
    | DrDrillPolicy,
    Field(discriminator="kind"),
]


class Permission(StrEnum):
    READ = "read"
    LOGS = "logs"
    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    APPROVE = "approve"
    EXEC = "exec"
    SECRETS_READ = "secrets_read"
    ADMIN = "admin"
    BREAK_GLASS = "break_glass"


class Role(SpecModel):
    name: Identifier = Field(description="Unique role name.")
    description: Text = Field("", description="Who holds the role.")
    teams: list[TeamRef] = Field(default_factory=list, description="Teams holding the role.")
    permissions: dict[EnvironmentRef, list[Permission]] = Field(
        description="Environment -> what the role may do there."
    )
    mfa: bool = Field(False, description="The role signs in with MFA.")


class PipelineAccess(SpecModel):
    """The CI/CD pipeline's own identity: what deploy jobs may do without a person."""

    credentials: Literal["oidc", "static"] = Field(
        "oidc",
        description="`oidc`: short-lived tokens from the CI's OIDC identity; `static`: "
        "long-lived keys stored in the CI.",
    )
    permissions: dict[EnvironmentRef, list[Permission]] = Field(
        description="Environment -> what the pipeline may do there."
    )


class AccessControls(SpecModel):
    identity_provider: str = Field(description="Where identities live, e.g. `okta`.")
    roles: list[Role] = Field(min_length=1, description="Roles and their permissions.")
    session_timeout: Duration = Field("8h", description="Longest a session lasts.")
    pipeline: PipelineAccess | None = Field(
        None, description="Permissions of the CI/CD pipeline's identity per environment."
    )


class EncryptionAtRest(SpecModel):
    enabled: bool = Field(True, description="Data at rest is encrypted.")
    algorithm: str = Field("AES-256", description="Cipher.")
    key_management: str = Field(description="Key service, e.g. `aws-kms`.")
    key_rotation: Duration = Field("365d", description="How often keys rotate.")


class EncryptionInTransit(SpecModel):
    enabled: bool = Field(True, description="Traffic is encrypted.")
    min_tls_version: Literal["1.0", "1.1", "1.2", "1.3"] = Field(
        "1.2", description="Lowest TLS version accepted; below 1.2 fails the audit."
    )
    mutual_tls: bool = Field(False, description="Services authenticate each other with mTLS.")


class EncryptionSettings(SpecModel):
    at_rest: EncryptionAtRest = Field(description="Encryption of stored data.")
    in_transit: EncryptionInTransit = Field(
        default_factory=EncryptionInTransit, description="Encryption of traffic."
    )


class SecurityConfiguration(SpecModel):
    """Seed §7.1 ``SecurityConfiguration``."""

    security_policies: list[SecurityPolicy] = Field(
        default_factory=list, description="Policies enforced by checks and pipelines."
    )
    access_controls: AccessControls = Field(description="Roles and permissions.")
    encryption_settings: EncryptionSettings | None = Field(
        None, description="Encryption at rest and in transit."
    )


class Framework(StrEnum):
    SOC2 = "soc2"
    ISO27001 = "iso27001"
    PCI_DSS = "pci_dss"
    CUSTOM = "custom"


class CustomControl(SpecModel):
    id: str = Field(pattern=r"^[A-Za-z0-9._-]+$", description="Control id.")
    title: Text = Field(description="Control title.")
    checks: list[Identifier] = Field(min_length=1, description="Checks that support it.")


class ComplianceRequirement(SpecModel):
    framework: Framework = Field(description="Framework the requirement comes from.")
    controls: list[str] = Field(
        default_factory=list, description="Control ids in scope; empty means all mapped ones."
    )
    custom_controls: list[CustomControl] = Field(
        default_factory=list, description="The team's own controls (framework `custom`)."
    )
    required: bool = Field(True, description="A failing control fails the audit.")
    audit_log_retention: Duration | None = Field(
        None, description="Audit-log retention the framework demands."
    )
    backup_retention: Duration | None = Field(
        None, description="Backup retention the framework demands."
    )


class AuditTrail(SpecModel):
    name: Identifier = Field(description="Unique name.")
    events: list[
        Literal["deployment", "rollback", "approval", "config_change", "secret_access", "login"]
    ] = Field(min_length=1, description="What is logged.")
    destination: str = Field(description="Where records go.")
    retention: Duration = Field(description="How long records are kept.")
    tamper_protection: Literal["none", "object_lock", "worm", "hash_chain"] = Field(
        "none", description="How records are protected from change."
    )


ReportFormat = Literal["html", "json", "junit", "oscal", "sarif"]


def _default_formats() -> list[ReportFormat]:
    return ["html", "json"]


class ReportingRequirements(SpecModel):
    frequency: Literal["weekly", "monthly", "quarterly", "yearly"] = Field(
        "quarterly", description="How often reports are produced."
    )
    audience: list[TeamRef] = Field(default_factory=list, description="Teams that receive them.")
    formats: list[ReportFormat] = Field(
        default_factory=_default_formats, description="Report formats."
    )


class ComplianceManagement(SpecModel):
    """Seed §7.2 ``ComplianceManagement``."""

    compliance_requirements: list[ComplianceRequirement] = Field(
        default_factory=list, description="Frameworks and controls in scope."
    )
    audit_trails: list[AuditTrail] = Field(default_factory=list, description="Audit logs kept.")
    reporting_requirements: ReportingRequirements = Field(
        default_factory=ReportingRequirements, description="Reports produced."
    )

"""Traceability: each section and operation (``fn``) of the seed plan, and what realises it.

What realises an operation is named by path patterns of generated files and by manual
pages; the page lists the files that this plan actually produces for each pattern, so it
fills in as artifact families are added.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from generator.locale import N_
from generator.targets.docs.site import Page, Site

REFERENCE = N_("Reference")


@dataclass(frozen=True)
class Operation:
    """A seed ``fn``, the section it belongs to, and what realises it."""

    name: str
    section: str
    summary: str  # a message id
    files: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("2.1", "DeploymentEnvironment", "environments"),
    ("2.2", "Infrastructure", "environments.<name>.infrastructure"),
    ("3.1", "DeploymentFlow", "deployment_flow"),
    ("3.2", "AutomationStrategy", "automation"),
    ("4.1", "VersionManagement", "version_management"),
    ("4.2", "ConfigurationManagement", "configuration_management"),
    ("5.1", "DeploymentTesting", "deployment_testing"),
    ("5.2", "HealthCheck", "health_check"),
    ("6.1", "BackupStrategy", "backup_strategy"),
    ("6.2", "DisasterRecovery", "disaster_recovery"),
    ("7.1", "SecurityConfiguration", "security"),
    ("7.2", "ComplianceManagement", "compliance"),
    ("8.1", "MonitoringSystem", "monitoring"),
    ("8.2", "OperationalProcedures", "operations"),
    ("9.1", "DeploymentDocumentation", "documentation"),
    ("9.2", "OperationalDocumentation", "operational_documentation"),
    ("10.1", "OperationalTraining", "training"),
    ("10.2", "KnowledgeTransfer", "knowledge_transfer"),
)

_DEPLOY = "services/*/deploy/*/"
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "validate_environment",
        "2.1",
        N_("Checks before a deploy"),
        (f"{_DEPLOY}preflight.sh",),
        ("reference/environments.md",),
    ),
    Operation(
        "prepare_environment",
        "2.1",
        N_("Prepares the environment"),
        (f"{_DEPLOY}prepare.sh", "environments/*/environment.yaml"),
    ),
    Operation(
        "validate_resources",
        "2.2",
        N_("Checks capacity and allocations"),
        (f"{_DEPLOY}preflight.sh",),
        ("reference/environments.md",),
    ),
    Operation(
        "allocate_resources",
        "2.2",
        N_("Requests, limits, replicas and volumes"),
        ("services/*/kubernetes/*",),
        ("reference/environments.md",),
    ),
    Operation(
        "execute_deployment",
        "3.1",
        N_("Runs the stages in order, with gates"),
        (f"{_DEPLOY}deploy.sh", "environments/*/deploy-all.sh"),
        ("overview/deployment-flow.md", "overview/dependencies.md"),
    ),
    Operation(
        "rollback_deployment",
        "3.1",
        N_("Returns to the previous release"),
        (f"{_DEPLOY}rollback.sh",),
        ("overview/deployment-flow.md",),
    ),
    Operation(
        "setup_pipeline",
        "3.2",
        N_("CI/CD pipelines per service"),
        ("*.github/workflows/*", "*.gitlab-ci.yml", "pipelines/*"),
    ),
    Operation(
        "execute_automation",
        "3.2",
        N_("Pipelines call the generated scripts"),
        ("*.github/workflows/*", "*.gitlab-ci.yml", "pipelines/*"),
    ),
    Operation(
        "create_release", "4.1", N_("Release workflow enforcing the version scheme"), ("*release*",)
    ),
    Operation(
        "manage_versions",
        "4.1",
        N_("Branching, approvals and freeze windows"),
        ("*release*",),
        ("overview/deployment-flow.md",),
    ),
    Operation(
        "apply_configuration",
        "4.2",
        N_("Config files and secrets per environment"),
        ("services/*/config/*", f"{_DEPLOY}secrets.sh"),
        ("configure/*",),
    ),
    Operation(
        "validate_configuration",
        "4.2",
        N_("Every setting and secret resolves"),
        (f"{_DEPLOY}preflight.sh",),
        ("configure/*",),
    ),
    Operation(
        "execute_tests",
        "5.1",
        N_("Runs the test scenarios"),
        (f"{_DEPLOY}verify.sh",),
        ("install/*",),
    ),
    Operation(
        "validate_deployment",
        "5.1",
        N_("Validation criteria as gates"),
        (f"{_DEPLOY}verify.sh", f"{_DEPLOY}deploy.sh"),
        ("overview/deployment-flow.md",),
    ),
    Operation(
        "check_health", "5.2", N_("Health checks"), (f"{_DEPLOY}healthcheck.sh",), ("operate/*",)
    ),
    Operation(
        "monitor_metrics",
        "5.2",
        N_("Alert rules from thresholds"),
        ("monitoring/*",),
        ("troubleshoot/*",),
    ),
    Operation(
        "perform_backup",
        "6.1",
        N_("Backup jobs and their schedules"),
        ("backups/*", "services/*/backup/*"),
        ("overview/backups.md",),
    ),
    Operation(
        "verify_backup",
        "6.1",
        N_("Scheduled restore tests"),
        ("backups/*", "services/*/backup/*"),
        ("overview/backups.md",),
    ),
    Operation(
        "execute_recovery",
        "6.2",
        N_("Failover runbook and script"),
        ("disaster-recovery/*", "dr/*"),
        ("incidents/response.md",),
    ),
    Operation(
        "test_recovery_plan",
        "6.2",
        N_("Scheduled DR drills"),
        ("disaster-recovery/*", "dr/*"),
        ("incidents/response.md",),
    ),
    Operation("apply_security", "7.1", N_("Security jobs and access controls"), ("security/*",)),
    Operation("audit_security", "7.1", N_("Security audit"), ("security/*", "compliance/*")),
    Operation(
        "verify_compliance",
        "7.2",
        N_("Compliance checks with evidence"),
        ("compliance/*",),
        ("compliance/*",),
    ),
    Operation(
        "generate_reports", "7.2", N_("Compliance reports"), ("compliance/*",), ("compliance/*",)
    ),
    Operation(
        "setup_monitoring", "8.1", N_("Scrape configuration and alert routes"), ("monitoring/*",)
    ),
    Operation("collect_metrics", "8.1", N_("Metrics collection"), ("monitoring/*",)),
    Operation(
        "execute_maintenance", "8.2", N_("Maintenance runbooks and calendar"), (), ("maintain/*",)
    ),
    Operation(
        "handle_incident", "8.2", N_("Incident response and escalation"), (), ("incidents/*",)
    ),
    Operation(
        "generate_documentation",
        "9.1",
        N_("Installation, configuration and troubleshooting guides"),
        (),
        ("install/*", "configure/*", "troubleshoot/*"),
    ),
    Operation(
        "update_documentation",
        "9.1",
        N_("Regenerated with every generate, checked by --check"),
        (),
        ("index.md",),
    ),
    Operation(
        "generate_manuals",
        "9.2",
        N_("Operation manuals, maintenance guides, emergency procedures"),
        (),
        ("operate/*", "maintain/*", "incidents/emergency/*"),
    ),
    Operation(
        "update_procedures",
        "9.2",
        N_("Regenerated with every generate, checked by --check"),
        (),
        ("operate/*",),
    ),
    Operation(
        "conduct_training",
        "10.1",
        N_("Training modules and hands-on exercises"),
        (),
        ("training/*",),
    ),
    Operation(
        "evaluate_competency",
        "10.1",
        N_("Certification and competency matrix"),
        (),
        ("training/certification.md", "training/competency.md"),
    ),
    Operation(
        "document_knowledge",
        "10.2",
        N_("Knowledge base, best practices, lessons learned"),
        (),
        ("knowledge/*",),
    ),
    Operation(
        "share_knowledge", "10.2", N_("Searchable, tagged and offline"), (), ("knowledge/tags.md",)
    ),
)


def _matching(paths: list[str], patterns: tuple[str, ...]) -> list[str]:
    """The paths any of the glob ``patterns`` matches (one compiled expression for all)."""
    if not patterns:
        return []
    expression = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
    return [p for p in paths if expression.match(p)]


def page(site: Site, docs_pages: list[str]) -> Page:
    """``reference/traceability.md``, given every page the site has."""
    outputs = sorted(str(a.path) for a in site.outputs())
    rows = [
        {
            "operation": op,
            "files": _matching(outputs, op.files),
            "pages": _matching(docs_pages, op.pages),
        }
        for op in OPERATIONS
    ]
    return site.page(
        "reference/traceability.md",
        "traceability.md.j2",
        (REFERENCE,),
        sections=[_section(site, s, rows) for s in SECTIONS],
        rows=rows,
    )


def _section(
    site: Site, section: tuple[str, str, str], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    number, struct, key = section
    top = key.split(".")[0]
    mine = [r for r in rows if r["operation"].section == number]
    files = sorted({f for r in mine for f in r["files"]})
    return {
        "number": number,
        "struct": struct,
        "key": key,
        "present": getattr(site.plan, top, None) is not None,
        "operations": [r["operation"].name for r in mine],
        "files": len(files),
        "pages": sorted({p for r in mine for p in r["pages"]}),
    }

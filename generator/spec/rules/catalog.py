"""Named things in a spec and the references between them, as JSON path patterns.

``*`` stands for any list index or mapping key, ``@`` for a mapping's keys themselves.
"""

from __future__ import annotations

# Collections of named things: (what they are called in messages, where their names are).
COLLECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "team": ("team", ("project", "teams", "*", "name")),
    "service": ("service", ("services", "*", "name")),
    "environment": ("environment", ("environments", "@")),
    "stage": ("stage", ("deployment_flow", "stages", "*", "name")),
    "validation_point": ("validation point", ("deployment_flow", "validation_points", "*", "name")),
    "role": ("role", ("security", "access_controls", "roles", "*", "name")),
    "secret": (
        "secret",
        ("configuration_management", "secrets_management", "secrets", "*", "name"),
    ),
    "config_file": ("config file", ("configuration_management", "config_files", "*", "name")),
    "variable": (
        "environment variable",
        ("configuration_management", "environment_variables", "*", "name"),
    ),
    "scenario": ("test scenario", ("deployment_testing", "test_scenarios", "*", "name")),
    "indicator": ("health indicator", ("health_check", "health_indicators", "*", "name")),
    "monitoring_point": ("monitoring point", ("health_check", "monitoring_points", "*", "name")),
    "alert": ("alert threshold", ("health_check", "alert_thresholds", "thresholds", "*", "name")),
    "backup": ("backup", ("backup_strategy", "backup_types", "*", "name")),
    "recovery_procedure": (
        "recovery procedure",
        ("disaster_recovery", "recovery_procedures", "*", "name"),
    ),
    "recovery_point": ("recovery point", ("disaster_recovery", "recovery_points", "*", "name")),
    "receiver": ("receiver", ("monitoring", "alerting_system", "receivers", "*", "name")),
    "maintenance": ("maintenance procedure", ("operations", "maintenance_procedures", "*", "name")),
    "severity": (
        "severity level",
        ("operations", "incident_response", "severity_levels", "*", "name"),
    ),
    "escalation": ("escalation path", ("operations", "escalation_paths", "*", "name")),
    "installation_guide": (
        "installation guide",
        ("documentation", "installation_guides", "*", "name"),
    ),
    "configuration_guide": (
        "configuration guide",
        ("documentation", "configuration_guides", "*", "name"),
    ),
    "troubleshooting_guide": (
        "troubleshooting guide",
        ("documentation", "troubleshooting_guides", "*", "name"),
    ),
    "operation_manual": (
        "operation manual",
        ("operational_documentation", "operation_manuals", "*", "name"),
    ),
    "maintenance_guide": (
        "maintenance guide",
        ("operational_documentation", "maintenance_guides", "*", "name"),
    ),
    "emergency_procedure": (
        "emergency procedure",
        ("operational_documentation", "emergency_procedures", "*", "name"),
    ),
    "module": ("training module", ("training", "training_modules", "*", "name")),
    "exercise": ("exercise", ("training", "hands_on_exercises", "*", "name")),
    "audit_trail": ("audit trail", ("compliance", "audit_trails", "*", "name")),
    "freeze_window": (
        "freeze window",
        ("version_management", "release_policy", "freeze_windows", "*", "name"),
    ),
}

_ENV = ("environments", "*", "infrastructure")
# Where references are: (path pattern, collection it must name). `*` is any list index or
# mapping key, `@` is a mapping's keys themselves.
REFERENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("project", "owner"), "team"),
    (("services", "*", "owner"), "team"),
    (("services", "*", "targets", "@"), "environment"),
    ((*_ENV, "compute_resources", "allocations", "@"), "service"),
    ((*_ENV, "network_configuration", "ingresses", "*", "service"), "service"),
    ((*_ENV, "storage_requirements", "volumes", "*", "service"), "service"),
    ((*_ENV, "storage_requirements", "buckets", "*", "service"), "service"),
    (("deployment_flow", "stages", "*", "depends_on", "*"), "stage"),
    (("deployment_flow", "stages", "*", "environments", "*"), "environment"),
    (("deployment_flow", "dependencies", "*", "service"), "service"),
    (("deployment_flow", "validation_points", "*", "after_stage"), "stage"),
    (("version_management", "release_policy", "approvals", "*", "environment"), "environment"),
    (("version_management", "release_policy", "approvals", "*", "approvers", "*"), "role"),
    (
        ("version_management", "release_policy", "freeze_windows", "*", "environments", "*"),
        "environment",
    ),
    (("configuration_management", "config_files", "*", "service"), "service"),
    (("configuration_management", "config_files", "*", "overrides", "@"), "environment"),
    (("configuration_management", "environment_variables", "*", "secret"), "secret"),
    (("configuration_management", "environment_variables", "*", "services", "*"), "service"),
    (
        ("configuration_management", "environment_variables", "*", "overrides", "@"),
        "environment",
    ),
    (
        ("configuration_management", "secrets_management", "secrets", "*", "services", "*"),
        "service",
    ),
    (("deployment_testing", "test_environments", "*", "environment"), "environment"),
    (("deployment_testing", "test_scenarios", "*", "services", "*"), "service"),
    (("deployment_testing", "test_scenarios", "*", "environments", "*"), "environment"),
    (("deployment_testing", "validation_criteria", "required_scenarios", "*"), "scenario"),
    (("health_check", "health_indicators", "*", "service"), "service"),
    (("health_check", "monitoring_points", "*", "service"), "service"),
    (
        ("health_check", "alert_thresholds", "thresholds", "*", "monitoring_point"),
        "monitoring_point",
    ),
    (("backup_strategy", "backup_types", "*", "service"), "service"),
    (("backup_strategy", "backup_types", "*", "environments", "*"), "environment"),
    (("backup_strategy", "backup_types", "*", "encryption_key"), "secret"),
    (("backup_strategy", "schedule", "jobs", "*", "backup"), "backup"),
    (("backup_strategy", "schedule", "restore_tests", "*", "backup"), "backup"),
    (("disaster_recovery", "recovery_procedures", "*", "owner"), "role"),
    (("disaster_recovery", "failover_strategy", "primary"), "environment"),
    (("disaster_recovery", "failover_strategy", "secondary"), "environment"),
    (("disaster_recovery", "recovery_points", "*", "service"), "service"),
    (("disaster_recovery", "recovery_points", "*", "backups", "*"), "backup"),
    (("security", "security_policies", "*", "environments", "*"), "environment"),
    (("security", "security_policies", "*", "roles", "*"), "role"),
    (("security", "access_controls", "roles", "*", "teams", "*"), "team"),
    (("security", "access_controls", "roles", "*", "permissions", "@"), "environment"),
    (("compliance", "reporting_requirements", "audience", "*"), "team"),
    (("monitoring", "metrics_collection", "targets", "*", "service"), "service"),
    (("monitoring", "alerting_system", "receivers", "*", "credentials"), "secret"),
    (("monitoring", "alerting_system", "default_receiver"), "receiver"),
    (("operations", "maintenance_procedures", "*", "environments", "*"), "environment"),
    (("operations", "maintenance_procedures", "*", "services", "*"), "service"),
    (("operations", "maintenance_procedures", "*", "owner"), "team"),
    (("operations", "escalation_paths", "*", "services", "*"), "service"),
    (("operations", "escalation_paths", "*", "severities", "*"), "severity"),
    (("operations", "escalation_paths", "*", "levels", "*", "notify"), "team_or_role"),
    (("operations", "escalation_paths", "*", "levels", "*", "receiver"), "receiver"),
    (("documentation", "*", "*", "services", "*"), "service"),
    (("documentation", "installation_guides", "*", "environments", "*"), "environment"),
    (("operational_documentation", "operation_manuals", "*", "service"), "service"),
    (
        ("operational_documentation", "operation_manuals", "*", "environments", "*"),
        "environment",
    ),
    (("operational_documentation", "maintenance_guides", "*", "procedure"), "maintenance"),
    (("operational_documentation", "emergency_procedures", "*", "severity"), "severity"),
    (("operational_documentation", "emergency_procedures", "*", "contacts", "*"), "team"),
    (("training", "training_modules", "*", "audience", "*"), "role"),
    (("training", "training_modules", "*", "prerequisites", "*"), "module"),
    (("training", "hands_on_exercises", "*", "module"), "module"),
    (("training", "hands_on_exercises", "*", "environment"), "environment"),
    (("training", "certification_requirements", "roles", "*", "role"), "role"),
    (("training", "certification_requirements", "roles", "*", "modules", "*"), "module"),
    (("training", "certification_requirements", "roles", "*", "exercises", "*"), "exercise"),
    (("training", "certification_requirements", "roles", "*", "assessor"), "role"),
    (("knowledge_transfer", "lessons_learned", "*", "severity"), "severity"),
    (("knowledge_transfer", "lessons_learned", "*", "services", "*"), "service"),
    (("knowledge_transfer", "lessons_learned", "*", "action_items", "*", "owner"), "team"),
)

"""The rules about running the system: configuration, backups, recovery and alerting."""

from __future__ import annotations

from generator.spec.rules import alerting, backups, configuration, recovery

OPERABILITY_RULES = (
    configuration.variable_sources,
    configuration.config_paths,
    configuration.config_entries,
    configuration.secret_locations,
    configuration.secret_rotation,
    backups.backup_repositories,
    backups.backup_encryption,
    backups.backup_chains,
    backups.backups_scheduled,
    recovery.recovery_point_protection,
    recovery.rpo_schedules,
    recovery.replication_environments,
    recovery.rto_budget,
    recovery.failover_environment,
    recovery.retention_covers_compliance,
    alerting.threshold_levels,
    alerting.receiver_settings,
    alerting.non_paging_receiver,
    alerting.escalation_pagers,
    alerting.rotations,
    alerting.slo_indicators,
)

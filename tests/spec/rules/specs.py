"""A small spec with backups, recovery, secrets and alerting, to vary one setting at a time."""

from __future__ import annotations

from string import Template

SPEC = """\
project:
  name: shop
  description: A shop.
  owner: ops
  teams:
    - name: ops
services:
  - name: orders-db
    description: PostgreSQL.
    kind: database
    owner: ops
    port: 5432
    targets:
      staging: {engine: systemd, hosts: [pg-1.staging.example.com]}
      production: {engine: systemd, hosts: [pg-1.example.com]}
      dr: {engine: systemd, hosts: [pg-1.dr.example.com]}
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: vms
        node_pools: [{name: pg, count: 1, cpu: "2", memory: 8Gi}]
  production:
    extends: staging
    environment_type: production
  dr:
    extends: production
    environment_type: disaster_recovery
configuration_management:
  secrets_management:
    provider: vault
    secrets:
      - {name: backup-password, path: backup/restic, key: password, rotation: 30d}
backup_strategy:
  backup_types:
    - name: orders_db_nightly
      kind: logical
      engine: pg_dump
      service: orders-db
      environments: [production]
      source: orders
      repository: /srv/backups/orders
      encryption_key: backup-password
    - name: orders_files
      kind: snapshot
      engine: restic
      service: orders-db
      environments: [production]
      source: /var/lib/orders
      repository: /srv/backups/files
      encryption_key: backup-password
  schedule:
    timezone: $timezone
    jobs:
      - {backup: orders_db_nightly, cron: "$cron"}
$extra_jobs    restore_tests:
      - {backup: orders_db_nightly, cron: "0 5 * * 1"}
      - {backup: orders_files, cron: "0 6 * * 1"}
  retention_policy:
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 12
disaster_recovery:
  recovery_procedures:
    - {name: promote, description: Promote the standby., duration: $first, owner: sre}
    - {name: switch, description: Switch DNS., duration: $second, owner: sre}
  failover_strategy:
    type: active_passive
    primary: production
    secondary: $secondary
  recovery_points:
    - name: orders_data
      service: orders-db
      backups: [$point_backups]
      rpo: $rpo
      rto: $rto
security:
  access_controls:
    identity_provider: okta
    roles:
      - {name: sre, teams: [ops], permissions: {production: [read]}}
compliance:
  compliance_requirements:
    - framework: iso27001
      backup_retention: $compliance_retention
"""


def spec_with(
    *,
    rpo: str = "1d",
    cron: str = "0 2 * * *",
    rto: str = "1h",
    durations: tuple[str, str] = ("10m", "5m"),
    secondary: str = "dr",
    timezone: str = "UTC",
    extra_jobs: str = '      - {backup: orders_files, cron: "0 3 * * *"}\n',
    point_backups: str = "orders_db_nightly",
    compliance_retention: str = "30d",
) -> str:
    """The spec above with the given settings."""
    return Template(SPEC).substitute(
        rpo=rpo,
        cron=cron,
        rto=rto,
        first=durations[0],
        second=durations[1],
        secondary=secondary,
        timezone=timezone,
        extra_jobs=extra_jobs,
        compliance_retention=compliance_retention,
        point_backups=point_backups,
    )


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing ``needle``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]

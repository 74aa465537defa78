"""Continuous protection as recovery points: a PostgreSQL standby and a MirrorMaker 2
mirror count against the RPO and for backup coverage, and the DR runbook fails them over."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.compliance import Status
from generator.targets import recovery
from tests.compliance.helpers import audit
from tests.conftest import ROOT, run_cli
from tests.targets.operations_helpers import render_family

SPEC = """\
project:
  name: shop
  description: A shop.
  owner: ops
  docs_language: {language}
  teams: [{{name: ops}}]
services:
  - name: orders-db
    description: The orders database.
    kind: database
    owner: ops
    stores_data: true
    targets:
      production: {{engine: managed, managed_service: aws-rds-postgresql}}
      dr: {{engine: managed, managed_service: aws-rds-postgresql}}
  - name: events
    description: Kafka.
    kind: queue
    owner: ops
    stores_data: true
    targets:
      production: {{engine: managed, managed_service: aws-msk}}
      dr: {{engine: managed, managed_service: aws-msk}}
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: aws
        node_pools: [{{name: a, count: 1, cpu: "1", memory: 1Gi}}]
  dr:
    extends: production
    environment_type: disaster_recovery
security:
  access_controls:
    identity_provider: okta
    roles: [{{name: sre, teams: [ops], permissions: {{dr: [deploy]}}}}]
disaster_recovery:
  recovery_procedures:
    - {{name: declare, description: Declare the disaster., duration: 5m, owner: sre}}
  recovery_points:
    - name: orders
      service: orders-db
      rpo: 1m
      rto: 1h
      continuous:
        - kind: streaming_replication
          source: production
          target: dr
          max_lag: {lag}
          standby_host: orders-db.dr.example.com
          slot: dr_standby
    - name: order_events
      service: events
      rpo: 5m
      rto: 1h
      continuous:
        - kind: mirroring
          source: production
          target: dr
          max_lag: 2m
          source_alias: primary
          consumer_groups: [billing]
"""


def _spec(tmp_path: Path, language: str = "en", lag: str = "30s") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(language=language, lag=lag), encoding="utf-8")
    return path


def test_a_standby_within_the_rpo_needs_no_backup_schedule(tmp_path: Path) -> None:
    assert run_cli("validate", str(_spec(tmp_path))).exit_code == 0


def test_a_standby_lagging_more_than_the_rpo_is_reported(tmp_path: Path) -> None:
    result = run_cli("validate", str(_spec(tmp_path, lag="2m")))
    assert result.exit_code == 1
    assert (
        "spec.yaml:50:20: error[rpo-exceeded]: streaming_replication to `dr` restores to a "
        "point at most 2m old, longer than the RPO of 1m of recovery point `orders`"
    ) in result.output


def test_replicated_data_counts_as_backed_up(tmp_path: Path) -> None:
    report = audit(_spec(tmp_path).read_text())
    coverage = next(r for r in report.checks if r.check == "backup_coverage")
    assert coverage.status is Status.PASS
    notes = [str(e.note) for e in coverage.evidence]
    assert notes == [
        "`orders-db` is backed up or continuously replicated in production",
        "`events` is backed up or continuously replicated in production",
    ]


def test_the_runbook_fails_the_standby_and_the_mirror_over(tmp_path: Path) -> None:
    files = render_family(recovery.plan, _spec(tmp_path), tmp_path / "out")
    page = files["operations/disaster-recovery/dr.md"].read_text()
    assert (
        "| <code>orders</code> | <code>orders-db</code> | 1m | continuous, lag at most 30s "
        "| continuous | none | 1h |"
    ) in page
    assert "### orders: PostgreSQL standby\n\nThe primary database of" in page
    assert (
        "3. Promote the standby: run <code>SELECT pg_promote();</code> on "
        "<code>orders-db.dr.example.com</code>, then check that "
        "<code>SELECT pg_is_in_recovery();</code> returns false.\n"
    ) in page
    assert "<code>SELECT pg_drop_replication_slot('dr_standby');</code>" in page
    assert "### order_events: Kafka MirrorMaker 2\n" in page
    assert "3. Move the consumer groups <code>billing</code> to the target cluster" in page
    assert "(named with the prefix <code>primary.</code>)" in page
    assert (
        "- <code>order_events</code>: RPO 5m, RTO 1h; replicated continuously, lag at most 2m\n"
    ) in page


@pytest.mark.parametrize("language", ["ja"])
def test_the_japanese_runbook_has_the_same_steps(tmp_path: Path, language: str) -> None:
    files = render_family(recovery.plan, _spec(tmp_path, language), tmp_path / "out")
    page = files["operations/disaster-recovery/dr.md"].read_text()
    assert "## 継続的保護" in page
    assert "### orders: PostgreSQL スタンバイ" in page
    assert (
        "3. スタンバイを昇格します。<code>orders-db.dr.example.com</code> で "
        "<code>SELECT pg_promote();</code> を実行し"
    ) in page


def test_the_runbook_restores_a_managed_database_in_the_dr_region(tmp_path: Path) -> None:
    example = ROOT / "specs" / "examples" / "gitops.yaml"
    files = render_family(recovery.plan, example, tmp_path / "out")
    page = files["operations/disaster-recovery/dr.md"].read_text()
    assert (
        "### tracking_data: Amazon RDS point-in-time recovery\n\n"
        "The provider keeps the database of <code>tracking-db</code> restorable to any point "
        "of the last 14d and archives its transaction log every 5m (backup "
        "<code>tracking_db_pitr</code>).\n\n"
        "1. Look up the newest restorable time with <code>aws rds "
        "describe-db-instance-automated-backups --region eu-central-1 "
        "--db-instance-identifier parcel-production</code>: what lies after it is what the "
        "failover loses, normally under 5m.\n"
        "2. Restore the newest point into this region: <code>aws rds "
        "restore-db-instance-to-point-in-time --region eu-central-1 "
        '--source-db-instance-automated-backups-arn "&#36;AUTOMATED_BACKUPS_ARN" '
        "--target-db-instance-identifier parcel-production-dr "
        "--use-latest-restorable-time</code>.\n"
    ) in page

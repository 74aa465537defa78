"""A managed database's own point-in-time recovery, declared as a backup: counted by the RPO
rule, checked and restore-tested through the provider's CLI.

The provider APIs (Amazon RDS, Cloud SQL, Azure) cannot run on this machine, so ``aws``,
``gcloud`` and ``psql`` are stand-ins that answer like the real CLIs and record their
arguments; the scripts, jq and bash around them are real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.targets import backups
from tests.conftest import run_cli
from tests.targets.operations_helpers import fake_tool, render_family, run, shellcheck

SPEC = """\
project: {name: shop, description: A shop., owner: ops, teams: [{name: ops}]}
services:
  - name: orders-db
    description: The orders database, run by the provider.
    kind: database
    owner: ops
    stores_data: true
    port: 5432
    targets:
      production: {engine: managed, managed_service: aws-rds-postgresql}
environments:
  production:
    environment_type: production
    region: eu-central-1
    infrastructure:
      compute_resources:
        platform: aws
        node_pools: [{name: a, count: 1, cpu: "1", memory: 1Gi}]
configuration_management:
  secrets_management:
    provider: ci
    secrets:
      - {name: orders-db-password, path: ORDERS_DB_PASSWORD, rotation: 30d}
backup_strategy:
  backup_types:
    - name: orders_pitr
      kind: full
      engine: provider_pitr
      provider: PROVIDER
      service: orders-db
      environments: [production]
      source: shop-orders
      retention: 7d
      log_interval: LOG_INTERVAL
      user: restore_check
      credentials: orders-db-password
      expect_tables: [orders, order_lines]
  schedule:
    jobs:
      - {backup: orders_pitr, cron: "15 * * * *"}
    restore_tests:
      - {backup: orders_pitr, cron: "0 4 * * 1"}
disaster_recovery:
  recovery_points:
    - {name: orders, service: orders-db, backups: [orders_pitr], rpo: 15m, rto: 1h}
"""
FOLDER = "services/orders-db/backup/production/"

AWS = """\
case "$1 $2" in
  "rds describe-db-instances")
    if [[ "$*" == *restore-test* ]]; then
      echo '{"DBInstances":[{"Endpoint":{"Address":"copy.example.internal"}}]}'
    else
      printf '{"DBInstances":[{"BackupRetentionPeriod":%s,"LatestRestorableTime":"%s"}]}' \
        "$FAKE_RETENTION" "$FAKE_LATEST"
    fi ;;
  "rds restore-db-instance-to-point-in-time") echo '{}' ;;
  "rds wait") exit "${FAKE_WAIT_FAILS:-0}" ;;
  "rds delete-db-instance") echo '{}' ;;
esac
"""
PSQL = 'printf "PGPASSWORD=%s\\n" "$PGPASSWORD" >> "$FAKE_LOG"\necho "${FAKE_ROWS:-42}"'


def _spec(tmp_path: Path, provider: str = "aws_rds", log_interval: str = "5m") -> Path:
    text = SPEC.replace("PROVIDER", provider).replace("LOG_INTERVAL", log_interval)
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def scripts(tmp_path: Path) -> dict[str, Path]:
    return render_family(backups.plan, _spec(tmp_path), tmp_path / "out")


def _run(script: Path, tmp_path: Path, **extra: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout and stderr together, and the stand-ins' calls."""
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "aws", AWS)
    fake_tool(bin_dir, "psql", PSQL)
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    latest = (datetime.now(UTC) - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_LOG": str(log),
        "FAKE_RETENTION": "7",
        "FAKE_LATEST": latest,
        "ORDERS_DB_PASSWORD": "from-ci",
        "DEPLOYPLAN_SCRATCH_ID": "shop-orders-restore-test-1",
        "DEPLOYPLAN_LOCK_DIR": str(tmp_path),
        **extra,
    }
    result = run(script, env=env)
    calls = log.read_text().splitlines() if log.exists() else []
    return result.returncode, result.stdout + result.stderr, calls


def test_a_recovery_point_counts_the_log_interval_not_a_schedule(tmp_path: Path) -> None:
    assert run_cli("validate", str(_spec(tmp_path))).exit_code == 0
    result = run_cli("validate", str(_spec(tmp_path, log_interval="30m")))
    assert result.exit_code == 1
    assert (
        "error[rpo-exceeded]: `orders_pitr` restores to a point at most 30m old, longer than "
        "the RPO of 15m of recovery point `orders`"
    ) in result.output


def test_provider_pitr_needs_its_provider_and_retention(tmp_path: Path) -> None:
    text = _spec(tmp_path).read_text().replace("      retention: 7d\n", "")
    (tmp_path / "spec.yaml").write_text(text.replace("      provider: aws_rds\n", ""))
    result = run_cli("validate", str(tmp_path / "spec.yaml"))
    assert result.exit_code == 1
    assert "error[backup-pitr]: provider_pitr backup `orders_pitr` needs `provider`" in (
        result.output
    )
    assert "needs `retention`" in result.output


def test_the_check_passes_while_the_provider_keeps_the_log(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    code, stderr, calls = _run(scripts[FOLDER + "orders_pitr.sh"], tmp_path)
    assert code == 0, stderr
    assert calls == [
        "aws rds describe-db-instances --db-instance-identifier shop-orders "
        "--region eu-central-1 --output json"
    ]
    assert "point-in-time recovery of shop-orders is on, 7 days back" in stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"FAKE_RETENTION": "0"}, "point-in-time recovery of shop-orders is off"),
        ({"FAKE_RETENTION": "3"}, "shop-orders keeps 3 days of backups, the plan counts on 7"),
        ({"FAKE_LATEST": "2020-01-01T00:00:00Z"}, "the newest restorable point of shop-orders"),
    ],
)
def test_the_check_fails_when_the_provider_falls_short(
    scripts: dict[str, Path], tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    code, stderr, _ = _run(scripts[FOLDER + "orders_pitr.sh"], tmp_path, **extra)
    assert code == 1
    assert message in stderr


def test_the_restore_test_restores_counts_rows_and_deletes_the_copy(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    code, stderr, calls = _run(scripts[FOLDER + "orders_pitr-verify.sh"], tmp_path)
    assert code == 0, stderr
    assert (
        "restore test passed: orders_pitr orders-db/production restored to its newest point "
        "as shop-orders-restore-test-1"
    ) in stderr
    region = "--region eu-central-1"
    copy = "shop-orders-restore-test-1"
    psql = "psql host=copy.example.internal port=5432 user=restore_check dbname=orders_db"
    assert calls == [
        f"aws rds restore-db-instance-to-point-in-time {region} --source-db-instance-identifier "
        f"shop-orders --target-db-instance-identifier {copy} --use-latest-restorable-time "
        "--no-publicly-accessible --no-multi-az --tags Key=deployplan,Value=restore-test",
        f"aws rds wait db-instance-available {region} --db-instance-identifier {copy}",
        f"aws rds describe-db-instances {region} --db-instance-identifier {copy} --output json",
        f"{psql} sslmode=require --no-psqlrc --tuples-only --no-align --command "
        "SELECT count(*) FROM orders",
        "PGPASSWORD=from-ci",
        f"{psql} sslmode=require --no-psqlrc --tuples-only --no-align --command "
        "SELECT count(*) FROM order_lines",
        "PGPASSWORD=from-ci",
        f"aws rds delete-db-instance {region} --db-instance-identifier {copy} "
        "--skip-final-snapshot --delete-automated-backups",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"FAKE_ROWS": "0"}, "orders is empty in the restored copy"),
        ({"FAKE_WAIT_FAILS": "255"}, "the provider did not restore shop-orders"),
    ],
)
def test_a_failed_restore_test_still_deletes_the_copy(
    scripts: dict[str, Path], tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    code, stderr, calls = _run(scripts[FOLDER + "orders_pitr-verify.sh"], tmp_path, **extra)
    assert code == 1
    assert f"RESTORE TEST FAILED: {message}" in stderr
    assert calls[-1].startswith("aws rds delete-db-instance")


GCLOUD = """\
case "$1 $2 $3" in
  "sql instances describe") echo '{"ipAddresses":[{"ipAddress":"10.1.2.3"}]}' ;;
esac
"""


def test_cloud_sql_clones_to_a_point_in_time_and_deletes_the_clone(tmp_path: Path) -> None:
    files = render_family(backups.plan, _spec(tmp_path, "gcp_cloudsql"), tmp_path / "out")
    fake_tool(tmp_path / "bin", "gcloud", GCLOUD)
    code, output, calls = _run(files[FOLDER + "orders_pitr-verify.sh"], tmp_path)
    assert code == 0, output
    copy = "shop-orders-restore-test-1"
    assert calls[0].startswith(f"gcloud sql instances clone shop-orders {copy} --point-in-time ")
    assert calls[1] == f"gcloud sql instances describe {copy} --format=json"
    assert calls[2].startswith("psql host=10.1.2.3 port=5432 user=restore_check")
    assert calls[-1] == f"gcloud sql instances delete {copy} --quiet"


def test_the_scripts_are_shellcheck_clean(scripts: dict[str, Path]) -> None:
    names = ("orders_pitr.sh", "orders_pitr-verify.sh")
    result = shellcheck([scripts[FOLDER + name] for name in names])
    assert result.returncode == 0, result.stdout

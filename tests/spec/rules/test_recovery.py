"""Recovery rules: backup schedules against RPOs, procedures against RTOs, a DR
environment to fail over to, retention against compliance."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec.validate import validate_file
from tests.conftest import ROOT
from tests.spec.rules.findings import at, findings
from tests.spec.rules.specs import spec_with


def test_an_hourly_rpo_with_a_daily_schedule_fails_at_both_lines(tmp_path: Path) -> None:
    text = spec_with(rpo="1h", cron="0 2 * * *")
    [finding] = findings(tmp_path, text, "rpo-exceeded")
    assert finding.message == (
        "backups of recovery point `orders_data` run up to 1d apart, longer than its RPO of 1h"
    )
    assert finding.location == at(text, '"0 2 * * *"')
    assert finding.notes == (("the RPO is set here", at(text, "rpo: 1h", "1h")),)
    assert finding.hint == (
        "run `orders_db_nightly` at least every 1h (`0 * * * *`), or raise the RPO"
    )


@pytest.mark.parametrize(
    ("rpo", "cron"), [("1h", "0 * * * *"), ("15m", "*/15 * * * *"), ("1d", "0 2 * * *")]
)
def test_a_schedule_that_meets_the_rpo_passes(tmp_path: Path, rpo: str, cron: str) -> None:
    assert findings(tmp_path, spec_with(rpo=rpo, cron=cron), "rpo-exceeded") == []


def test_runs_of_every_backup_of_a_recovery_point_count_together(tmp_path: Path) -> None:
    text = spec_with(
        rpo="6h",
        cron="0 2 * * *",
        extra_jobs='      - {backup: orders_files, cron: "0 */6 * * *"}\n',
        point_backups="orders_db_nightly, orders_files",
    )
    assert findings(tmp_path, text, "rpo-exceeded") == []
    alone = text.replace("orders_db_nightly, orders_files", "orders_db_nightly")
    assert len(findings(tmp_path, alone, "rpo-exceeded")) == 1


def test_a_weekday_only_schedule_has_a_weekend_gap(tmp_path: Path) -> None:
    text = spec_with(rpo="1d", cron="0 2 * * 1-5")
    [finding] = findings(tmp_path, text, "rpo-exceeded")
    assert finding.message == (
        "backups of recovery point `orders_data` run up to 3d apart, longer than its RPO of 1d"
    )


def test_a_daylight_saving_change_lengthens_the_gap(tmp_path: Path) -> None:
    text = spec_with(rpo="1d", cron="30 2 * * *", timezone="Europe/Berlin")
    [finding] = findings(tmp_path, text, "rpo-exceeded")
    assert finding.message == (
        "backups of recovery point `orders_data` run up to 1d1h apart, longer than its RPO of 1d"
    )


def test_a_recovery_point_without_scheduled_backups_is_an_error(tmp_path: Path) -> None:
    text = spec_with(rpo="1d", cron="0 2 * * *").replace(
        "      - {backup: orders_db_nightly, cron:", "      - {backup: orders_files, cron:"
    )
    [finding] = findings(tmp_path, text, "rpo-unscheduled")
    assert finding.message == (
        "recovery point `orders_data` is protected by `orders_db_nightly`, but no job in "
        "backup_strategy.schedule.jobs runs them"
    )
    assert finding.location == at(text, "backups: [orders_db_nightly]", "[")
    assert finding.notes == (("the backup jobs are scheduled here", at(text, "jobs:")),)


def test_procedures_longer_than_the_rto_fail_at_both_lines(tmp_path: Path) -> None:
    text = spec_with(rto="30m", durations=("20m", "15m"))
    [finding] = findings(tmp_path, text, "rto-exceeded")
    assert finding.message == (
        "the 2 recovery procedures take 35m one after the other, longer than the RTO of "
        "recovery point `orders_data` (30m)"
    )
    assert finding.location == at(text, "rto: 30m", "30m")
    assert finding.notes == (
        (
            "the durations of these procedures add up to 35m",
            at(text, "recovery_procedures:"),
        ),
    )


def test_procedures_within_the_rto_pass(tmp_path: Path) -> None:
    assert findings(tmp_path, spec_with(rto="35m", durations=("20m", "15m")), "rto-exceeded") == []


def test_failover_to_an_environment_that_is_not_for_disaster_recovery(tmp_path: Path) -> None:
    text = spec_with(secondary="staging")
    [finding] = findings(tmp_path, text, "failover-environment")
    assert finding.message == (
        "failover goes to `staging`, a staging environment; the secondary must be a "
        "disaster_recovery environment"
    )
    assert finding.location == at(text, "secondary: staging", "staging")
    assert finding.notes == (
        (
            "`staging` is a staging environment here",
            at(text, "environment_type: staging", "staging"),
        ),
    )
    assert finding.hint == "fail over to `dr`, the disaster_recovery environment"


def test_failover_without_any_disaster_recovery_environment(tmp_path: Path) -> None:
    text = spec_with(secondary="staging").replace(
        "environment_type: disaster_recovery", "environment_type: staging"
    )
    [finding] = findings(tmp_path, text, "failover-environment")
    assert finding.hint == (
        "add an environment with `environment_type: disaster_recovery` (it can `extends: "
        "production`)"
    )


def test_retention_shorter_than_compliance_requires(tmp_path: Path) -> None:
    text = spec_with(compliance_retention="400d")
    [finding] = findings(tmp_path, text, "retention-too-short")
    assert finding.message == (
        "the retention policy keeps backups for about 360d, less than the 400d that "
        "iso27001 requires"
    )
    assert finding.location == at(text, "retention_policy:")
    assert finding.notes == (
        ("iso27001 requires 400d here", at(text, "backup_retention: 400d", "400d")),
    )


def test_retention_that_covers_compliance_passes(tmp_path: Path) -> None:
    assert findings(tmp_path, spec_with(compliance_retention="360d"), "retention-too-short") == []


def test_the_shipped_example_meets_its_rpos_and_rtos() -> None:
    result = validate_file(ROOT / "specs" / "deployplan.yaml", "deployplan.yaml")
    codes = {"rpo-exceeded", "rpo-unscheduled", "rto-exceeded", "failover-environment"}
    assert [d for d in result.diagnostics if d.code in codes] == []


def test_the_base_spec_of_these_tests_is_valid(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_with())
    # other areas' warnings may come and go; an error would make every test here moot
    assert validate_file(spec, "spec.yaml").errors == []

"""Backup rules: repositories that fit the engine, encryption keys, base-backup chains,
a schedule and a restore test for every backup."""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Severity
from tests.spec.rules.findings import at, findings
from tests.spec.rules.specs import spec_with


def test_a_restic_stored_backup_needs_a_restic_repository(tmp_path: Path) -> None:
    text = spec_with().replace("repository: /srv/backups/orders", "repository: orders-bucket")
    [finding] = findings(tmp_path, text, "backup-repository")
    assert finding.message == "`orders-bucket` is not a restic repository"
    assert finding.location == at(text, "repository: orders-bucket", "orders-bucket")


def test_restic_backs_up_an_absolute_path(tmp_path: Path) -> None:
    text = spec_with().replace("source: /var/lib/orders", "source: var/lib/orders")
    [finding] = findings(tmp_path, text, "backup-source")
    assert finding.message == (
        "restic backs up a directory, and `var/lib/orders` is not an absolute path"
    )


def test_a_restic_repository_needs_its_password(tmp_path: Path) -> None:
    text = spec_with().replace(
        "      repository: /srv/backups/files\n      encryption_key: backup-password\n",
        "      repository: /srv/backups/files\n",
    )
    [finding] = findings(tmp_path, text, "backup-encryption")
    assert finding.message == (
        "backup `orders_files` is stored in a restic repository, which is always encrypted, "
        "but it names no encryption_key"
    )
    assert finding.location == at(text, "- name: orders_files", "orders_files")


def test_an_incremental_base_backup_needs_a_full_base(tmp_path: Path) -> None:
    text = spec_with().replace(
        "      kind: logical\n      engine: pg_dump\n",
        "      kind: incremental\n      engine: pg_basebackup\n",
    )
    [finding] = findings(tmp_path, text, "backup-base")
    assert finding.message == (
        "an incremental pg_basebackup builds on a full one, and `orders_db_nightly` names none"
    )
    chained = text.replace(
        "      encryption_key: backup-password\n    - name: orders_files",
        "      encryption_key: backup-password\n      base: orders_files\n    - name: orders_files",
    )
    [finding] = findings(tmp_path, chained, "backup-base")
    assert finding.message == "`orders_files` is not a full pg_basebackup of `orders-db`"
    assert finding.location == at(chained, "base: orders_files", "orders_files")


def test_an_untested_backup_is_a_warning(tmp_path: Path) -> None:
    text = spec_with().replace('      - {backup: orders_files, cron: "0 6 * * 1"}\n', "")
    [finding] = findings(tmp_path, text, "backup-untested")
    assert finding.severity is Severity.WARNING
    assert finding.message == "backup `orders_files` has no scheduled restore test"

"""The backups family: a real restic round trip, restore tests that pass and fail, and
the schedule as crontab, systemd units and CronJobs checked by their own tools."""

from __future__ import annotations

import filecmp
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cronsim import CronSim

from generator.targets import backups
from tests.targets.operations_helpers import (
    EXAMPLE,
    fake_tool,
    render_family,
    run,
    shellcheck,
    tool,
)

SPEC = """\
project: {name: shop, description: A shop., owner: ops, teams: [{name: ops}]}
services:
  - name: files
    description: Files on disk.
    kind: worker
    owner: ops
    start_command: ./bin/files
    targets: {production: {engine: local, release_dir: /srv/files}}
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: vm
        node_pools: [{name: a, count: 1, cpu: "1", memory: 1Gi}]
configuration_management:
  secrets_management:
    provider: ci
    secrets:
      - {name: backup-password, path: BACKUP_PASSWORD, rotation: 30d}
backup_strategy:
  backup_types:
    - name: files_snapshot
      kind: snapshot
      engine: restic
      service: files
      environments: [production]
      source: ROOT/data
      repository: ROOT/repo
      offsite_copy: ROOT/offsite
      encryption_key: backup-password
    - name: files_db
      kind: logical
      engine: pg_dump
      service: files
      environments: [production]
      source: files
      repository: ROOT/dumps
      encryption_key: backup-password
  schedule:
    jobs:
      - {backup: files_snapshot, cron: "0 * * * *"}
      - {backup: files_db, cron: "0 2 * * *"}
    restore_tests:
      - {backup: files_snapshot, cron: "30 * * * *"}
      - {backup: files_db, cron: "0 5 * * 1"}
  retention_policy: {keep_daily: 1, keep_weekly: 0, keep_monthly: 0}
"""
FOLDER = "services/files/backup/production/"


@pytest.fixture
def local(tmp_path: Path) -> dict[str, Path]:
    """The small spec, backing up tmp_path/data into local repositories."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("ROOT", str(tmp_path)), encoding="utf-8")
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "orders.csv").write_text("1,widget\n2,gadget\n")
    (tmp_path / "data" / "sub" / "invoice.pdf").write_bytes(os.urandom(200_000))
    return render_family(backups.plan, spec, tmp_path / "out")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "BACKUP_PASSWORD": "correct horse battery staple",
        "RESTIC_PASSWORD": "correct horse battery staple",
        "DEPLOYPLAN_LOCK_DIR": str(tmp_path),
        "TMPDIR": str(tmp_path),
        **extra,
    }


def _snapshots(tmp_path: Path, repository: str) -> list[dict[str, object]]:
    result = run(
        tool("restic"), "-r", tmp_path / repository, "snapshots", "--json", env=_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    snapshots: list[dict[str, object]] = json.loads(result.stdout)
    return snapshots


def test_a_real_backup_round_trip_with_retention_offsite_copy_and_restore_test(
    tmp_path: Path, local: dict[str, Path]
) -> None:
    backup = local[FOLDER + "files_snapshot.sh"]
    first = run(backup, env=_env(tmp_path))
    assert first.returncode == 0, first.stderr
    (tmp_path / "data" / "orders.csv").write_text("1,widget\n2,gadget\n3,gizmo\n")
    (tmp_path / "data" / "new.txt").write_text("added after the first backup\n")
    second = run(backup, env=_env(tmp_path))
    assert second.returncode == 0, second.stderr

    # keep_daily: 1 leaves the newest snapshot of the day, in both repositories
    [kept] = _snapshots(tmp_path, "repo")
    assert kept["tags"] == ["files_snapshot"]
    assert kept["hostname"] == "files-production"
    # the off-site copy holds the same snapshot: same content tree, same chunking
    assert [s["tree"] for s in _snapshots(tmp_path, "offsite")] == [kept["tree"]]

    restored = tmp_path / "scratch"
    result = run(
        tool("restic"),
        "-r",
        tmp_path / "repo",
        "restore",
        "latest",
        "--target",
        restored,
        env=_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    comparison = filecmp.dircmp(tmp_path / "data", restored / str(tmp_path / "data").lstrip("/"))
    assert _differences(comparison) == []

    # the generated restore test passes, then fails once the repository is damaged
    verify = local[FOLDER + "files_snapshot-verify.sh"]
    passed = run(verify, env=_env(tmp_path))
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout == (
        f"restore test passed: files_snapshot files/production snapshot {kept['short_id']}, "
        "3 files\n"
    )
    assert not list(tmp_path.glob("deployplan-verify-*"))  # the scratch folder is gone

    pack = max((tmp_path / "repo" / "data").rglob("*"), key=lambda p: p.stat().st_size)
    damaged = bytearray(pack.read_bytes())
    damaged[len(damaged) // 2 : len(damaged) // 2 + 64] = bytes(64)
    pack.write_bytes(bytes(damaged))
    failed = run(verify, env=_env(tmp_path, DEPLOYPLAN_VERIFY_READ="100%"))
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.splitlines()[-1].endswith(
        "files/production files_snapshot: RESTORE TEST FAILED: restic check found damage in "
        f"{tmp_path / 'repo'}"
    )


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_a_restore_test_refuses_a_stale_backup(tmp_path: Path, local: dict[str, Path]) -> None:
    verify = local[FOLDER + "files_snapshot-verify.sh"]
    empty = run(verify, env=_env(tmp_path))
    assert empty.returncode == 1
    assert "RESTORE TEST FAILED" in empty.stderr.splitlines()[-1]
    text = verify.read_text()
    assert re.search(r"^MAX_AGE=7200$", text, re.M)  # the hourly schedule's gap plus an hour


def test_a_dump_that_fails_half_way_leaves_no_snapshot(
    tmp_path: Path, local: dict[str, Path]
) -> None:
    fake_tool(
        tmp_path / "bin", "pg_dump", 'printf "PGDMP partial"; echo "connection lost" >&2; exit 1'
    )
    env = _env(
        tmp_path,
        PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        FAKE_LOG=str(tmp_path / "log"),
    )
    result = run(local[FOLDER + "files_db.sh"], env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].endswith(
        "files/production files_db: error: pg_dump exited with 1, restic with 0: no backup was kept"
    )
    assert _snapshots(tmp_path, "dumps") == []
    assert (tmp_path / "log").read_text() == (
        "pg_dump --format=custom --no-password --dbname files\n"
    )


def test_a_dry_run_prints_the_commands_and_touches_nothing(
    tmp_path: Path, local: dict[str, Path]
) -> None:
    result = run(local[FOLDER + "files_snapshot.sh"], "--dry-run", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "repo"
    assert result.stdout.splitlines()[0] == (
        f"+ restic -r {repo} backup --tag files_snapshot --host files-production "
        f"{tmp_path / 'data'}"
    )
    assert not repo.exists()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(backups.plan, EXAMPLE, tmp_path_factory.mktemp("example"))


def test_every_script_is_shellcheck_clean(example: dict[str, Path], local: dict[str, Path]) -> None:
    scripts = [p for files in (example, local) for n, p in files.items() if n.endswith(".sh")]
    assert len(scripts) == 14
    result = shellcheck(scripts)
    assert result.returncode == 0, result.stdout


def test_every_unit_pair_passes_systemd_analyze_verify(
    example: dict[str, Path], tmp_path: Path
) -> None:
    units = {name: p for name, p in example.items() if name.endswith((".service", ".timer"))}
    assert len(units) == 20  # ten schedules (jobs and restore tests), a service and a timer each
    folder = tmp_path / "units"
    folder.mkdir()
    for name, path in units.items():
        text = path.read_text()
        # the scripts sit next to the units here, not in /opt/deployplan
        text = re.sub(r"^ExecStart=.*/", f"ExecStart={tmp_path}/", text, flags=re.M)
        (folder / Path(name).name).write_text(text)
    for name, path in example.items():
        if name.endswith(".sh"):
            (tmp_path / path.name).write_bytes(path.read_bytes())
            (tmp_path / path.name).chmod(0o755)
    result = run(tool("systemd-analyze"), "verify", "--man=no", *sorted(folder.iterdir()))
    assert (result.returncode, result.stderr) == (0, "")


def _exposure(unit: Path) -> float:
    result = run(tool("systemd-analyze"), "security", "--offline=true", unit)
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout + result.stderr)
    assert found is not None, result.stdout + result.stderr
    return float(found[1])


def test_every_backup_unit_runs_sandboxed_as_a_dedicated_user(example: dict[str, Path]) -> None:
    services = {name: p for name, p in example.items() if name.endswith(".service")}
    assert services
    for name, unit in services.items():
        text = unit.read_text()
        user = re.search(r"^User=(.+)$", text, re.M)
        assert user is not None and user[1] in ("deployplan-backup", "postgres"), name
        for setting in ("ProtectSystem=strict", "ProtectHome=read-only", "PrivateTmp=true"):
            assert f"\n{setting}\n" in text, (name, setting)
        # systemd's own scale: below 2 is "OK", root with no sandbox is about 9.6
        assert _exposure(unit) <= 2.0, name


def test_only_file_backups_may_read_every_file(example: dict[str, Path]) -> None:
    for name, unit in example.items():
        if not name.endswith(".service"):
            continue
        restic_backup = "(restic)" in unit.read_text() and not name.endswith("-verify.service")
        capabilities = re.findall(r"^CapabilityBoundingSet=(.*)$", unit.read_text(), re.M)
        assert capabilities == (["CAP_DAC_READ_SEARCH"] if restic_backup else [""]), name


def test_sysusers_creates_the_backup_user(example: dict[str, Path], tmp_path: Path) -> None:
    configs = [p for name, p in example.items() if name.endswith("/systemd/sysusers.conf")]
    assert configs
    (tmp_path / "etc").mkdir()
    for config in configs:
        result = run(tool("systemd-sysusers"), f"--root={tmp_path}", config.resolve())
        assert result.returncode == 0, result.stderr
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert re.search(r"^deployplan-backup:x:\d+:\d+:", passwd, re.M), passwd


def test_timers_fire_when_cron_does(example: dict[str, Path]) -> None:
    timers = [p for name, p in example.items() if name.endswith(".timer")]
    base = datetime(2026, 3, 1, tzinfo=UTC)
    for timer in timers:
        text = timer.read_text()
        cron = re.search(r"\(([^()]+) in UTC\)$", text, re.M)
        assert cron is not None, timer
        calendars = re.findall(r"^OnCalendar=(.+)$", text, re.M)
        expected = [t.strftime("%Y-%m-%d %H:%M:%S") for t in _take(CronSim(cron[1], base), 8)]
        assert _systemd_elapses(calendars, base, 8) == expected, timer.name


def _take(iterator: CronSim, count: int) -> list[datetime]:
    return [next(iterator) for _ in range(count)]


def _systemd_elapses(calendars: list[str], base: datetime, count: int) -> list[str]:
    found: set[str] = set()
    for calendar in calendars:
        result = run(
            tool("systemd-analyze"),
            "calendar",
            f"--iterations={count}",
            f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC",
            calendar,
            env={"TZ": "UTC", "PATH": os.environ["PATH"]},
        )
        assert result.returncode == 0, result.stderr
        found |= set(re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC", result.stdout))
    return sorted(found)[:count]


def test_every_cronjob_is_valid_kubernetes(example: dict[str, Path]) -> None:
    cronjobs = [p for name, p in example.items() if "/kubernetes/" in name]
    assert len(cronjobs) == 10
    result = run(tool("kubernetes-validate"), "--strict", *cronjobs)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_schedule_is_a_cron_expression_cronsim_reads(example: dict[str, Path]) -> None:
    crons = []
    for name, path in example.items():
        text = path.read_text()
        if name.endswith("crontab"):
            crons += [
                " ".join(line.split()[:5])
                for line in text.splitlines()
                if line[:1].isdigit() or line.startswith("*")
            ]
        elif "/kubernetes/" in name:
            crons += re.findall(r'^  schedule: "(.+)"$', text, re.M)
    assert len(crons) == 20  # each of the ten schedules in the crontabs and the CronJobs
    for cron in crons:
        assert next(CronSim(cron, datetime(2026, 1, 1, tzinfo=UTC)))


def test_the_kustomization_ships_every_script_and_cronjob(example: dict[str, Path]) -> None:
    import yaml

    folder = "services/orders-db/backup/production/"
    kustomization = yaml.safe_load(example[folder + "kustomization.yaml"].read_text())
    for resource in kustomization["resources"]:
        assert folder + resource in example
    files = kustomization["configMapGenerator"][0]["files"]
    assert files == sorted(
        n.removeprefix(folder) for n in example if n.startswith(folder) and n.endswith(".sh")
    )

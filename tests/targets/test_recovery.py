"""The recovery family: failover.sh follows the recovery procedures with confirmations,
resumes, drills and switches DNS; failback, the drill schedule and the runbook page."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cronsim import CronSim

from generator.targets import recovery
from tests.targets.operations_helpers import (
    EXAMPLE,
    fake_tool,
    render_family,
    run,
    shellcheck,
    tool,
)

SPEC = """\
project: {name: shop, description: A shop., owner: ops, timezone: UTC, teams: [{name: ops}]}
services:
  - name: api
    description: API.
    kind: api
    owner: ops
    start_command: ./bin/api
    targets:
      production: {engine: local, release_dir: /srv/api}
      dr: {engine: local, release_dir: /srv/api}
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: vm
        node_pools: [{name: a, count: 1, cpu: "1", memory: 1Gi}]
  dr:
    extends: production
    environment_type: disaster_recovery
security:
  access_controls:
    identity_provider: okta
    roles: [{name: sre, teams: [ops], permissions: {dr: [deploy]}}]
disaster_recovery:
  recovery_procedures:
    - {name: declare, description: Declare the disaster., duration: 5m, owner: sre}
    - name: fence
      description: Stop writes in production.
      command: echo fenced >> "$WORK/steps"
      duration: 5m
      owner: sre
      in_drill: false
    - name: promote
      description: "Promote the standby; $(touch pwned) stays text."
      command: echo promoted >> "$WORK/steps"; test ! -e "$WORK/broken"
      duration: 10m
      owner: sre
    - {name: switch, description: Move traffic., action: traffic_switch, duration: 5m, owner: sre}
  failover_strategy:
    type: active_passive
    primary: production
    secondary: dr
    dns_record: shop.example.com
    dns_zone_id: Z0EXAMPLE
    dns_targets:
      - {record: shop.example.com, primary: lb-prod.example.net, secondary: lb-dr.example.net}
    drill_schedule: "0 8 15 3,6,9,12 *"
    failback: [Rebuild the production standby., Promote production.]
  recovery_points:
    - {name: data, service: api, backups: [dump], rpo: 1d, rto: 1h}
backup_strategy:
  backup_types:
    - name: dump
      kind: snapshot
      engine: restic
      service: api
      environments: [production]
      source: /srv/data
      repository: /srv/backups
      encryption_key: key
  schedule:
    jobs: [{backup: dump, cron: "0 2 * * *"}]
    restore_tests: [{backup: dump, cron: "0 5 * * 1"}]
configuration_management:
  secrets_management:
    provider: ci
    secrets: [{name: key, path: BACKUP_KEY}]
"""
FOLDER = "disaster-recovery/dr/"
# dig answers: the record follows the Route 53 change the fake aws made
DIG = """case "$*" in
  *lb-dr*) echo 192.0.2.20 ;;
  *lb-prod*) echo 192.0.2.10 ;;
  *shop.example.com*) if [ -e "$WORK/switched" ]; then echo 192.0.2.20; else echo 192.0.2.10; fi ;;
esac"""
AWS = """case "$1 $2" in
  "route53 change-resource-record-sets") touch "$WORK/switched"; echo /change/C1 ;;
esac"""


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Path]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    files = render_family(recovery.plan, spec, tmp_path / "out")
    fake_tool(tmp_path / "bin", "dig", DIG)
    fake_tool(tmp_path / "bin", "aws", AWS)
    return files


def _run(tmp_path: Path, script: Path, *args: str, answers: str = "") -> tuple[int, str]:
    env = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "WORK": str(tmp_path),
        "FAKE_LOG": str(tmp_path / "log"),
        "DEPLOYPLAN_DR_TIMELINE": str(tmp_path / "timeline.tsv"),
    }
    result = run(script, *args, input=answers, env=env, cwd=tmp_path)
    return result.returncode, result.stderr


def _steps(tmp_path: Path) -> list[str]:
    path = tmp_path / "steps"
    return path.read_text().splitlines() if path.exists() else []


def test_failover_runs_every_step_in_order_with_confirmations(
    tmp_path: Path, small: dict[str, Path]
) -> None:
    status, err = _run(tmp_path, small[FOLDER + "failover.sh"], answers="done\nyes\nyes\nyes\n")
    assert status == 0, err
    assert _steps(tmp_path) == ["fenced", "promoted"]
    assert (tmp_path / "log").read_text().splitlines() == [
        "aws route53 change-resource-record-sets --hosted-zone-id Z0EXAMPLE --change-batch "
        f"file://{small[FOLDER + 'switch-to-dr.json']} --query ChangeInfo.Id --output text",
        "aws route53 wait resource-record-sets-changed --id /change/C1",
        "dig +short A shop.example.com",
        "dig +short A lb-dr.example.net",
    ]
    events = [line.split("\t")[2:] for line in (tmp_path / "timeline.tsv").read_text().splitlines()]
    assert events == [
        [step, event]
        for step in ("declare", "fence", "promote", "switch")
        for event in ("started", "done")
    ]
    assert not (tmp_path / "pwned").exists()
    assert "Promote the standby; $(touch pwned) stays text." in err


def test_a_refused_or_failed_step_stops_and_the_run_resumes(
    tmp_path: Path, small: dict[str, Path]
) -> None:
    failover = small[FOLDER + "failover.sh"]
    (tmp_path / "broken").touch()
    status, err = _run(tmp_path, failover, answers="done\nyes\nyes\n")
    assert status == 1
    last = re.sub(r"after \d+m\d\ds", "after TIME", err.splitlines()[-1])
    assert last.endswith(
        "dr: error: step promote failed after TIME; fix it, then resume with --from promote"
    )
    (tmp_path / "broken").unlink()
    status, err = _run(tmp_path, failover, "--from", "promote", "--yes")
    assert status == 0, err
    assert _steps(tmp_path) == ["fenced", "promoted", "promoted"]
    refused, err = _run(tmp_path, failover, "--from", "promote", answers="no\n")
    assert refused == 1
    assert err.splitlines()[-1].endswith(
        "step promote was not confirmed; resume with --from promote"
    )


def test_a_drill_skips_the_steps_marked_so(tmp_path: Path, small: dict[str, Path]) -> None:
    status, err = _run(
        tmp_path, small[FOLDER + "failover.sh"], "--drill", "--yes", answers="done\n"
    )
    assert status == 0, err
    assert _steps(tmp_path) == ["promoted"]
    assert "skipping fence: not run in drills" in err


def test_list_dry_run_and_usage(tmp_path: Path, small: dict[str, Path]) -> None:
    failover = small[FOLDER + "failover.sh"]
    listing = run(failover, "--list")
    assert listing.stdout.splitlines() == [
        "1. declare (manual, 5m, sre)",
        "2. fence (scripted, 5m, sre, not in drills)",
        "3. promote (scripted, 10m, sre)",
        "4. switch (traffic, 5m, sre)",
    ]
    status, err = _run(tmp_path, failover, "--dry-run")
    assert status == 0, err
    assert _steps(tmp_path) == []
    assert run(failover, "--from", "nope").returncode == 2


def test_failback_walks_its_steps_then_switches_back(
    tmp_path: Path, small: dict[str, Path]
) -> None:
    (tmp_path / "switched").touch()
    fake_tool(
        tmp_path / "bin", "aws", AWS.replace('touch "$WORK/switched"', 'rm -f "$WORK/switched"')
    )
    status, err = _run(tmp_path, small[FOLDER + "failback.sh"], answers="done\ndone\nyes\n")
    assert status == 0, err
    assert (
        "file://" + str(small[FOLDER + "switch-to-production.json"])
        in (tmp_path / "log").read_text()
    )
    assert not (tmp_path / "switched").exists()


def test_change_batches_move_the_records_both_ways(small: dict[str, Path]) -> None:
    to_dr = json.loads(small[FOLDER + "switch-to-dr.json"].read_text())
    back = json.loads(small[FOLDER + "switch-to-production.json"].read_text())
    assert to_dr["Changes"] == [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": "shop.example.com",
                "Type": "CNAME",
                "TTL": 60,
                "ResourceRecords": [{"Value": "lb-dr.example.net"}],
            },
        }
    ]
    assert back["Changes"][0]["ResourceRecordSet"]["ResourceRecords"] == [
        {"Value": "lb-prod.example.net"}
    ]


def test_the_drill_prints_its_checklist_and_checks_readiness(
    tmp_path: Path, small: dict[str, Path]
) -> None:
    status, err = _run(tmp_path, small[FOLDER + "drill.sh"])
    assert status == 0, err
    checklist = run(small[FOLDER + "drill.sh"], "--checklist").stdout.splitlines()
    assert checklist[:3] == ["DR drill checklist: failover to dr", "", "Before the drill"]
    assert "[ ] 3. promote (sre, planned 10m, done by 20m)" in checklist
    assert "    Skipped in drills: fence." in checklist
    (tmp_path / "switched").touch()  # DNS points at DR: not ready for a drill
    status, err = _run(tmp_path, small[FOLDER + "drill.sh"])
    assert status == 1
    assert "NOT READY: shop.example.com does not point at production" in err


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(recovery.plan, EXAMPLE, tmp_path_factory.mktemp("recovery"))


def test_scripts_are_shellcheck_clean(example: dict[str, Path], small: dict[str, Path]) -> None:
    scripts = [p for files in (example, small) for n, p in files.items() if n.endswith(".sh")]
    assert len(scripts) == 6
    result = shellcheck(scripts)
    assert result.returncode == 0, result.stdout


def test_the_drill_units_pass_systemd_analyze_and_follow_cron(
    example: dict[str, Path], tmp_path: Path
) -> None:
    units = {name: p for name, p in example.items() if "/systemd/deployplan-" in name}
    assert sorted(Path(n).name for n in units) == [
        "deployplan-shop-dr-drill-dr.service",
        "deployplan-shop-dr-drill-dr.timer",
    ]
    service = units[FOLDER + "systemd/deployplan-shop-dr-drill-dr.service"].read_text()
    assert "\nUser=deployplan-dr\n" in service
    assert "\nProtectSystem=strict\n" in service and "\nProtectHome=read-only\n" in service
    security = run(
        tool("systemd-analyze"), "security", "--offline=true",
        units[FOLDER + "systemd/deployplan-shop-dr-drill-dr.service"],
    )  # fmt: skip
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert exposure is not None and float(exposure[1]) <= 2.0, security.stdout
    sysusers = example[FOLDER + "systemd/sysusers.conf"].read_text()
    assert 'u deployplan-dr - "deployplan DR drills" -' in sysusers
    (tmp_path / "drill.sh").write_text("#!/bin/sh\n")
    (tmp_path / "drill.sh").chmod(0o755)
    for name, path in units.items():
        text = re.sub(
            r"^ExecStart=.*", f"ExecStart={tmp_path}/drill.sh", path.read_text(), flags=re.M
        )
        (tmp_path / Path(name).name).write_text(text)
    result = run(
        tool("systemd-analyze"), "verify", "--man=no", *sorted(tmp_path.glob("deployplan-*"))
    )
    assert (result.returncode, result.stderr) == (0, "")
    cron = example[FOLDER + "drill.crontab"].read_text().splitlines()[-1]
    expression = " ".join(cron.split()[:5])
    assert expression == "0 8 15 3,6,9,12 *"
    assert next(CronSim(expression, datetime(2026, 1, 1, tzinfo=UTC))) == datetime(
        2026, 3, 15, 8, 0, tzinfo=UTC
    )
    assert (
        "OnCalendar=*-3/3-15 08:00:00 Europe/Berlin"
        in units[FOLDER + "systemd/deployplan-shop-dr-drill-dr.timer"].read_text()
    )


def test_the_runbook_page_has_every_step_and_the_checklist(example: dict[str, Path]) -> None:
    page = example["operations/disaster-recovery/dr.md"].read_text()
    steps = re.findall(r"^### (\d+)\. (\w+)$", page, re.M)
    assert steps == [
        ("1", "declare_disaster"),
        ("2", "fence_primary"),
        ("3", "promote_dr_database"),
        ("4", "scale_dr_workloads"),
        ("5", "verify_dr"),
        ("6", "switch_dns"),
        ("7", "reconcile_payments"),
    ]
    assert "The 7 steps below take 50m one after the other; the shortest RTO" in page
    assert "### Drill checklist" in page

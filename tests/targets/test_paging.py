"""configure-pagerduty.sh and configure-opsgenie.sh run for real, with curl and jq,
against stand-in APIs on 127.0.0.1 that check every request and keep state: the first run
builds what the plan says, a second changes nothing, a change made by hand is put back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.targets import monitoring
from tests.conftest import ROOT
from tests.targets.operations_helpers import render_family, run, shellcheck, spec_file
from tests.targets.paging_api import Opsgenie, PagerDuty, StandIn

CONTACTS = """  contacts:
    - {name: akiko, email: akiko@example.com, team: sre}
    - {name: ben, email: ben@example.com, team: sre}
    - {name: chidi, email: chidi@example.com, team: sre}
    - {name: dana, email: dana@example.com, team: security}
    - {name: emil, email: emil@example.com, team: security}
  rotations:
    - {team: sre, members: [akiko, ben, chidi], shift: 1w, start: 2026-01-05}
"""
SRE = ["akiko@example.com", "ben@example.com", "chidi@example.com"]
SECURITY = ["dana@example.com", "emil@example.com"]
# schedules that exist on PagerDuty already; the decoys' names contain the real ones
EXISTING = (
    "old-shop-platform-primary",
    "shop-platform-primary-2019",
    "shop-platform-primary",
    "shop-payments-primary",
    "shop-sre-primary-old",
)
PD_TOKEN = "pd-test-token"
OG_KEY = "og-test-key"


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shop's PagerDuty script, with a rotation for sre and security's contacts paged
    last on the data stores; the Opsgenie script of the valid corpus case."""
    tmp = tmp_path_factory.mktemp("paging")
    last = "        - {after: 20m, notify: platform, receiver: sre_pager}\n    - name: low_severity"
    spec = spec_file(
        tmp,
        {
            "  calendar: {start: 2026-01-05": CONTACTS + "  calendar: {start: 2026-01-05",
            last: last.replace(
                "\n", "\n        - {after: 50m, notify: security, receiver: sre_pager}\n", 1
            ),
        },
    )
    duty = render_family(monitoring.plan, spec, tmp / "pagerduty")
    genie_spec = ROOT / "tests" / "specs" / "valid" / "paging-and-slos.yaml"
    genie = render_family(monitoring.plan, genie_spec, tmp / "opsgenie")
    return {
        "pagerduty": duty["monitoring/configure-pagerduty.sh"],
        "opsgenie": genie["monitoring/configure-opsgenie.sh"],
    }


@pytest.fixture
def pagerduty() -> Iterator[PagerDuty]:
    api = PagerDuty(SRE + SECURITY + ["zoe@example.com"], EXISTING)
    with api.serving():
        yield api


@pytest.fixture
def opsgenie() -> Iterator[Opsgenie]:
    api = Opsgenie(["akiko@example.com", "ben@example.com"])
    with api.serving():
        yield api


def _run(
    script: Path, api: StandIn, tmp_path: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """The script with a curl on PATH that records its arguments, then runs the real one."""
    real = shutil.which("curl")
    assert real is not None
    wrapper = tmp_path / "bin" / "curl"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >>"$CURL_LOG"\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    environment = {
        "PATH": f"{wrapper.parent}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "CURL_LOG": str(tmp_path / "curl.log"),
        "DEPLOYPLAN_PAGERDUTY_API": api.url,
        "DEPLOYPLAN_OPSGENIE_API": api.url,
        "PAGERDUTY_TOKEN": PD_TOKEN,
        "OPSGENIE_API_KEY": OG_KEY,
        **env,
    }
    return run("bash", script, *args, env=environment, cwd=tmp_path)


def _paths(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Calls with ids and queries left out: ``("POST", "/services/ID/integrations")``."""
    return [(m, re.sub(r"/P[A-Z]?\d{4}", "/ID", p.split("?")[0])) for m, p in calls]


def _rules(api: PagerDuty, name: str) -> list[tuple[int, list[str]]]:
    """An escalation policy's rules: (delay, names or emails of the targets)."""
    names: dict[str, str] = {
        o["id"]: o.get("name") or o["email"] for k in api.objects.values() for o in k.values()
    }
    policy = api.named("escalation_policies", name)
    return [
        (rule["escalation_delay_in_minutes"], [names[t["id"]] for t in rule["targets"]])
        for rule in policy["escalation_rules"]
    ]


def test_the_configure_scripts_pass_shellcheck(scripts: dict[str, Path]) -> None:
    result = shellcheck(list(scripts.values()))
    assert result.returncode == 0, result.stdout


def test_pagerduty_gets_the_plan_and_a_second_run_changes_nothing(
    scripts: dict[str, Path], pagerduty: PagerDuty, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    result = _run(scripts["pagerduty"], pagerduty, tmp_path, "--keys-dir", str(keys))
    assert result.returncode == 0, result.stderr
    assert pagerduty.problems == []
    integration = ("POST", "/services/ID/integrations")
    assert _paths(pagerduty.changes) == [
        ("POST", "/schedules"),
        ("POST", "/escalation_policies"),
        ("POST", "/services"),
        integration,
        ("POST", "/escalation_policies"),
        ("POST", "/services"),
        integration,
        ("POST", "/escalation_policies"),
        ("POST", "/services"),
        integration,
    ]
    schedule = pagerduty.named("schedules", "shop-sre-primary")
    assert schedule["time_zone"] == "Europe/Berlin"
    layer = schedule["schedule_layers"][0]
    assert layer["rotation_virtual_start"] == "2026-01-05T09:00:00+01:00"
    assert layer["rotation_turn_length_seconds"] == 7 * 86400
    users = {o["id"]: o["email"] for o in pagerduty.objects["users"].values()}
    assert [users[u["user"]["id"]] for u in layer["users"]] == SRE
    assert _rules(pagerduty, "shop-customer-facing") == [
        (30, ["shop-sre-primary"]),
        (30, ["shop-platform-primary"]),
    ]
    assert _rules(pagerduty, "shop-payments") == [
        (10, ["shop-payments-primary"]),
        (30, ["shop-sre-primary"]),
    ]
    assert _rules(pagerduty, "shop-data-stores") == [
        (20, ["shop-sre-primary"]),
        (30, ["shop-platform-primary"]),
        (30, SECURITY),
    ]
    for path in ("customer_facing", "payments", "data_stores"):
        service = pagerduty.named("services", f"shop-{path.replace('_', '-')}")
        policy = pagerduty.named("escalation_policies", service["name"])
        assert service["escalation_policy"]["id"] == policy["id"]
        (hook,) = service["integrations"]
        key = keys / f"pagerduty-{path}"
        assert key.read_text() == hook["integration_key"]
        assert key.stat().st_mode & 0o777 == 0o600

    written = {key: key.stat().st_mtime_ns for key in keys.iterdir()}
    pagerduty.calls.clear()
    again = _run(scripts["pagerduty"], pagerduty, tmp_path, "--keys-dir", str(keys))
    assert again.returncode == 0, again.stderr
    assert pagerduty.problems == []
    assert pagerduty.changes == []
    assert "escalation_policy shop-payments is as the plan says" in again.stderr
    assert {key: key.stat().st_mtime_ns for key in keys.iterdir()} == written


def test_pagerduty_puts_back_what_was_changed_by_hand(
    scripts: dict[str, Path], pagerduty: PagerDuty, tmp_path: Path
) -> None:
    assert _run(scripts["pagerduty"], pagerduty, tmp_path).returncode == 0
    policy = pagerduty.named("escalation_policies", "shop-payments")
    policy["escalation_rules"][0]["escalation_delay_in_minutes"] = 45
    schedule = pagerduty.named("schedules", "shop-sre-primary")
    schedule["schedule_layers"][0]["users"].reverse()
    pagerduty.named("services", "shop-data-stores")["integrations"] = []
    pagerduty.calls.clear()
    result = _run(scripts["pagerduty"], pagerduty, tmp_path)
    assert result.returncode == 0, result.stderr
    assert pagerduty.problems == []
    assert pagerduty.changes == [
        ("PUT", f"/schedules/{schedule['id']}"),
        ("PUT", f"/escalation_policies/{policy['id']}"),
        ("POST", f"/services/{pagerduty.named('services', 'shop-data-stores')['id']}/integrations"),
    ]
    assert _rules(pagerduty, "shop-payments")[0] == (10, ["shop-payments-primary"])


def test_pagerduty_dry_run_reads_and_changes_nothing(
    scripts: dict[str, Path], pagerduty: PagerDuty, tmp_path: Path
) -> None:
    result = _run(scripts["pagerduty"], pagerduty, tmp_path, "--dry-run", "--keys-dir", "keys")
    assert result.returncode == 0, result.stderr
    assert pagerduty.problems == []
    assert pagerduty.changes == []
    assert not (tmp_path / "keys").exists()
    printed = [line.split()[:2] for line in result.stdout.splitlines() if line[:1] != " "]
    assert printed[:4] == [
        ["POST", f"{pagerduty.url}/schedules"],
        ["POST", f"{pagerduty.url}/escalation_policies"],
        ["POST", f"{pagerduty.url}/services"],
        ["POST", f"{pagerduty.url}/services/<new"],
    ]
    assert '"id":"<new schedule shop-sre-primary>"' in result.stdout


def test_pagerduty_names_every_missing_user_and_schedule(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    api = PagerDuty(SRE[:2] + SECURITY[1:], EXISTING[3:])
    with api.serving():
        result = _run(scripts["pagerduty"], api, tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "configure-pagerduty.sh: no PagerDuty user has the email address chidi@example.com "
        "dana@example.com: invite them first\n"
    )
    assert api.changes == []
    api = PagerDuty(SRE + SECURITY, EXISTING[4:])
    with api.serving():
        result = _run(scripts["pagerduty"], api, tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "configure-pagerduty.sh: PagerDuty has no schedule named shop-payments-primary "
        "shop-platform-primary: create it, or give its team a rotation\n"
    )
    assert api.changes == []


def test_the_token_is_read_from_a_file_and_never_on_a_command_line(
    scripts: dict[str, Path], pagerduty: PagerDuty, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text(PD_TOKEN + "\n")
    result = _run(
        scripts["pagerduty"], pagerduty, tmp_path, "--token-file", str(token), PAGERDUTY_TOKEN=""
    )
    assert result.returncode == 0, result.stderr
    assert pagerduty.problems == []
    log = (tmp_path / "curl.log").read_text()
    assert len(log.splitlines()) == len(pagerduty.calls)
    assert PD_TOKEN not in log + result.stdout + result.stderr
    assert all(re.search(r"--header @/dev/fd/\d+ ", line) for line in log.splitlines())


def test_usage_errors_and_a_missing_token(scripts: dict[str, Path], tmp_path: Path) -> None:
    api = PagerDuty([])
    script = scripts["pagerduty"]
    shown = _run(script, api, tmp_path, "--help")
    assert shown.returncode == 0
    assert (
        "shop-payments (payments): schedule shop-payments-primary, then after 10m" in shown.stdout
    )
    assert _run(script, api, tmp_path, "--bogus").returncode == 2
    missing = _run(script, api, tmp_path, PAGERDUTY_TOKEN="")
    assert (missing.returncode, missing.stderr) == (
        1,
        "configure-pagerduty.sh: set PAGERDUTY_TOKEN (or PAGERDUTY_TOKEN_FILE, or pass "
        "--token-file FILE)\n",
    )
    assert api.calls == []


def _opsgenie_state(api: Opsgenie) -> dict[str, Any]:
    team = api.named("teams", "shop-platform")
    schedule = api.named("schedules", "shop-platform")
    escalation = api.named("escalations", "shop-everything")
    return {
        "members": [m["user"]["username"] for m in team["members"]],
        "owner": schedule["ownerTeam"],
        "rotation": {k: v for k, v in schedule["rotations"][0].items() if k != "participants"},
        "rules": [(r["delay"]["timeAmount"], r["recipient"]) for r in escalation["rules"]],
        "responders": api.named("integrations", "shop-everything")["responders"],
    }


def test_opsgenie_gets_the_plan_and_a_second_run_changes_nothing(
    scripts: dict[str, Path], opsgenie: Opsgenie, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    result = _run(scripts["opsgenie"], opsgenie, tmp_path, "--keys-dir", str(keys))
    assert result.returncode == 0, result.stderr
    assert opsgenie.problems == []
    assert opsgenie.changes == [
        ("POST", "/v2/teams"),
        ("POST", "/v2/schedules"),
        ("POST", "/v2/escalations"),
        ("POST", "/v2/integrations"),
    ]
    assert _opsgenie_state(opsgenie) == {
        "members": ["akiko@example.com", "ben@example.com"],
        "owner": {"name": "shop-platform"},
        "rotation": {
            "name": "rotation",
            "startDate": "2026-01-05T08:00:00Z",
            "type": "hourly",
            "length": 12,
        },
        "rules": [(0, {"type": "schedule", "name": "shop-platform"})],
        "responders": [{"type": "escalation", "name": "shop-everything"}],
    }
    key = keys / "opsgenie-everything"
    assert key.read_text() == opsgenie.named("integrations", "shop-everything")["apiKey"]

    opsgenie.calls.clear()
    again = _run(scripts["opsgenie"], opsgenie, tmp_path, "--keys-dir", str(keys))
    assert again.returncode == 0, again.stderr
    assert (opsgenie.problems, opsgenie.changes) == ([], [])

    escalation = opsgenie.named("escalations", "shop-everything")
    escalation["rules"][0]["delay"]["timeAmount"] = 5
    opsgenie.named("teams", "shop-platform")["members"].pop()
    fixed = _run(scripts["opsgenie"], opsgenie, tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    team = opsgenie.named("teams", "shop-platform")
    assert opsgenie.changes == [
        ("PATCH", f"/v2/teams/{team['id']}?identifierType=id"),
        ("PATCH", f"/v2/escalations/{escalation['id']}?identifierType=id"),
    ]
    assert _opsgenie_state(opsgenie)["rules"][0][0] == 0


def test_opsgenie_key_shown_only_at_creation(scripts: dict[str, Path], tmp_path: Path) -> None:
    api = Opsgenie(["akiko@example.com", "ben@example.com"], show_keys=False)
    keys = tmp_path / "keys"
    with api.serving():
        first = _run(scripts["opsgenie"], api, tmp_path, "--keys-dir", str(keys))
        assert first.returncode == 0, first.stderr
        assert (keys / "opsgenie-everything").read_text().startswith("api-key-")
        # a rerun keeps the key it wrote; elsewhere it cannot know the key
        assert _run(scripts["opsgenie"], api, tmp_path, "--keys-dir", str(keys)).returncode == 0
        other = _run(scripts["opsgenie"], api, tmp_path, "--keys-dir", str(tmp_path / "new"))
    assert other.returncode == 1
    assert other.stderr.endswith(
        "configure-opsgenie.sh: Opsgenie did not show the API key of shop-everything: copy it "
        f"from the integration's page into {tmp_path / 'new'}/opsgenie-<escalation path>\n"
    )
    assert api.problems == []

"""The monitoring family checked by Prometheus's own tools: promtool on the scrape config,
rules and generated rule unit tests; amtool on the Alertmanager configuration and its
routes; blackbox_exporter on the probe modules."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.targets import monitoring
from tests.conftest import ROOT
from tests.targets.operations_helpers import (
    EXAMPLE,
    fake_tool,
    render_family,
    run,
    shellcheck,
    spec_file,
    tool,
)

ENVIRONMENTS = ["development", "staging", "production", "dr"]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(monitoring.plan, EXAMPLE, tmp_path_factory.mktemp("monitoring"))


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_promtool_accepts_the_config_and_the_rules(
    example: dict[str, Path], environment: str
) -> None:
    folder = example[f"monitoring/{environment}/prometheus.yml"].parent
    config = run(tool("promtool"), "check", "config", "prometheus.yml", cwd=folder)
    assert config.returncode == 0, config.stdout + config.stderr
    rules = run(tool("promtool"), "check", "rules", "recording.yml", "alerts.yml", cwd=folder)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SUCCESS: 10 rules found" in rules.stdout  # one per monitoring point
    assert "SUCCESS: 24 rules found" in rules.stdout  # 10 thresholds x 2, 4 probes


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_alert_fires_in_its_promtool_unit_test(
    example: dict[str, Path], environment: str
) -> None:
    folder = example[f"monitoring/{environment}/alerts.test.yml"].parent
    result = run(tool("promtool"), "test", "rules", "alerts.test.yml", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    rules = _load(folder / "alerts.yml")["groups"][0]["rules"]
    tests = _load(folder / "alerts.test.yml")["tests"]
    tested = {check["alertname"] for test in tests for check in test["alert_rule_test"]}
    firing = {
        (alert["exp_labels"]["severity"], check["alertname"])
        for test in tests
        for check in test["alert_rule_test"]
        for alert in check["exp_alerts"]
    }
    assert tested == {rule["alert"] for rule in rules}
    assert firing == {(rule["labels"]["severity"], rule["alert"]) for rule in rules}


def test_the_unit_tests_catch_a_changed_level(example: dict[str, Path], tmp_path: Path) -> None:
    folder = example["monitoring/production/alerts.yml"].parent
    for name in ("alerts.yml", "alerts.test.yml"):
        (tmp_path / name).write_text((folder / name).read_text())
    alerts = tmp_path / "alerts.yml"
    changed = alerts.read_text().replace(
        '{service=\\"storefront\\"} > 5"', '{service=\\"storefront\\"} > 50"'
    )
    assert changed != alerts.read_text()
    alerts.write_text(changed)
    result = run(tool("promtool"), "test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert "alertname: StorefrontErrors" in result.stdout + result.stderr


def test_runbook_links_point_at_each_alerts_own_page(example: dict[str, Path]) -> None:
    page = example["operations/alerts.md"].read_text()
    anchors = set(re.findall(r"^## \w+ \{ #(\w+) \}$", page, re.M))
    rules = _load(example["monitoring/production/alerts.yml"])["groups"][0]["rules"]
    for rule in rules:
        name = rule["alert"].lower()
        url = rule["annotations"]["runbook_url"]
        assert url == f"https://docs.shop.example.com/operations/alerts/{name}.html", url
        # the alerts page keeps the anchor and links on to the runbook
        assert name in anchors
        assert f"[Runbook](alerts/{name}.md)" in page


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_amtool_accepts_the_alertmanager_config(example: dict[str, Path], environment: str) -> None:
    config = example[f"monitoring/{environment}/alertmanager.yml"]
    result = run(tool("amtool"), "check-config", config)
    assert result.returncode == 0, result.stdout + result.stderr


ROUTES = [
    (
        {"service": "storefront", "incident_severity": "sev1"},
        "pagerduty/customer_facing,incident_slack",
    ),
    (
        {"service": "payments", "incident_severity": "sev2"},
        "pagerduty/payments,security_email",
    ),
    ({"service": "orders-db", "incident_severity": "sev3"}, "pagerduty/data_stores"),
    ({"service": "orders-api", "incident_severity": "sev4"}, "alerts_slack"),
    ({"service": "media-storage", "incident_severity": "sev4"}, "alerts_slack"),
]


@pytest.mark.parametrize(("labels", "receivers"), ROUTES)
def test_routes_follow_the_escalation_paths(
    example: dict[str, Path], labels: dict[str, str], receivers: str
) -> None:
    for environment, expected in (("production", receivers), ("staging", "alerts_slack")):
        config = example[f"monitoring/{environment}/alertmanager.yml"]
        pairs = [f"{k}={v}" for k, v in labels.items()]
        result = run(tool("amtool"), "config", "routes", "test", f"--config.file={config}", *pairs)
        assert result.stdout.strip() == expected, (environment, result.stdout, result.stderr)


def _routes(route: dict[str, Any]) -> list[dict[str, Any]]:
    return [route] + [r for child in route.get("routes", []) for r in _routes(child)]


def test_pages_go_once_to_the_paging_service_and_only_notices_wait(
    example: dict[str, Path],
) -> None:
    route = _load(example["monitoring/production/alertmanager.yml"])["route"]
    payments = route["routes"][1]["routes"]
    assert [
        (r["receiver"], r["group_wait"], r["repeat_interval"], r.get("continue")) for r in payments
    ] == [
        ("pagerduty/payments", "30s", "30m", True),
        ("security_email", "30m", "30m", None),
        ("pagerduty/payments", "30s", "1h", True),
        ("security_email", "30m", "1h", None),
    ]
    # no route pages a person on a timer: the paging service escalates, and only while
    # nobody has acknowledged
    timed = [r["receiver"] for r in _routes(route) if r.get("group_wait", "30s") != "30s"]
    assert sorted(set(timed)) == ["incident_slack", "security_email"]


def test_the_paging_receivers_read_their_keys_from_files(example: dict[str, Path]) -> None:
    receivers = _load(example["monitoring/production/alertmanager.yml"])["receivers"]
    pages = {r["name"]: r["pagerduty_configs"][0] for r in receivers if "/" in r["name"]}
    assert {name: config["routing_key_file"] for name, config in pages.items()} == {
        "pagerduty/customer_facing": "/etc/alertmanager/paging/pagerduty-customer_facing",
        "pagerduty/payments": "/etc/alertmanager/paging/pagerduty-payments",
        "pagerduty/data_stores": "/etc/alertmanager/paging/pagerduty-data_stores",
    }
    assert pages["pagerduty/payments"]["details"] == {"escalation_path": "payments"}


def test_opsgenie_pages_name_the_escalation(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "specs" / "valid" / "paging-and-slos.yaml"
    files = render_family(monitoring.plan, spec, tmp_path)
    config = files["monitoring/production/alertmanager.yml"]
    assert run(tool("amtool"), "check-config", config).returncode == 0
    assert _route_of(config, service="web", incident_severity="sev1") == "opsgenie/everything,chat"
    (page,) = [r for r in _load(config)["receivers"] if r["name"] == "opsgenie/everything"]
    assert page["opsgenie_configs"][0]["api_key_file"] == (
        "/etc/alertmanager/paging/opsgenie-everything"
    )
    assert page["opsgenie_configs"][0]["responders"] == [
        {"name": "shop-everything", "type": "escalation"}
    ]


def test_receiver_credentials_are_file_references(example: dict[str, Path]) -> None:
    text = example["monitoring/production/alertmanager.yml"].read_text()
    files = re.findall(r"(\w+_file): (\S+)", text)
    assert sorted(set(files)) == [
        ("api_url_file", "/etc/alertmanager/secrets/slack-webhook-url"),
        ("auth_password_file", "/etc/alertmanager/secrets/smtp-relay-password"),
        ("routing_key_file", "/etc/alertmanager/paging/pagerduty-customer_facing"),
        ("routing_key_file", "/etc/alertmanager/paging/pagerduty-data_stores"),
        ("routing_key_file", "/etc/alertmanager/paging/pagerduty-payments"),
        ("routing_key_file", "/etc/alertmanager/secrets/pagerduty-payments-routing-key"),
        ("routing_key_file", "/etc/alertmanager/secrets/pagerduty-sre-routing-key"),
    ]
    assert not re.search(
        r"^\s*(api_url|routing_key|service_key|auth_password|api_key):", text, re.M
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_blackbox_exporter_accepts_the_probe_modules(
    example: dict[str, Path], environment: str
) -> None:
    config = example[f"monitoring/{environment}/blackbox.yml"]
    result = run(tool("prometheus-blackbox-exporter"), f"--config.file={config}", "--config.check")
    assert result.returncode == 0, result.stderr
    modules = _load(config)["modules"]
    assert sorted(modules) == [
        "orders_api_ready",
        "orders_db_port",
        "payments_readiness",
        "storefront_http",
    ]


def test_metrics_services_are_valid_kubernetes(example: dict[str, Path]) -> None:
    services = [p for name, p in example.items() if "/kubernetes/" in name]
    assert len(services) == 12  # three Kubernetes services in four environments
    result = run(tool("kubernetes-validate"), "--strict", *services)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_secrets_script_writes_private_files(example: dict[str, Path], tmp_path: Path) -> None:
    script = example["monitoring/production/alertmanager-secrets.sh"]
    assert shellcheck([script]).returncode == 0
    fake_tool(tmp_path / "bin", "vault", 'printf "value-of-%s" "${*: -1}"')
    env = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "FAKE_LOG": str(tmp_path / "log"),
        "DEPLOYPLAN_ALERTMANAGER_SECRETS": str(tmp_path / "secrets"),
    }
    result = run(script, env=env)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "secrets").iterdir())
    assert [f.name for f in files] == [
        "pagerduty-payments-routing-key",
        "pagerduty-sre-routing-key",
        "slack-webhook-url",
        "smtp-relay-password",
    ]
    assert {oct(f.stat().st_mode & 0o777) for f in files} == {"0o600"}
    assert (tmp_path / "secrets" / "slack-webhook-url").read_text() == "value-of-alerting/slack"

    fake_tool(tmp_path / "bin", "kubectl", 'cat > "$FAKE_LOG.stdin"')
    result = run(script, "--kubernetes", "monitoring", env=env)
    assert result.returncode == 0, result.stderr
    secret = yaml.safe_load(Path(str(tmp_path / "log") + ".stdin").read_text())
    assert secret["metadata"] == {"name": "alertmanager-receivers", "namespace": "monitoring"}
    decoded = base64.b64decode(secret["data"]["smtp-relay-password"]).decode()
    assert decoded == "value-of-alerting/smtp"


def test_hostile_summaries_reach_the_notification_as_written(tmp_path: Path) -> None:
    summary = 'Errors {{ $value }} }} <script>alert(1)</script> "quoted" \\ $(id)'
    old = "summary: Storefront is returning server errors."
    spec = spec_file(tmp_path, {old: f"summary: {json.dumps(summary)}"})
    files = render_family(monitoring.plan, spec, tmp_path / "out")
    folder = files["monitoring/production/alerts.yml"].parent
    # promtool renders the annotation templates: the test passes only if they print the text
    result = run(tool("promtool"), "test", "rules", "alerts.test.yml", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    tests = _load(folder / "alerts.test.yml")["tests"]
    assert tests[0]["alert_rule_test"][-1]["exp_alerts"][0]["exp_annotations"]["summary"] == summary


def _route_of(config: Path, **labels: str) -> str:
    pairs = [f"{k}={v}" for k, v in labels.items()]
    result = run(tool("amtool"), "config", "routes", "test", f"--config.file={config}", *pairs)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_environments_that_never_page_do_not_reach_a_pager(tmp_path: Path) -> None:
    spec = spec_file(tmp_path, {"default_receiver: alerts_slack": "default_receiver: sre_pager"})
    files = render_family(monitoring.plan, spec, tmp_path / "out")
    for environment in ("development", "staging"):
        config = files[f"monitoring/{environment}/alertmanager.yml"]
        assert run(tool("amtool"), "check-config", config).returncode == 0
        labels = {"service": "storefront", "incident_severity": "sev1"}
        assert _route_of(config, **labels) == "deployplan-no-page"
        assert {"name": "deployplan-no-page"} in _load(config)["receivers"]
    production = files["monitoring/production/alertmanager.yml"]
    assert _route_of(production, service="unrouted", incident_severity="sev4") == "sre_pager"


def test_a_named_non_paging_receiver_takes_the_quiet_environments(tmp_path: Path) -> None:
    spec = spec_file(
        tmp_path,
        {
            "default_receiver: alerts_slack": "default_receiver: sre_pager\n"
            "    non_paging_receiver: alerts_slack"
        },
    )
    files = render_family(monitoring.plan, spec, tmp_path / "out")
    staging = files["monitoring/staging/alertmanager.yml"]
    assert _route_of(staging, service="payments", incident_severity="sev1") == "alerts_slack"
    assert "deployplan-no-page" not in staging.read_text()


def _render_for(template: str, severity: str, folder: Path) -> str:
    """``template`` as Alertmanager renders it for an alert group of ``severity``."""
    (folder / "none.tmpl").write_text("")
    text = template.replace(".CommonLabels.incident_severity", json.dumps(severity))
    rendered = run(
        tool("amtool"), "template", "render", f"--template.glob={folder / 'none.tmpl'}",
        f"--template.text={text}",
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    return rendered.stdout.strip()


PAGES = [("sev1", "critical", "P1"), ("sev2", "error", "P2"), ("sev3", "warning", "P3")]
PAGES += [("sev4", "info", "P4"), ("unknown", "warning", "P3")]


@pytest.mark.parametrize(("severity", "pagerduty", "opsgenie"), PAGES)
def test_pages_carry_the_incident_severity(
    tmp_path: Path, severity: str, pagerduty: str, opsgenie: str
) -> None:
    old = "{name: payments_pager, type: pagerduty,"
    # the payments path pages through Opsgenie alone
    second = "{after: 10m, notify: sre, receiver: sre_pager}"
    spec = spec_file(
        tmp_path,
        {
            old: "{name: payments_pager, type: opsgenie,",
            second: second.replace("sre_pager", "payments_pager"),
        },
    )
    files = render_family(monitoring.plan, spec, tmp_path / "out")
    receivers = {
        r["name"]: r for r in _load(files["monitoring/production/alertmanager.yml"])["receivers"]
    }
    for name in ("sre_pager", "pagerduty/customer_facing"):
        duty = receivers[name]["pagerduty_configs"][0]["severity"]
        assert _render_for(duty, severity, tmp_path) == pagerduty
    for name in ("payments_pager", "opsgenie/payments"):
        genie = receivers[name]["opsgenie_configs"][0]["priority"]
        assert _render_for(genie, severity, tmp_path) == opsgenie


def test_a_severity_level_may_set_its_own_priority(tmp_path: Path) -> None:
    old = "        response_time: 1d\n        resolution_target: 2w\n"
    new = old + "        priority: P5\n        pagerduty_severity: warning\n"
    spec = spec_file(tmp_path, {old: new})
    files = render_family(monitoring.plan, spec, tmp_path / "out")
    receivers = {
        r["name"]: r for r in _load(files["monitoring/production/alertmanager.yml"])["receivers"]
    }
    duty = receivers["sre_pager"]["pagerduty_configs"][0]["severity"]
    assert _render_for(duty, "sev4", tmp_path) == "warning"
    assert _render_for(duty, "sev1", tmp_path) == "critical"

"""SLO burn-rate rules: the workbook's windows and rates, scaled to the SLO window, checked
by promtool, and unit tests in which each level fires and bursts of the wrong shape do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.model.operations import ServiceLevelIndicator, ServiceLevelObjective
from generator.targets import monitoring
from generator.targets.monitoring.slo import BurnRate, burn_rates, error_ratio
from tests.conftest import ROOT
from tests.targets.operations_helpers import EXAMPLE, render_family, run, tool

ENVIRONMENTS = ["development", "staging", "production", "dr"]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(monitoring.plan, EXAMPLE, tmp_path_factory.mktemp("slo"))


def _slo(window: str) -> ServiceLevelObjective:
    sli = ServiceLevelIndicator(error_ratio="x[$WINDOW]")
    return ServiceLevelObjective(name="a", service="web", objective=99.9, window=window, sli=sli)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_a_30_day_slo_gets_the_workbook_windows() -> None:
    assert burn_rates(_slo("30d"), "30s") == [
        BurnRate("critical", 14.4, "1h", "5m"),
        BurnRate("critical", 6.0, "6h", "30m"),
        BurnRate("warning", 3.0, "1d", "2h"),
        BurnRate("warning", 1.0, "3d", "6h"),
    ]


def test_other_windows_scale_and_keep_two_scrapes_in_the_shortest() -> None:
    assert burn_rates(_slo("28d"), "30s") == [
        BurnRate("critical", 14.4, "56m", "5m"),
        BurnRate("critical", 6.0, "5h36m", "28m"),
        BurnRate("warning", 3.0, "22h24m", "1h52m"),
        BurnRate("warning", 1.0, "2d19h12m", "5h36m"),
    ]
    assert [(r.long, r.short) for r in burn_rates(_slo("7d"), "1m")] == [
        ("14m", "2m"),
        ("1h24m", "7m"),
        ("5h36m", "28m"),
        ("16h48m", "1h24m"),
    ]


def test_the_sli_is_read_over_each_window() -> None:
    ratio = ServiceLevelIndicator(error_ratio="sum(rate(e[$WINDOW])) / sum(rate(t[$WINDOW]))")
    assert error_ratio(ratio, "1h") == "sum(rate(e[1h])) / sum(rate(t[1h]))"
    events = ServiceLevelIndicator(good="sum(rate(g[$WINDOW]))", total="sum(rate(t[$WINDOW]))")
    assert error_ratio(events, "5m") == "1 - ((sum(rate(g[5m]))) / (sum(rate(t[5m]))))"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_promtool_accepts_the_slo_rules_and_their_unit_tests_pass(
    example: dict[str, Path], environment: str
) -> None:
    folder = example[f"monitoring/{environment}/slo-alerts.yml"].parent
    rules = run(
        tool("promtool"), "check", "rules", "slo-recording.yml", "slo-alerts.yml", cwd=folder
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SUCCESS: 14 rules found" in rules.stdout  # 7 windows of each of the two SLOs
    assert "SUCCESS: 4 rules found" in rules.stdout  # a page and a ticket each
    tests = run(tool("promtool"), "test", "rules", "slo-alerts.test.yml", cwd=folder)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    config = _load(folder / "prometheus.yml")
    assert config["rule_files"][2:] == ["slo-recording.yml", "slo-alerts.yml"]


def test_each_level_fires_alone_and_wrong_shaped_burns_do_not(example: dict[str, Path]) -> None:
    tests = _load(example["monitoring/production/slo-alerts.test.yml"])["tests"]
    outcomes: dict[str, list[tuple[str, ...]]] = {}
    for case in tests:
        (check,) = case["alert_rule_test"]
        fired = tuple(a["exp_labels"]["severity"] for a in check["exp_alerts"])
        outcomes.setdefault(check["alertname"], []).append(fired)
    # within budget, only the long window (the burn stopped), only the short (a blip),
    # then each of the four conditions alone, just over and just under its burn rate
    expected: list[tuple[str, ...]] = [(), (), ()]
    expected += [
        (level,) if over else ()
        for level in ("critical", "critical", "warning", "warning")
        for over in (True, False)
    ]
    assert outcomes == {
        "StorefrontAvailabilityBudgetBurn": expected,
        "OrdersApiAvailabilityBudgetBurn": expected,
    }


def test_the_unit_tests_catch_a_wrong_burn_rate(example: dict[str, Path], tmp_path: Path) -> None:
    folder = example["monitoring/production/slo-alerts.yml"].parent
    for name in ("slo-alerts.yml", "slo-alerts.test.yml"):
        (tmp_path / name).write_text((folder / name).read_text())
    alerts = tmp_path / "slo-alerts.yml"
    changed = alerts.read_text().replace("(14.4 * 0.001)", "(1.44 * 0.001)")
    assert changed != alerts.read_text()
    alerts.write_text(changed)
    result = run(tool("promtool"), "test", "rules", "slo-alerts.test.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert "alertname: StorefrontAvailabilityBudgetBurn" in result.stdout + result.stderr


def test_the_page_routes_like_a_critical_alert(example: dict[str, Path]) -> None:
    rules = _load(example["monitoring/production/slo-alerts.yml"])["groups"][0]["rules"]
    assert [(r["alert"], r["labels"]) for r in rules[:2]] == [
        (
            "StorefrontAvailabilityBudgetBurn",
            {
                "service": "storefront",
                "slo": "storefront_availability",
                "severity": "critical",
                "incident_severity": "sev2",
            },
        ),
        (
            "StorefrontAvailabilityBudgetBurn",
            {
                "service": "storefront",
                "slo": "storefront_availability",
                "severity": "warning",
                "incident_severity": "sev3",
            },
        ),
    ]
    assert rules[0]["annotations"] == {
        "summary": "storefront is spending its error budget fast (storefront_availability: "
        "99.9% over 30d).",
        "description": "The error ratio of storefront_availability is above 14.4× the 0.1% it "
        "allows over 1h and 5m, or 6× over 6h and 30m: at 14.4×, the 30d budget is gone in "
        "2d2h.",
        "runbook_url": "https://docs.shop.example.com/operations/alerts/"
        "storefrontavailabilitybudgetburn.html",
    }
    page = example["operations/alerts.md"].read_text()
    assert "## StorefrontAvailabilityBudgetBurn { #storefrontavailabilitybudgetburn }" in page


def test_a_spec_without_slos_gets_no_slo_files(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "golden" / "japanese" / "spec.yaml"
    files = render_family(monitoring.plan, spec, tmp_path)
    assert not [name for name in files if "slo" in name]
    config = _load(files["monitoring/production/prometheus.yml"])
    assert config["rule_files"] == ["recording.yml", "alerts.yml"]

"""Operator-native resources for clusters that declare their operators
(``configuration.operators``): PrometheusRule, ServiceMonitor and Probe for the Prometheus
Operator, Velero Schedules instead of the CronJob running the Velero CLI.

The Prometheus Operator's resources pass its CRD schemas (``tests/node/crd-validate.mjs``,
as in ``test_gitops.py``); promtool runs the generated unit tests on the rules inside the
PrometheusRule. No npm ``@kubernetes-models/velero`` package exists, so the Schedules'
fields are asserted here and ``kubectl kustomize`` builds their folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.targets import backups, monitoring
from tests.conftest import ROOT
from tests.targets.operations_helpers import render_family, run, tool
from tests.targets.test_gitops import _crd_findings, _kustomize

GITOPS = ROOT / "specs" / "examples" / "gitops.yaml"
COMPOSE_HELM = ROOT / "specs" / "examples" / "compose-helm.yaml"
OPERATORS = "      operators: [prometheus, velero]"
ENVIRONMENTS = ["development", "dr", "production", "staging"]
SERVICES = ["label-service", "scan-consumer", "tracking-api"]
PROBES = ["label-service-http", "scan-consumer-http", "tracking-api-ready"]


@pytest.fixture(scope="module")
def gitops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("operators")
    render_family(monitoring.plan, GITOPS, out)
    render_family(backups.plan, GITOPS, out)
    return out


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _without_operators(tmp_path: Path) -> Path:
    text = GITOPS.read_text()
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(OPERATORS)]
    spec = tmp_path / "spec.yaml"
    spec.write_text("".join(lines))
    return spec


def _operator_files(out: Path, environment: str) -> list[str]:
    folder = out / "monitoring" / environment / "kubernetes"
    return sorted(p.name for p in folder.glob("*.yaml") if not p.name.endswith("-metrics.yaml"))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_gets_a_rule_a_monitor_per_service_and_a_probe_per_indicator(
    gitops: Path, environment: str
) -> None:
    assert _operator_files(gitops, environment) == sorted(
        [
            "prometheusrule.yaml",
            *(f"{s}-servicemonitor.yaml" for s in SERVICES),
            *(f"probe-{p}.yaml" for p in PROBES),
        ]
    )


def test_every_prometheus_operator_resource_passes_its_crd_schema(gitops: Path) -> None:
    resources = [
        _load(gitops / "monitoring" / env / "kubernetes" / name)
        for env in ENVIRONMENTS
        for name in _operator_files(gitops, env)
    ]
    assert len(resources) == 4 * 7
    assert _crd_findings(resources) == []


def test_the_crd_check_rejects_a_malformed_service_monitor(gitops: Path) -> None:
    monitor = _load(gitops / "monitoring/production/kubernetes/tracking-api-servicemonitor.yaml")
    monitor["spec"]["endpoints"] = "metrics"
    findings = _crd_findings([monitor])
    assert [(f["kind"], f["index"]) for f in findings] == [("ServiceMonitor", 0)]


def test_the_prometheus_rule_carries_the_groups_of_the_rule_files(gitops: Path) -> None:
    folder = gitops / "monitoring" / "production"
    rule = _load(folder / "kubernetes" / "prometheusrule.yaml")
    files = [_load(folder / name)["groups"] for name in ("recording.yml", "alerts.yml")]
    assert rule["metadata"] == {
        "name": "parcel-rules",
        "namespace": "parcel",
        "labels": {
            "app.kubernetes.io/part-of": "parcel",
            "app.kubernetes.io/managed-by": "deployplan",
        },
    }
    assert rule["spec"]["groups"] == files[0] + files[1]


def _promtool_on_rule(folder: Path, tests: list[str], tmp_path: Path) -> None:
    """Runs the generated unit tests against the PrometheusRule's groups alone."""
    rule = _load(folder / "kubernetes" / "prometheusrule.yaml")
    (tmp_path / "rule.yml").write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    for name in tests:
        unit = _load(folder / name)
        unit["rule_files"] = ["rule.yml"]
        (tmp_path / name).write_text(yaml.safe_dump(unit))
        result = run(tool("promtool"), "test", "rules", name, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_unit_tests_pass_on_the_rules_inside_the_prometheus_rule(
    gitops: Path, environment: str, tmp_path: Path
) -> None:
    _promtool_on_rule(gitops / "monitoring" / environment, ["alerts.test.yml"], tmp_path)


def test_slo_rules_are_in_the_prometheus_rule_and_their_unit_tests_pass(tmp_path: Path) -> None:
    text = COMPOSE_HELM.read_text()
    context = "      kube_context: trackline-production\n"
    assert context in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(context, context + "      operators: [prometheus]\n"))
    out = tmp_path / "out"
    render_family(monitoring.plan, spec, out)
    folder = out / "monitoring" / "production"
    names = [g["name"] for g in _load(folder / "kubernetes/prometheusrule.yaml")["spec"]["groups"]]
    assert names == [
        "deployplan-recording",
        "deployplan-alerts",
        "deployplan-slo-recording",
        "deployplan-slo-alerts",
    ]
    _promtool_on_rule(folder, ["alerts.test.yml", "slo-alerts.test.yml"], tmp_path)
    assert not (out / "monitoring/staging/kubernetes/prometheusrule.yaml").exists()


def test_a_service_monitor_selects_the_headless_metrics_service_by_its_labels_and_port(
    gitops: Path,
) -> None:
    folder = gitops / "monitoring" / "production" / "kubernetes"
    service = _load(folder / "tracking-api-metrics.yaml")
    monitor = _load(folder / "tracking-api-servicemonitor.yaml")["spec"]
    labels = service["metadata"]["labels"]
    assert monitor["selector"]["matchLabels"].items() <= labels.items()
    assert monitor["namespaceSelector"] == {"matchNames": [service["metadata"]["namespace"]]}
    assert [e["port"] for e in monitor["endpoints"]] == [
        p["name"] for p in service["spec"]["ports"]
    ]
    assert monitor["endpoints"][0]["relabelings"] == [
        {"action": "replace", "targetLabel": "job", "replacement": "tracking-api"},
        {"action": "replace", "targetLabel": "service", "replacement": "tracking-api"},
    ]


def test_a_probe_is_the_blackbox_job_of_the_plain_configuration(gitops: Path) -> None:
    folder = gitops / "monitoring" / "production"
    probe = _load(folder / "kubernetes" / "probe-tracking-api-ready.yaml")["spec"]
    jobs = _load(folder / "prometheus.yml")["scrape_configs"]
    job = next(j for j in jobs if j["job_name"] == "probe-tracking_api_ready")
    assert probe == {
        "jobName": job["job_name"],
        "interval": "15s",
        "scrapeTimeout": "3000ms",
        "module": "tracking_api_ready",
        "prober": {"url": "blackbox-exporter:9115", "path": "/probe"},
        "targets": {
            "staticConfig": {
                "static": job["static_configs"][0]["targets"],
                "labels": {"service": "tracking-api", "indicator": "tracking_api_ready"},
            }
        },
    }


def test_velero_schedules_replace_the_backup_cronjob(gitops: Path) -> None:
    folder = gitops / "services" / "tracking-api" / "backup" / "production"
    schedules = {p.name: _load(p) for p in sorted((folder / "velero").glob("*.yaml"))}
    assert sorted(schedules) == [
        "kustomization.yaml",
        "tracking-api-cluster-state-offsite.yaml",
        "tracking-api-cluster-state.yaml",
    ]
    local = schedules["tracking-api-cluster-state.yaml"]
    assert local["apiVersion"] == "velero.io/v1"
    assert local["metadata"]["namespace"] == "velero"
    assert local["spec"] == {
        "schedule": "0 */6 * * *",
        "template": {
            "includedNamespaces": ["parcel"],
            "storageLocation": "parcel-production",
            "ttl": "336h0m0s",  # keep_daily: 14
        },
    }
    offsite = schedules["tracking-api-cluster-state-offsite.yaml"]["spec"]["template"]
    assert offsite["storageLocation"] == "parcel-dr"
    cronjobs = sorted(p.name for p in (folder / "kubernetes").glob("*.yaml"))
    assert cronjobs == ["tracking-api-cluster-state-verify.yaml"]


def test_kustomize_builds_the_schedules_into_veleros_namespace(gitops: Path) -> None:
    folder = gitops / "services" / "tracking-api" / "backup" / "production"
    built = _kustomize(folder / "velero")
    assert [(r["kind"], r["metadata"]["namespace"]) for r in built] == [("Schedule", "velero")] * 2
    kinds = [r["kind"] for r in _kustomize(folder)]
    assert "Schedule" not in kinds and kinds.count("CronJob") == 1


def test_without_operators_nothing_changes(gitops: Path, tmp_path: Path) -> None:
    spec = _without_operators(tmp_path)
    out = tmp_path / "out"
    render_family(monitoring.plan, spec, out)
    render_family(backups.plan, spec, out)
    assert _operator_files(out, "production") == []
    folder = out / "services" / "tracking-api" / "backup" / "production"
    assert not (folder / "velero").exists()
    cronjobs = sorted(p.name for p in (folder / "kubernetes").glob("*.yaml"))
    assert cronjobs == ["tracking-api-cluster-state-verify.yaml", "tracking-api-cluster-state.yaml"]

"""What Prometheus scrapes and probes, from the compose and Helm example: the pods a Helm
release's headless Service selects, and the port each environment's probes use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.targets.monitoring.scrape import metrics_services, scrape_configs
from tests.targets.test_deploy_scripts import example


def _unchanged(data: dict[str, Any]) -> None:
    pass


def _api_on_3300_in_staging(data: dict[str, Any]) -> None:
    api = next(s for s in data["services"] if s["name"] == "api")
    api["targets"]["staging"]["port"] = 3300


def test_the_metrics_services_of_helm_releases_select_the_release_pods(tmp_path: Path) -> None:
    plan = example(tmp_path, _unchanged)
    selectors = {h["service"]: h["selector"] for h in metrics_services(plan, "production")}
    assert selectors == {
        name: {"app.kubernetes.io/instance": name} for name in ("api", "frontend", "jobs", "cache")
    }


def test_probes_use_the_port_of_the_environment(tmp_path: Path) -> None:
    plan = example(tmp_path, _api_on_3300_in_staging)
    probes = {
        env: next(j for j in scrape_configs(plan, env) if j["job_name"] == "probe-api_ready")
        for env in ("staging", "development")
    }
    assert probes["staging"]["static_configs"][0]["targets"] == [
        "http://app-1.stg.trackline.internal:3300/healthz/ready",
        "http://app-2.stg.trackline.internal:3300/healthz/ready",
    ]
    assert probes["development"]["static_configs"][0]["targets"] == [
        "http://dev-1.dev.trackline.internal:3000/healthz/ready"
    ]

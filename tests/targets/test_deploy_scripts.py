"""What the deploy scripts of one service × environment read, from the compose and Helm
example with small changes: which verify criteria and gate queries each service gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.spec.model import DeploymentPlan
from generator.spec.validate import validate_file
from generator.targets.deploy.scripts import script_context
from tests.conftest import ROOT

SPEC = ROOT / "specs" / "examples" / "compose-helm.yaml"


def example(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> DeploymentPlan:
    """The compose and Helm example with ``change`` applied to its YAML."""
    data = yaml.safe_load(SPEC.read_text("utf-8"))
    change(data)
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    result = validate_file(spec, spec.name)
    assert result.plan is not None, result
    return result.plan


def _per_service_queries(data: dict[str, Any]) -> None:
    criteria = data["deployment_testing"]["validation_criteria"]
    criteria["error_rate_query"] = 'errors{job="$SERVICE",env="$ENVIRONMENT"}'
    criteria["p95_latency_query"] = 'p95{job="$SERVICE"}'
    criteria["availability_query"] = 'up{job="$SERVICE"}'
    data["deployment_flow"]["validation_points"].append(
        {
            "name": "no_restarts",
            "after_stage": "deploy",
            "check": {
                "type": "metric",
                "query": 'restarts{job="$SERVICE",env="$ENVIRONMENT"}',
                "operator": "<",
                "threshold": 1,
            },
        }
    )


def _service(plan: DeploymentPlan, name: str) -> Any:
    return next(s for s in plan.services if s.name == name)


def test_http_criteria_only_for_services_that_serve_http(tmp_path: Path) -> None:
    plan = example(tmp_path, _per_service_queries)
    criteria = {
        name: [
            c["query"] for c in script_context(plan, _service(plan, name), "staging")["criteria"]
        ]
        for name in ("api", "frontend", "jobs", "cache", "db")
    }
    assert criteria == {
        "api": ['errors{job="api",env="staging"}', 'p95{job="api"}', 'up{job="api"}'],
        "frontend": [
            'errors{job="frontend",env="staging"}',
            'p95{job="frontend"}',
            'up{job="frontend"}',
        ],
        "jobs": ['up{job="jobs"}'],
        "cache": ['up{job="cache"}'],
        "db": ['up{job="db"}'],
    }


def test_gate_queries_name_the_service_and_environment(tmp_path: Path) -> None:
    plan = example(tmp_path, _per_service_queries)
    stages = script_context(plan, _service(plan, "jobs"), "production")["stages"]
    queries = [
        g["check"]["query"] for s in stages for g in s["gates"] if g["name"] == "no_restarts"
    ]
    assert queries == ['restarts{job="jobs",env="production"}']

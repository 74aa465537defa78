"""``deployplan explain``: every leaf of the examples answers; whole answers for a value
written, inherited, defaulted, from an overlay and from ``--set``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.commands.explain import explain, model_data
from generator.spec.address import address_of
from generator.spec.provenance import leaf_paths
from generator.spec.validate import validate_file
from tests.conftest import ROOT, build_file_tree, run_cli

EXAMPLES = [
    ROOT / "specs" / "deployplan.yaml",
    *sorted((ROOT / "specs" / "examples").glob("*.yaml")),
]
ALLOCATION = "environments.production.infrastructure.compute_resources.allocations.web"


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.name)
def test_every_leaf_of_the_examples_is_explained(spec: Path) -> None:
    result = validate_file(spec, spec.name)
    assert result.plan is not None and result.loaded is not None
    written = leaf_paths(result.loaded.data)
    defaults = [p for p in leaf_paths(model_data(result.plan)) if p not in set(written)]
    for path in written + defaults:
        answer = explain(result.loaded, result.plan, address_of(path))
        assert answer.path == path
        assert answer.is_default == (path in defaults), path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The three-level ``extends`` spec as ``specs/deployplan.yaml``, plus an overlay."""
    build_file_tree(
        tmp_path,
        {
            "ci.yaml": "environments:\n  production:\n    infrastructure:\n"
            "      compute_resources:\n        allocations:\n          web: {replicas: 5}\n",
        },
    )
    (tmp_path / "specs").mkdir()
    shutil.copy(ROOT / "tests/specs/valid/extends-chain.yaml", tmp_path / "specs/deployplan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


DEPLOYMENT_FILES = [
    "output/environments/production/environment.yaml",
    "output/services/web/deploy/production/lib.sh",
    "output/services/web/kubernetes/overlays/production/deployment-patch.yaml",
    "site_docs/overview/services/web.md",
    "site_docs/reference/environments.md",
]


def _explain(*args: str) -> str:
    result = run_cli("explain", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_written_value(project: Path) -> None:
    assert _explain(
        "environments.staging.infrastructure.compute_resources.allocations.web.replicas"
    ) == (
        "environments.staging.infrastructure.compute_resources.allocations.web.replicas = 2\n"
        "  written at specs/deployplan.yaml:53:23\n"
        "  5 generated file(s) change with it:\n"
        "    output/environments/staging/environment.yaml\n"
        "    output/services/web/deploy/staging/lib.sh\n"
        "    output/services/web/kubernetes/overlays/staging/deployment-patch.yaml\n"
        "    site_docs/overview/services/web.md\n"
        "    site_docs/reference/environments.md\n"
        "  2 more record the plan's digest, which any value changes\n"
    )


def test_a_value_inherited_through_two_extends(project: Path) -> None:
    assert _explain(f"{ALLOCATION}.memory") == (
        f'{ALLOCATION}.memory = "256Mi"\n'
        "  written at specs/deployplan.yaml:39:21\n"
        "  inherited from environment `staging` through `extends` (specs/deployplan.yaml:59:14)\n"
        "  inherited from environment `base` through `extends` (specs/deployplan.yaml:47:14)\n"
        "  5 generated file(s) change with it:\n"
        "    output/environments/production/environment.yaml\n"
        "    output/services/web/kubernetes/overlays/production/canary/deployment.yaml\n"
        "    output/services/web/kubernetes/overlays/production/deployment-patch.yaml\n"
        "    site_docs/overview/services/web.md\n"
        "    site_docs/reference/environments.md\n"
        "  2 more record the plan's digest, which any value changes\n"
    )


def test_a_default(project: Path) -> None:
    assert _explain("services[0].stores_data") == (
        "services[0].stores_data = false\n"
        "  not written in the spec under `services[0]`: the model's default\n"
        "  3 generated file(s) change with it:\n"
        "    output/compliance/report.json\n"
        "    site_docs/compliance/index.md\n"
        "    site_docs/overview/services/web.md\n"
    )


def test_a_value_from_an_overlay(project: Path) -> None:
    assert _explain(f"{ALLOCATION}.replicas", "-f", "ci.yaml") == (
        f"{ALLOCATION}.replicas = 5\n"
        "  written at ci.yaml:6:27\n"
        "  from the overlay `-f ci.yaml`\n"
        "  replaces the value written before (specs/deployplan.yaml:70:23)\n"
        "  5 generated file(s) change with it:\n"
        + "".join(f"    {name}\n" for name in DEPLOYMENT_FILES)
        + "  2 more record the plan's digest, which any value changes\n"
    )


def test_a_value_from_set_as_json(project: Path) -> None:
    answer = json.loads(
        _explain("services.web.port", "--set", "services.web.port=8080", "--format", "json")
    )
    assert answer == {
        "path": "services[0].port",
        "value": 8080,
        "default": False,
        "location": {"file": "--set services.web.port", "line": 1, "column": 25},
        "through": [
            {
                "kind": "set",
                "message": "set on the command line: `--set services.web.port`",
                "location": None,
            }
        ],
        "files": [
            "output/services/web/deploy/production/lib.sh",
            "output/services/web/deploy/staging/lib.sh",
            "output/services/web/kubernetes/base/deployment.yaml",
            "output/services/web/kubernetes/base/service.yaml",
            "output/services/web/kubernetes/overlays/production/canary/deployment.yaml",
            "output/services/web/kubernetes/overlays/production/networkpolicy.yaml",
            "output/services/web/kubernetes/overlays/staging/networkpolicy.yaml",
            "site_docs/overview/services/web.md",
        ],
        "files_found_by": "changed",
        "files_with_plan_digest_only": [
            "output/compliance/report.json",
            "site_docs/compliance/index.md",
        ],
    }


def test_a_value_from_an_included_file() -> None:
    spec = ROOT / "tests" / "specs" / "split" / "deployplan.yaml"
    result = validate_file(spec, "specs/deployplan.yaml")
    assert result.plan is not None and result.loaded is not None
    answer = explain(result.loaded, result.plan, "services.payments.port")
    assert answer.location is not None
    assert (answer.location.file, answer.location.line) == ("specs/services/3-payments.yaml", 11)
    assert [(s.kind, s.message) for s in answer.steps] == [
        ("include", "from `specs/services/3-payments.yaml`, included")
    ]


def test_an_unknown_path_is_a_usage_error_with_a_suggestion(project: Path) -> None:
    result = run_cli("explain", "services.wbe.port")
    assert (result.exit_code, result.output) == (
        2,
        "deployplan: explain services.wbe.port: `services.wbe` is not in the spec; "
        "did you mean `web`?\n",
    )

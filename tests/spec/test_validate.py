"""The validation pipeline: stages agree with each other, and problems come all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec.load import load_spec
from generator.spec.resolve import resolve_extends
from generator.spec.structure import check_structure
from generator.spec.validate import validate_file
from tests.conftest import ROOT

VALID = sorted(
    [
        *(ROOT / "specs").glob("*.yaml"),
        *(ROOT / "specs" / "examples").glob("*.yaml"),
        *(ROOT / "tests" / "specs" / "valid").glob("*.yaml"),
        *(ROOT / "tests" / "golden").glob("*/spec.yaml"),
    ]
)


@pytest.mark.parametrize("spec", VALID, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_specs_the_model_accepts_satisfy_the_schema(spec: Path) -> None:
    # validate skips the schema pass when the model accepts a spec; that is sound only
    # while the two agree.
    assert validate_file(spec, spec.name).ok
    loaded = load_spec(spec, spec.name)
    assert resolve_extends(loaded) == []
    assert check_structure(loaded.data, loaded.positions) == []


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    minimal = (ROOT / "specs" / "examples" / "minimal.yaml").read_text()
    broken = (
        minimal.replace("kind: web", "kind: webb")
        .replace("count: 1", "count: one")
        .replace("owner: web\n  teams", "owner: web\n  colour: blue\n  teams")
    )
    spec.write_text(broken)
    result = validate_file(spec, "spec.yaml")
    assert [(d.code, d.location.line) for d in result.diagnostics] == [
        ("unknown-key", 9),
        ("invalid-value", 16),
        ("wrong-type", 31),
    ]
    assert result.plan is None


def test_a_string_where_a_number_belongs_is_rejected_not_coerced(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    minimal = (ROOT / "specs" / "examples" / "minimal.yaml").read_text()
    spec.write_text(minimal.replace("count: 1", 'count: "1"'))
    result = validate_file(spec, "spec.yaml")
    assert [d.message for d in result.diagnostics] == [
        "`environments.production.infrastructure.compute_resources.node_pools[0].count` "
        "must be a whole number, not `1`"
    ]


def test_rules_run_on_the_sections_that_are_well_formed(tmp_path: Path) -> None:
    # The service is malformed; the stage cycle (a rule on the model of deployment_flow)
    # is still found in the same run.
    spec = tmp_path / "spec.yaml"
    cycle = (ROOT / "tests" / "specs" / "invalid" / "stage-cycle.yaml").read_text()
    spec.write_text(cycle.replace("kind: web", "kind: webb"))
    result = validate_file(spec, "spec.yaml")
    assert [(d.code, d.location.line) for d in result.diagnostics] == [
        ("invalid-value", 13),
        ("dependency-cycle", 33),
    ]


def test_an_error_in_a_section_skips_the_rules_that_read_it(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    cycle = (ROOT / "tests" / "specs" / "invalid" / "stage-cycle.yaml").read_text()
    spec.write_text(cycle.replace("action: build", "action: bild"))
    result = validate_file(spec, "spec.yaml")
    assert [d.code for d in result.diagnostics] == ["invalid-value"]

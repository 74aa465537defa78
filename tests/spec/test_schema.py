"""The committed JSON Schema is the one the models generate, and it is a sound schema."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from generator.spec.load import load_spec
from generator.spec.schema import editor_schema, partial_schema, schema_text, validation_schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "specs" / "deployplan.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "specs/deployplan.schema.json is stale: "
        "run `deployplan schema > specs/deployplan.schema.json`"
    )


def test_schemas_are_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(validation_schema())
    Draft202012Validator.check_schema(editor_schema())


def test_editor_schema_accepts_a_partial_environment_that_extends() -> None:
    validator = Draft202012Validator(editor_schema())
    environments = editor_schema()["properties"]["environments"]
    child = {"extends": "production", "region": "eu-central-1"}
    assert not list(validator.evolve(schema=environments).iter_errors({"dr": child}))


def test_editor_schema_still_requires_a_full_environment_without_extends() -> None:
    validator = Draft202012Validator(editor_schema())
    environments = editor_schema()["properties"]["environments"]
    errors = list(validator.evolve(schema=environments).iter_errors({"dev": {"region": "x"}}))
    assert sorted(e.message for e in errors) == [
        "'environment_type' is a required property",
        "'infrastructure' is a required property",
    ]


def test_name_keyed_mappings_reject_bad_names() -> None:
    environments = validation_schema()["properties"]["environments"]
    assert environments["propertyNames"]["pattern"].startswith("^[a-z]")
    assert "patternProperties" not in json.dumps(validation_schema())


PARTIAL = ROOT / "specs" / "deployplan.partial.schema.json"
SPLIT = ROOT / "tests" / "specs" / "split"


def test_committed_partial_schema_is_current() -> None:
    assert PARTIAL.read_text(encoding="utf-8") == schema_text(partial=True), (
        "specs/deployplan.partial.schema.json is stale: "
        "run `deployplan schema --partial > specs/deployplan.partial.schema.json`"
    )
    Draft202012Validator.check_schema(partial_schema())


def test_each_file_of_a_split_spec_passes_the_schema_its_hint_names() -> None:
    for path in sorted(SPLIT.rglob("*.yaml")):
        hint = path.read_text(encoding="utf-8").splitlines()[0]
        schema = partial_schema() if "partial" in hint else editor_schema()
        data = load_spec(path, path.name).data
        assert [e.message for e in Draft202012Validator(schema).iter_errors(data)] == [], path


def test_the_partial_schema_still_rejects_unknown_keys_and_wrong_types() -> None:
    validator = Draft202012Validator(partial_schema())
    data = {"services": [{"name": "web", "prot": 1, "port": "x"}]}
    assert sorted(e.message for e in validator.iter_errors(data)) == [
        "'x' is not valid under any of the given schemas",
        "Additional properties are not allowed ('prot' was unexpected)",
    ]

"""The committed JSON Schema is the one the models generate, and it is a sound schema."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from generator.spec.schema import editor_schema, schema_text, validation_schema

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

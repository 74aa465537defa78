"""What the schema errors of :mod:`generator.spec.structure` are made of, in plain words.

The parts of a ``jsonschema`` error a diagnostic needs (the failing subschema, the value,
the branches of an ``anyOf``/``oneOf``), and the wording shared by every diagnostic: a
path as the spec writes it, a value as the reader sees it, a "did you mean" hint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import ValidationError

from generator.spec.positions import Path
from generator.suggest import closest, did_you_mean


def misspelling_of(
    key: str, instance: dict[str, Any], schema: dict[str, Any], path: Path
) -> Path | None:
    """The path of an unknown key that is ``key`` misspelled: the one fault to report."""
    if schema.get("additionalProperties") is not False:
        return None
    allowed = list(schema.get("properties", {}))
    for written in instance:
        if written not in allowed and closest(str(written), allowed) == key:
            return (*path, written)
    return None


def subschema(error: ValidationError) -> dict[str, Any]:
    """The failing subschema (the stubs allow booleans and "unset"; ours are objects)."""
    schema = error.schema
    return dict(schema) if isinstance(schema, Mapping) else {}


def instance_of(error: ValidationError) -> Any:
    return error.instance


def schema_value(error: ValidationError) -> Any:
    return error.validator_value


def group_by_branch(error: ValidationError) -> dict[int, list[ValidationError]]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        index = sub.relative_schema_path[0]
        if isinstance(index, int):
            branches.setdefault(index, []).append(sub)
    return branches


def plain_message(error: ValidationError, path: Path) -> str:
    message = re.sub(r"\s+", " ", error.message)
    if len(message) > 200:
        message = message[:197] + "..."
    return f"`{path_text(path)}`: {message}" if path else message


def path_text(path: Path) -> str:
    from generator.diagnostics import format_path

    return format_path(path) or "(top level)"


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "empty (null)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"`{shown}`" if "\n" not in shown and "`" not in shown else repr(shown)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`"


def suggestion(value: str, options: list[str], fallback_prefix: str) -> str | None:
    hint = did_you_mean(value, options)
    if hint:
        return hint
    if fallback_prefix and options:
        return fallback_prefix + ", ".join(f"`{o}`" for o in options)
    return None

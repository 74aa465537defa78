"""The JSON Schema of the spec, generated from the models, and its use as the first check.

Three variants come from one source: the validation schema checks a spec after
``extends`` and ``include`` are resolved; the editor schema (committed as
``specs/deployplan.schema.json``) lets an environment that ``extends`` another give only
the keys it changes, and allows ``include``; the partial schema (committed as
``specs/deployplan.partial.schema.json``) is for a file that holds part of a spec (an
included file, an overlay): no key is required at any level, while unknown keys, types
and enums are checked as in the others.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

SCHEMA_ID = "https://deployplan.dev/schema/deployplan.schema.json"
PARTIAL_SCHEMA_ID = "https://deployplan.dev/schema/deployplan.partial.schema.json"
_INCLUDE = {
    "description": "Files holding more of the spec, merged in this order after this one: "
    "paths or globs (`services/*.yaml`) relative to this file, below its folder.",
    "type": "array",
    "items": {"type": "string", "minLength": 1},
}
_DEFS = "#/$defs/"


@cache
def validation_schema() -> dict[str, Any]:
    """The schema a resolved spec must satisfy."""
    from generator.spec.model import DeploymentPlan

    schema = DeploymentPlan.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "deployplan spec"
    _walk(schema, _keyed_mappings)
    return schema


def _walk(node: Any, visit: Any) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _keyed_mappings(node: dict[str, Any]) -> None:
    """Name-keyed mappings: a key that breaks the pattern is an error, not ignored.

    pydantic emits ``patternProperties``, under which a non-matching key would be
    silently allowed; ``propertyNames`` reports it.
    """
    patterns = node.pop("patternProperties", None)
    if not patterns:
        return
    ((pattern, value_schema),) = patterns.items()
    node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": pattern}
    node["additionalProperties"] = value_schema


def editor_schema() -> dict[str, Any]:
    """The schema for editors: environments with ``extends`` may be partial."""
    schema = copy.deepcopy(validation_schema())
    defs: dict[str, Any] = schema["$defs"]
    partial_names = _add_partial_defs(defs, "DeploymentEnvironment")
    environments = schema["properties"]["environments"]
    full_ref = environments["additionalProperties"]["$ref"]
    environments["additionalProperties"] = {
        "if": {"required": ["extends"]},
        "then": {"$ref": _DEFS + partial_names["DeploymentEnvironment"]},
        "else": {"$ref": full_ref},
    }
    schema["properties"]["include"] = _INCLUDE
    # A file that includes others may leave any section to them.
    schema["if"] = {"required": ["include"]}
    schema["then"] = {}
    schema["else"] = {"required": schema.pop("required")}
    return schema


def partial_schema() -> dict[str, Any]:
    """The schema for a file holding part of a spec: nothing is required."""
    schema = editor_schema()
    schema["$id"] = PARTIAL_SCHEMA_ID
    schema["title"] = "deployplan spec, partial (an included file or an overlay)"
    _walk(
        schema,
        lambda node: node.pop("required", None) if isinstance(node.get("required"), list) else None,
    )
    return schema


def schema_text(partial: bool = False) -> str:
    """A schema as committed: stable key order, two-space indent, newline."""
    schema = partial_schema() if partial else editor_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _add_partial_defs(defs: dict[str, Any], root: str) -> dict[str, str]:
    """Copy ``root`` and the objects it nests through mappings, without ``required``.

    Lists are replaced whole by a child environment, so their items stay complete.
    """
    names: dict[str, str] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        if name in names or "properties" not in defs[name]:
            continue
        names[name] = name + "Partial"
        partial = copy.deepcopy(defs[name])
        partial.pop("required", None)
        for prop in partial.get("properties", {}).values():
            pending.extend(_retarget_mapping_refs(prop))
        defs[names[name]] = partial
    for partial_name in names.values():
        for prop in defs[partial_name].get("properties", {}).values():
            _rename_refs(prop, names)
    return names


def _retarget_mapping_refs(node: dict[str, Any]) -> list[str]:
    """Names of object definitions reached from ``node`` without passing through a list."""
    found = []
    if "$ref" in node:
        found.append(node["$ref"].removeprefix(_DEFS))
    for option in node.get("anyOf", []):
        found.extend(_retarget_mapping_refs(option))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        found.extend(_retarget_mapping_refs(extra))
    return found


def _rename_refs(node: dict[str, Any], names: dict[str, str]) -> None:
    if "$ref" in node:
        target = node["$ref"].removeprefix(_DEFS)
        if target in names:
            node["$ref"] = _DEFS + names[target]
    for option in node.get("anyOf", []):
        _rename_refs(option, names)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        _rename_refs(extra, names)

"""The example spec with a hostile payload in every free-text field.

Free text is found from the model, not listed by hand: every field typed ``Text`` (alone,
optional, or in a list or mapping) in the validated example spec, where the spec itself
writes it (values inherited through ``extends`` are changed where they are written).
Names and references keep their values, so the spec stays valid. Each field's payload
carries its own number, so a payload that runs names the field it came from.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.diagnostics import Severity, format_path
from generator.spec.model.types import Text
from generator.spec.validate import validate_file
from tests.conftest import ROOT

EXAMPLE = ROOT / "specs" / "deployplan.yaml"
PAYLOAD = (
    'Upgrade {n} </title><script>window.__pwned="{n}"</script>'
    "<img src=x onerror=\"window.__pwned='{n}'\">"
    "\"'><svg onload=\"window.__pwned='{n}'\">"
    '--></textarea><script>window.__pwned="{n}"</script>'
)
Path_ = tuple[str | int, ...]


def _holds_text(annotation: object) -> bool:
    return annotation == Text or any(_holds_text(a) for a in typing.get_args(annotation))


def text_paths(value: object, path: Path_ = (), text: bool = False) -> Iterator[Path_]:
    """Where ``value`` (a validated model) holds free text."""
    if isinstance(value, BaseModel):
        hints = typing.get_type_hints(type(value), include_extras=True)
        for name in type(value).model_fields:
            yield from text_paths(getattr(value, name), (*path, name), _holds_text(hints[name]))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from text_paths(item, (*path, key), text)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from text_paths(item, (*path, index), text)
    elif text and isinstance(value, str):
        yield path


def _has(tree: Any, step: str | int) -> bool:
    if isinstance(tree, list):
        return isinstance(step, int) and step < len(tree)
    return isinstance(tree, dict) and step in tree


def _parent(tree: Any, path: Path_) -> Any:
    for step in path[:-1]:
        if not _has(tree, step):
            return None
        tree = tree[step]
    return tree


def hostile_tree(payload: str = PAYLOAD) -> tuple[dict[str, Any], dict[int, str]]:
    """The example spec's tree with ``payload`` (``{n}``: its number) in every free-text
    field, and payload number -> field."""
    result = validate_file(EXAMPLE, "specs/deployplan.yaml")
    tree = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    fields: dict[int, str] = {}
    for path in text_paths(result.plan):
        parent, key = _parent(tree, path), path[-1]
        if _has(parent, key) and isinstance(parent[key], str):
            parent[key] = payload.format(n=len(fields))
            fields[len(fields)] = format_path(path)
    return tree, fields


def write_hostile_spec(target: Path, payload: str = PAYLOAD) -> Path:
    """Write the hostile spec to ``target``. Where validation refuses the payload (bidi
    controls in a command, say), the field keeps its value: the spec must stay valid."""
    tree, _ = hostile_tree(payload)
    original = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for _ in range(3):
        target.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
        found = validate_file(target, target.name).diagnostics
        errors = [d for d in found if d.severity is Severity.ERROR]
        if not errors:
            return target
        for diagnostic in errors:
            path = diagnostic.path
            _parent(tree, path)[path[-1]] = _parent(original, path)[path[-1]]
    raise AssertionError([d.message for d in errors])

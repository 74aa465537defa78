"""The example spec with a hostile payload in every free-text field and every URL.

Fields are found from the model, not listed by hand: every field typed ``Text`` or
``Url`` (alone, optional, or in a list or mapping) in the validated example spec, where
the spec itself writes it (values inherited through ``extends`` are changed where they
are written). Free text gets ``PAYLOAD``; a URL gets ``URL_PAYLOAD``, the most hostile
text a valid URL can hold. Names and references keep their values, so the spec stays
valid. Each field's payload carries its own number, so a payload that runs names the
field it came from.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.diagnostics import Severity, format_path
from generator.spec.model.types import Text, Url
from generator.spec.validate import validate_file
from tests.conftest import ROOT

EXAMPLE = ROOT / "specs" / "deployplan.yaml"
PAYLOAD = (
    'Upgrade {n} </title><script>window.__pwned="{n}"</script>'
    "<img src=x onerror=\"window.__pwned='{n}'\">"
    "\"'><svg onload=\"window.__pwned='{n}'\">"
    '--></textarea><script>window.__pwned="{n}"</script>'
)
# A URL may hold no quote, angle bracket, backtick, backslash, space or control
# character; what it can hold is aimed at every context it is written into: a single
# quote and a parenthesis to end a JavaScript string, a CSS url() or a Markdown link
# target, a Markdown link to a javascript: URL, percent-encoded and entity-encoded tags
# for a decoder that runs once too often, and a fragment that tries to become attributes.
URL_PAYLOAD = (
    "https://u{n}.example.com/p');window.__pwned='{n}';//"
    "?a=%3Cscript%3Ewindow.__pwned%3D{n}%3C/script%3E&amp;b=&#60;img&#32;src=x&#62;"
    "&c=*_](javascript:window.__pwned='{n}')_*"
    "#'onfocus='window.__pwned={n}'autofocus='"
)
Path_ = tuple[str | int, ...]


def _holds(annotation: object, kind: object) -> bool:
    return (
        annotation == kind
        or _narrows(annotation, kind)
        or any(_holds(a, kind) for a in typing.get_args(annotation))
    )


def _narrows(annotation: object, kind: object) -> bool:
    """``Annotated[Text, Tag(...)]`` is flattened to ``str`` with Text's metadata and more."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return False
    if typing.get_origin(kind) is not typing.Annotated:
        return False
    own = getattr(annotation, "__metadata__", ())
    wanted = getattr(kind, "__metadata__", ())
    same_type = typing.get_args(annotation)[0] is typing.get_args(kind)[0]
    return same_type and all(any(m is o for o in own) for m in wanted)


def typed_paths(
    value: object, kind: object, path: Path_ = (), typed: bool = False
) -> Iterator[Path_]:
    """Where ``value`` (a validated model) holds a string of type ``kind``."""
    if isinstance(value, BaseModel):
        hints = typing.get_type_hints(type(value), include_extras=True)
        for name in type(value).model_fields:
            held = _holds(hints[name], kind)
            yield from typed_paths(getattr(value, name), kind, (*path, name), held)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from typed_paths(item, kind, (*path, key), typed)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from typed_paths(item, kind, (*path, index), typed)
    elif typed and isinstance(value, str):
        yield path


def text_paths(value: object) -> Iterator[Path_]:
    """Where ``value`` (a validated model) holds free text."""
    return typed_paths(value, Text)


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


def hostile_tree(
    payload: str = PAYLOAD, url_payload: str | None = URL_PAYLOAD
) -> tuple[dict[str, Any], dict[int, str], set[int]]:
    """The example spec's tree with ``payload`` (``{n}``: its number) in every free-text
    field and ``url_payload`` in every URL (None: URLs keep their values); payload
    number -> field; and the numbers of the URL fields."""
    result = validate_file(EXAMPLE, "specs/deployplan.yaml")
    tree = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    fields: dict[int, str] = {}
    urls: set[int] = set()
    kinds = [(Text, payload)] + ([(Url, url_payload)] if url_payload is not None else [])
    for kind, hostile in kinds:
        for path in typed_paths(result.plan, kind):
            parent, key = _parent(tree, path), path[-1]
            if _has(parent, key) and isinstance(parent[key], str):
                parent[key] = hostile.format(n=len(fields))
                if kind is Url:
                    urls.add(len(fields))
                fields[len(fields)] = format_path(path)
    return tree, fields, urls


def write_hostile_spec(
    target: Path, payload: str = PAYLOAD, url_payload: str | None = URL_PAYLOAD
) -> Path:
    """Write the hostile spec to ``target``. Where validation refuses the payload (bidi
    controls in a command, say), the field keeps its value: the spec must stay valid."""
    tree, _, _ = hostile_tree(payload, url_payload)
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

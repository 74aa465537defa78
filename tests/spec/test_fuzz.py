"""No input produces a traceback: mutated specs validate, or fail with clean diagnostics.

Seeds are the shipped examples. Structural mutations work on the parsed data and are
dumped back to YAML; raw mutations edit the bytes of the small specs (the minimal example
and the valid corpus), so they also reach the YAML reader.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.report import format_json, format_text
from generator.spec.validate import validate_file

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "specs" / "examples" / "minimal.yaml"
EXAMPLE = ROOT / "specs" / "deployplan.yaml"
SMALL_SPECS = [MINIMAL, *sorted((ROOT / "tests" / "specs" / "valid").glob("*.yaml"))]
REQUIRED = ("project", "services", "environments")
# libyaml when it is there: the full example is large enough for the speed to matter.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    "$(rm -rf ~)",
    "`id`",
    '"; curl x | sh',
    "<script>alert(1)</script>",
    "a\nb: c",
    "{{ 7 * 7 }}",
    "../../etc/passwd",
    "*alias",
    "&anchor",
    "!!python/object",
    "- item",
    "key: value",
    "%TAG",
    "\t",
    "",
    "日本語",
    "AKIAIOSFODNN7EXAMPLE",
]
texts = st.text(st.characters(codec="utf-8"), max_size=20) | st.sampled_from(HOSTILE)
scalars = (
    texts
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)


@cache
def seed_data() -> tuple[dict[str, Any], dict[str, Any]]:
    """The minimal example and the full example, parsed once."""
    loaded = [
        yaml.load(p.read_text(encoding="utf-8"), Loader=SAFE_LOADER) for p in (MINIMAL, EXAMPLE)
    ]
    return loaded[0], loaded[1]


@st.composite
def seed_trees(draw: st.DrawFn) -> Any:
    """The minimal example, or (one time in three) the required sections of the full
    example plus one more: slices of it are small enough for 150 examples in seconds.
    """
    minimal, full = seed_data()
    if draw(st.integers(0, 2)) < 2:
        return copy.deepcopy(minimal)
    extra = draw(st.sampled_from([k for k in full if k not in REQUIRED]))
    return copy.deepcopy({k: full[k] for k in (*REQUIRED, extra)})


def containers(node: Any) -> list[Any]:
    """Every mapping and list in ``node``, itself included."""
    found = []
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            found.extend(containers(child))
    return found


@st.composite
def mutated_trees(draw: st.DrawFn) -> Any:
    """A seed with one to three structural mutations."""
    tree = draw(seed_trees())
    for _ in range(draw(st.integers(1, 3))):
        mutate = draw(st.sampled_from(TREE_MUTATIONS))
        tree = mutate(draw, tree)
    return tree


def delete_key(draw: st.DrawFn, tree: Any) -> Any:
    mappings = [c for c in containers(tree) if isinstance(c, dict) and c]
    if mappings:
        mapping = draw(st.sampled_from(mappings))
        del mapping[draw(st.sampled_from(sorted(mapping, key=str)))]
    return tree


def replace_node(draw: st.DrawFn, tree: Any) -> Any:
    parents = [c for c in containers(tree) if c]
    if not parents:
        return draw(values)
    parent = draw(st.sampled_from(parents))
    keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
    key = draw(st.sampled_from(keys))
    old_type = type(parent[key])
    parent[key] = draw(values.filter(lambda v: type(v) is not old_type))
    return tree


def duplicate_item(draw: st.DrawFn, tree: Any) -> Any:
    lists = [c for c in containers(tree) if isinstance(c, list) and c]
    if lists:
        items = draw(st.sampled_from(lists))
        index = draw(st.integers(0, len(items) - 1))
        items.insert(index, copy.deepcopy(items[index]))
    return tree


def rename_key(draw: st.DrawFn, tree: Any) -> Any:
    mappings = [c for c in containers(tree) if isinstance(c, dict) and c]
    if mappings:
        mapping = draw(st.sampled_from(mappings))
        old = draw(st.sampled_from(sorted(mapping, key=str)))
        mapping[draw(texts)] = mapping.pop(old)
    return tree


def insert_key(draw: st.DrawFn, tree: Any) -> Any:
    mappings = [c for c in containers(tree) if isinstance(c, dict)]
    if mappings:
        draw(st.sampled_from(mappings))[draw(texts)] = draw(values)
    return tree


TREE_MUTATIONS: list[Callable[[st.DrawFn, Any], Any]] = [
    delete_key,
    replace_node,
    duplicate_item,
    rename_key,
    insert_key,
]


# Bytes that YAML gives meaning to, plus a NUL and a Latin-1 byte that is not UTF-8.
PIECES = [b"\t", b":", b"- ", b"[", b"{", b"&a ", b"*a", b"\x00", b"\xe9", b"\n", b"'", b'"', b"  "]
pieces = st.sampled_from(PIECES) | st.binary(max_size=3)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A small spec with characters or lines deleted, inserted or duplicated."""
    data = draw(st.sampled_from(SMALL_SPECS)).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.splitlines(keepends=True)
        at = draw(st.integers(0, len(data)))
        row = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["delete", "insert", "delete line", "copy line", "new line"]))
        if kind == "delete":
            data = data[:at] + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(pieces) + data[at:]
        elif kind == "delete line":
            data = b"".join([*lines[:row], *lines[row + 1 :]])
        elif kind == "copy line":
            data = b"".join([*lines[: row + 1], *lines[row:]])
        else:
            data = b"".join([*lines[:row], draw(pieces) + b"\n", *lines[row:]])
    return data


def assert_clean(path: Path) -> None:
    """Validation returns (never raises) and every diagnostic is located and printable."""
    result = validate_file(path, path.name)

    for diagnostic in result.diagnostics:
        assert diagnostic.code
        assert diagnostic.message
        assert diagnostic.location.file == path.name
        assert diagnostic.location.line >= 1
        assert diagnostic.location.column >= 1
    assert format_text(result.diagnostics, {path.name: result.source})
    assert len(json.loads(format_json(result.diagnostics))) == len(result.diagnostics)


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "spec.yaml"


@FUZZ
@given(tree=mutated_trees())
def test_mutated_data_fails_cleanly(spec_path: Path, tree: Any) -> None:
    spec_path.write_text(
        yaml.dump(tree, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    assert_clean(spec_path)


@FUZZ
@given(data=mutated_bytes())
def test_mutated_text_fails_cleanly(spec_path: Path, data: bytes) -> None:
    spec_path.write_bytes(data)
    assert_clean(spec_path)

"""The official yaml-test-suite as a corpus: the loader reads YAML 1.2 exactly.

The cases are read from ``../shared/corpora/yaml-test-suite`` beside the repository. Every
valid single-document input loads with the data the suite expects, or gets one of the
loader's policy errors (a spec is a mapping of plain keys with untagged values) at a
position in the file; every invalid input is rejected with a position in the file; no
input raises anything but :class:`SpecInvalid`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml12

from generator.errors import SpecInvalid
from generator.spec.load import LoadedSpec, load_spec

SUITE = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "yaml-test-suite"
CASES = sorted(path.parent for path in SUITE.glob("**/in.yaml"))
VALID = [case for case in CASES if not (case / "error").exists()]
INVALID = [case for case in CASES if (case / "error").exists()]
#: What a valid YAML document may still be refused for: what a spec cannot hold.
POLICY = {"complex-key", "unsupported-tag", "root-not-mapping", "empty-spec", "duplicate-key"}


def _id(case: Path) -> str:
    return case.relative_to(SUITE).as_posix()


def _load(case: Path) -> LoadedSpec | SpecInvalid:
    try:
        return load_spec(case / "in.yaml", _id(case))
    except SpecInvalid as exc:
        return exc


def _documents(case: Path) -> int:
    return len(yaml12.parse_yaml((case / "in.yaml").read_text(encoding="utf-8"), multi=True))


def _expected(case: Path) -> object:
    """The data of ``in.json``, or ``...`` where there is none or it holds several."""
    path = case / "in.json"
    if not path.exists():
        return ...
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return ...  # several documents


def _within(case: Path, error: SpecInvalid) -> bool:
    lines = (case / "in.yaml").read_bytes().count(b"\n") + 1
    return all(1 <= d.location.line <= lines and d.location.column >= 1 for d in error.diagnostics)


def test_the_suite_is_found() -> None:
    assert len(CASES) == 402, f"expected the yaml-test-suite at {SUITE}"
    assert len(INVALID) == 94


@pytest.mark.parametrize("case", VALID, ids=_id)
def test_valid_input_loads_or_gets_a_policy_error(case: Path) -> None:
    result = _load(case)

    if isinstance(result, SpecInvalid):
        refused = {
            d.code
            for d in result.diagnostics
            if not (_documents(case) > 1 and "expected a single document" in d.message)
        }
        assert refused <= POLICY, [d.message for d in result.diagnostics]
        assert _within(case, result)
        return
    expected = _expected(case)
    if expected is not ...:
        assert result.data == expected


@pytest.mark.parametrize("case", INVALID, ids=_id)
def test_invalid_input_is_rejected_with_a_position(case: Path) -> None:
    result = _load(case)

    assert isinstance(result, SpecInvalid), "accepted invalid YAML"
    assert result.diagnostics
    assert _within(case, result)

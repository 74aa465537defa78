"""The spec corpora: every file in ``tests/specs/valid`` passes, every file in
``tests/specs/invalid`` fails with the diagnostics its header declares.

An invalid case declares what it must produce in leading comments (or, for a file that
cannot hold a comment, in a sidecar ``NAME.expect`` holding the same lines without ``# ``)::

    # expect: CODE LINE:COL      one line per diagnostic that must be reported
    # hint: TEXT                 the hint of the diagnostic expected just above
    # message: TEXT              its whole message
    # note: TEXT                 the text of one of its notes
    # complete: yes              nothing else may be reported
    # xfail: REASON              a known validator shortcoming (strict xfail)
    # xfail-cli: REASON          the same, for the command-line run
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.diagnostics import Diagnostic
from generator.report import format_text
from generator.spec.validate import ValidationResult, validate_file

SPECS = Path(__file__).resolve().parents[1] / "specs"
VALID = sorted((SPECS / "valid").glob("*.yaml"))
INVALID = sorted((SPECS / "invalid").glob("*.yaml"))

_DIRECTIVE = re.compile(r"^(expect|hint|message|note|complete|xfail|xfail-cli): (.*)$")
_EXPECT = re.compile(r"^(?P<code>[a-z][a-z0-9-]*) (?P<line>[0-9]+):(?P<column>[0-9]+)$")


@dataclass
class Expected:
    """One diagnostic an invalid case must produce."""

    code: str
    line: int
    column: int
    hint: str | None = None
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    def matches(self, diagnostic: Diagnostic) -> bool:
        loc = diagnostic.location
        return (
            (diagnostic.code, loc.line, loc.column) == (self.code, self.line, self.column)
            and self.hint in (None, diagnostic.hint)
            and self.message in (None, diagnostic.message)
            and all(note in [text for text, _ in diagnostic.notes] for note in self.notes)
        )


@dataclass
class Case:
    path: Path
    expected: list[Expected] = field(default_factory=list)
    complete: bool = False
    xfail: str | None = None
    xfail_cli: str | None = None


def read_case(path: Path) -> Case:
    """Parse the expectations of an invalid case from its header or sidecar."""
    case = Case(path)
    for key, value in _directives(path):
        if key == "expect":
            match = _EXPECT.match(value)
            if match is None:
                raise ValueError(f"{path.name}: bad expectation {value!r}")
            line, column = int(match["line"]), int(match["column"])
            case.expected.append(Expected(match["code"], line, column))
        elif key == "complete":
            case.complete = value == "yes"
        elif key == "xfail":
            case.xfail = value
        elif key == "xfail-cli":
            case.xfail_cli = value
        elif not case.expected:
            raise ValueError(f"{path.name}: `{key}:` comes before any `expect:`")
        elif key == "note":
            case.expected[-1].notes.append(value)
        else:
            setattr(case.expected[-1], key, value)
    if not case.expected:
        raise ValueError(f"{path.name}: no `# expect: CODE LINE:COL` line")
    return case


def _directives(path: Path) -> list[tuple[str, str]]:
    sidecar = path.with_suffix(".expect")
    if sidecar.exists():
        lines = sidecar.read_text(encoding="utf-8").splitlines()
    else:
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.removeprefix("#").strip())
    return [(m[1], m[2]) for m in map(_DIRECTIVE.match, lines) if m is not None]


def _params(reason_of: str) -> list[object]:
    params: list[object] = []
    for path in INVALID:
        case = read_case(path)
        reason = getattr(case, reason_of)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=path.name, marks=marks))
    return params


def _report(result: ValidationResult) -> str:
    return format_text(result.diagnostics, {result.source.label: result.source})


def test_corpora_are_found() -> None:
    assert len(VALID) >= 6
    assert len(INVALID) >= 45


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_spec_passes(path: Path) -> None:
    result = validate_file(path, path.name)

    assert result.diagnostics == [], _report(result)
    assert result.plan is not None


@pytest.mark.parametrize("case", _params("xfail"))
def test_invalid_spec_reports_expected_diagnostics(case: Case) -> None:
    result = validate_file(case.path, case.path.name)

    missing = [e for e in case.expected if not any(map(e.matches, result.diagnostics))]
    assert missing == [], "reported instead:\n" + _report(result)
    if case.complete:
        assert len(result.diagnostics) == len(case.expected), _report(result)
    assert result.errors
    assert result.plan is None


@pytest.mark.parametrize("case", _params("xfail_cli"))
def test_cli_rejects_invalid_spec_cleanly(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case.path.parent)
    name = case.path.name

    result = CliRunner().invoke(cli, ["validate", name], catch_exceptions=False)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    headlines = [line for line in result.stderr.splitlines() if line.startswith(f"{name}:")]
    assert headlines
    for line in headlines:
        assert re.match(rf"{re.escape(name)}:[1-9][0-9]*:[1-9][0-9]*: error\[[a-z0-9-]+\]: ", line)
    assert result.stderr.endswith(f"{len(headlines)} error{'s' * (len(headlines) != 1)}\n")


def test_extends_chain_merges_deeply() -> None:
    result = validate_file(SPECS / "valid" / "extends-chain.yaml", "extends-chain.yaml")
    assert result.plan is not None
    production = result.plan.environments["production"]
    compute = production.infrastructure.compute_resources

    # replicas from production, cpu and memory from base, memory_limit added by production
    assert compute.allocations["web"].model_dump(exclude_defaults=True) == {
        "replicas": 4,
        "cpu": "250m",
        "memory": "256Mi",
        "memory_limit": "1Gi",
    }
    assert [pool.count for pool in compute.node_pools] == [6]  # lists replace
    assert production.configuration.log_level == "info"  # from staging
    assert production.configuration.namespace == "shop"  # from base
    assert production.region == "ap-northeast-1"  # from base

"""Run the validator on a spec text and pick the findings of one code."""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Diagnostic, Location
from generator.spec.validate import validate_file
from tests.spec.rules.specs import line_of


def findings(tmp_path: Path, text: str, code: str) -> list[Diagnostic]:
    """Every diagnostic of ``code`` that ``deployplan validate`` reports for ``text``."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return [d for d in validate_file(spec, "spec.yaml").diagnostics if d.code == code]


def at(text: str, needle: str, column_of: str | None = None) -> Location:
    """Where ``column_of`` (default: ``needle``) starts on the only line holding ``needle``."""
    line = line_of(text, needle)
    column = text.splitlines()[line - 1].index(column_of or needle) + 1
    return Location("spec.yaml", line, column)

"""Validation in stages, every problem at once: load → extends → schema → types → rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic, Severity
from generator.errors import SpecInvalid
from generator.spec.load import LoadedSpec, SourceFile, load_spec

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan


@dataclass
class ValidationResult:
    """What validation found; ``plan`` is set when there are no errors."""

    source: SourceFile
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan: DeploymentPlan | None = None
    loaded: LoadedSpec | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors


def validate_file(path: FsPath, label: str) -> ValidationResult:
    """Validate the spec at ``path``; never raises for a bad spec."""
    try:
        loaded = load_spec(path, label)
    except SpecInvalid as exc:
        return ValidationResult(SourceFile(label, _safe_text(path)), _sorted(exc.diagnostics))
    return validate_loaded(loaded)


def validate_loaded(loaded: LoadedSpec) -> ValidationResult:
    """Validate an already loaded spec."""
    from generator.spec.resolve import resolve_extends
    from generator.spec.rules import check_rules

    result = ValidationResult(loaded.source, loaded=loaded)
    problems = resolve_extends(loaded)
    plan, type_problems = (None, []) if problems else _build_model(loaded)
    if plan is None:
        # The schema is generated from the models, so a spec the models accept satisfies it;
        # it only runs when something is wrong, to locate every structural problem.
        from generator.spec.structure import check_structure

        structural = _without_follow_ons(check_structure(loaded.data, loaded.positions), problems)
        result.diagnostics = _sorted(problems + (structural or type_problems))
        return result
    result.diagnostics = _sorted(check_rules(plan, loaded))
    if not result.errors:
        result.plan = plan
    return result


def _without_follow_ons(
    structural: list[Diagnostic], extends_problems: list[Diagnostic]
) -> list[Diagnostic]:
    """An environment whose ``extends`` failed lacks what it would inherit: say so once."""
    broken = {d.path[1] for d in extends_problems if len(d.path) > 1}
    return [
        d
        for d in structural
        if not (
            d.code == "missing-key"
            and d.path[:1] == ("environments",)
            and d.path[1:2]
            and d.path[1] in broken
        )
    ]


def _build_model(loaded: LoadedSpec) -> tuple[DeploymentPlan | None, list[Diagnostic]]:
    from pydantic import ValidationError

    from generator.spec.model import DeploymentPlan

    try:
        # Strict JSON mode accepts exactly what the JSON Schema accepts: no coercion of
        # "5" to 5, while dates and enums still come from their JSON text.
        document = json.dumps(loaded.data, allow_nan=False)
        return DeploymentPlan.model_validate_json(document, strict=True), []
    except ValueError as exc:
        if not isinstance(exc, ValidationError):
            return None, []  # not representable as JSON (NaN): the schema pass reports it
        problems = []
        for error in exc.errors(include_url=False):
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(
                Diagnostic(
                    "invalid-value",
                    f"`{_dotted(path)}`: {error['msg']}",
                    loaded.positions.value(path),
                    path,
                )
            )
        return None, problems


def _dotted(path: tuple[Any, ...]) -> str:
    from generator.diagnostics import format_path

    return format_path(path)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def _safe_text(path: FsPath) -> str:
    from generator.spec.load import within_size_limit

    if not within_size_limit(path):
        return ""  # an oversized spec is never read, not even to show its lines
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""

"""Validation in stages, every problem at once: load → extends → schema → types → rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic, Severity
from generator.errors import SpecInvalid
from generator.spec.layers import NO_LAYERS, Layers, LayersInvalid, load_layered
from generator.spec.load import LoadedSpec, SourceFile

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan


@dataclass
class ValidationResult:
    """What validation found; ``plan`` is set when there are no errors."""

    source: SourceFile
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan: DeploymentPlan | None = None
    loaded: LoadedSpec | None = None
    read: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def sources(self) -> dict[str, SourceFile]:
        """Every file the diagnostics may point into, by label."""
        if self.loaded:
            return self.loaded.sources
        return {**self.read, self.source.label: self.source}

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors


def validate_file(path: FsPath, label: str, layers: Layers = NO_LAYERS) -> ValidationResult:
    """Validate the spec at ``path`` with its includes and ``layers``; never raises for a
    bad spec."""
    try:
        loaded = load_layered(path, label, layers)
    except SpecInvalid as exc:
        read = exc.sources if isinstance(exc, LayersInvalid) else {}
        source = read.get(label) or SourceFile(label, _safe_text(path))
        return ValidationResult(source, _sorted(exc.diagnostics), read=read)
    return validate_loaded(loaded)


def validate_loaded(loaded: LoadedSpec) -> ValidationResult:
    """Validate an already loaded spec."""
    from generator.spec.resolve import resolve_extends
    from generator.spec.rules import check_rules

    result = ValidationResult(loaded.source, loaded=loaded)
    problems = resolve_extends(loaded)
    plan, type_problems = _build_model(loaded)
    if plan is not None and not problems:
        result.diagnostics = _sorted(_fold_follow_ons(check_rules(plan, loaded)))
        if not result.errors:
            result.plan = plan
        return result
    # The schema is generated from the models, so a spec the models accept satisfies it;
    # it only runs when something is wrong, to locate every structural problem.
    from generator.spec.partial import partial_plan
    from generator.spec.structure import check_structure

    structural = check_structure(loaded.data, loaded.positions)
    structural += _not_reported(type_problems, structural)
    structural = _without_follow_ons(structural, problems)
    broken = {str(d.path[0]) for d in problems + structural if d.path}
    # Rules still run on every section that is well-formed on its own.
    findings = check_rules(partial_plan(loaded.data, broken), loaded, partial=True)
    findings = _not_reported(findings, problems + structural)
    result.diagnostics = _sorted(_fold_follow_ons(problems + structural + findings))
    return result


def _not_reported(found: list[Diagnostic], reported: list[Diagnostic]) -> list[Diagnostic]:
    """``found`` less the ones about a node (or a part of one) that ``reported`` covers:
    one fault, one error, whichever stage saw it first."""
    errors = [d for d in reported if d.severity is Severity.ERROR]
    covered = [d.path for d in errors if d.path]
    # An inherited value is one node under several paths: its location tells.
    located = {d.location for d in errors}
    return [
        d
        for d in found
        if d.location not in located
        and not any(d.path[: len(p)] == p or p[: len(d.path)] == d.path for p in covered)
    ]


def _fold_follow_ons(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """An error that follows from another becomes a note on its cause."""
    causes = {d.path: i for i, d in enumerate(diagnostics) if d.severity is Severity.ERROR}
    folded = list(diagnostics)
    dropped: set[int] = set()
    for index, diagnostic in enumerate(diagnostics):
        at = causes.get(diagnostic.caused_by) if diagnostic.caused_by is not None else None
        if at is None or at == index:
            continue
        cause = folded[at]
        note = (f"because of this: {diagnostic.message}", diagnostic.location)
        folded[at] = replace(cause, notes=(*cause.notes, note))
        dropped.add(index)
    return [d for i, d in enumerate(folded) if i not in dropped]


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
            path = _data_path(error["loc"], loaded.data)
            problems.append(
                Diagnostic(
                    "invalid-value",
                    f"`{_dotted(path)}`: {error['msg']}",
                    loaded.positions.value(path),
                    path,
                )
            )
        return None, problems


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """pydantic's error location as a path in the data: union tags it adds are left out."""
    path: list[str | int] = []
    for index, part in enumerate(loc):
        if _has(data, part):
            data = data[part]
        elif index < len(loc) - 1 or not isinstance(part, str | int):
            continue
        path.append(part)
    return tuple(path)


def _has(data: Any, part: Any) -> bool:
    if isinstance(data, dict):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


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

"""Run every check, then judge each control of each framework in scope by its checks."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from generator.compliance.artifacts import ArtifactSource
from generator.compliance.checks import CHECKS
from generator.compliance.context import AuditContext, Demand, Demands
from generator.compliance.enforcement import with_tier
from generator.compliance.frameworks import ControlData, FrameworkData, frameworks
from generator.compliance.results import (
    AuditReport,
    CheckResult,
    ControlResult,
    FrameworkResult,
    Shortfall,
    Status,
    Tier,
    combined,
)
from generator.locale.message import Message
from generator.spec.model import DeploymentPlan
from generator.spec.model.security import ComplianceRequirement, Framework
from generator.spec.positions import PositionIndex

REQUIREMENTS = ("compliance", "compliance_requirements")
#: The framework id and title of a spec's own controls (the title is worded per language).
CUSTOM = "custom"


def evaluate(
    plan: DeploymentPlan,
    positions: PositionIndex,
    spec_label: str,
    artifacts: ArtifactSource | None = None,
) -> AuditReport:
    """The audit of ``plan``: every check, and every control of the frameworks in scope.

    ``artifacts`` are the generated files checks cite as enforcement; by default the
    families are planned and rendered with the built-in templates as checks ask for them.
    """
    if artifacts is None:
        from generator.compliance.artifacts import RenderedArtifacts
        from generator.targets.context import PlanContext

        artifacts = RenderedArtifacts(PlanContext(plan, spec_label, positions))
    context = AuditContext(plan, positions, artifacts=artifacts)
    scoped = [
        (index, requirement, _demands(plan, index, requirement))
        for index, requirement in enumerate(plan.compliance.compliance_requirements)
    ]
    strictest = Demands(
        audit_log_retention=tuple(d for _, _, ds in scoped for d in ds.audit_log_retention),
        backup_retention=tuple(d for _, _, ds in scoped for d in ds.backup_retention),
    )
    cache: dict[tuple[str, Demands], CheckResult] = {}

    def run(name: str, demands: Demands) -> CheckResult:
        key = (name, demands if CHECKS[name].uses_demands else Demands())
        if key not in cache:
            judged = context.with_demands(demands)
            cache[key] = with_tier(CHECKS[name].run(judged), judged)
        return cache[key]

    checks = tuple(run(name, strictest) for name in sorted(CHECKS))
    results = tuple(
        _framework(plan, positions, index, requirement, functools.partial(run, demands=demands))
        for index, requirement, demands in scoped
    )
    return AuditReport(
        spec_label,
        plan_digest(plan),
        plan.project.name,
        checks,
        results,
        _reporting(plan),
        tuple(t.model_dump(mode="json") for t in plan.compliance.audit_trails),
    )


def _reporting(plan: DeploymentPlan) -> dict[str, Any]:
    reporting = plan.compliance.reporting_requirements
    teams = {team.name: team for team in plan.project.teams}
    return {
        "frequency": reporting.frequency,
        "formats": list(reporting.formats),
        "audience": [
            {"team": name, "email": teams[name].email if name in teams else None}
            for name in reporting.audience
        ],
    }


def plan_digest(plan: DeploymentPlan) -> str:
    """SHA-256 of the validated plan as canonical JSON: what exactly was assessed."""
    return hashlib.sha256(plan.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()


def _label(plan: DeploymentPlan, data: FrameworkData) -> str:
    """``PCI DSS 4.0``; the spec's own controls are "<project> controls"."""
    if data.id == CUSTOM:
        return Message("%(project)s controls", project=plan.project.name)
    return data.label


def _data(requirement: ComplianceRequirement) -> FrameworkData:
    if requirement.framework is Framework.CUSTOM:
        controls = tuple(
            ControlData(id=c.id, title=c.title, description="", checks=tuple(c.checks))
            for c in requirement.custom_controls
        )
        # titled by _label: a message, which a pydantic str field would not keep
        return FrameworkData(id=CUSTOM, title="", version="", controls=controls)
    return frameworks()[requirement.framework.value]


def _demands(plan: DeploymentPlan, index: int, requirement: ComplianceRequirement) -> Demands:
    data = _data(requirement)
    label = _label(plan, data)
    base = (*REQUIREMENTS, index)
    found: dict[str, list[Demand]] = {"audit_log_retention": [], "backup_retention": []}
    for field in found:
        shipped = getattr(data, field, None)
        if shipped is not None:
            source = Message(
                "%(framework)s (requirement %(control)s)", framework=label, control=shipped.basis
            )
            found[field].append(Demand(shipped.duration, source, (*base, "framework")))
        own = getattr(requirement, field)
        if own is not None:
            source = Message("the %(framework)s requirement in the spec", framework=label)
            found[field].append(Demand(own, source, (*base, field)))
    return Demands(tuple(found["audit_log_retention"]), tuple(found["backup_retention"]))


def _framework(
    plan: DeploymentPlan,
    positions: PositionIndex,
    index: int,
    requirement: ComplianceRequirement,
    run: Callable[[str], CheckResult],
) -> FrameworkResult:
    data = _data(requirement)
    scope = set(requirement.controls)
    controls = tuple(
        _control(data, control, requirement.required, run)
        for control in data.controls
        if not scope or control.id in scope
    )
    location = positions.value((*REQUIREMENTS, index, "framework"))
    title = _label(plan, data) if data.id == CUSTOM else data.title
    return FrameworkResult(data.id, title, data.version, requirement.required, location, controls)


def _control(
    data: FrameworkData, control: ControlData, required: bool, run: Callable[[str], CheckResult]
) -> ControlResult:
    results = tuple(run(name) for name in control.checks if name in CHECKS)
    shortfalls = tuple(
        shortfall
        for result in results
        if (shortfall := _shortfall(result, control.tiers.get(result.check, Tier.DECLARED)))
    )
    status = combined(r.status for r in results)
    return ControlResult(
        framework=data.id,
        id=control.id,
        title=control.title,
        # the shipped descriptions are catalog messages (see frameworks/__init__.py)
        description=Message(control.description),
        status=Status.FAIL if shortfalls else status,
        required=required,
        checks=results,
        tiers=dict(control.tiers),
        shortfalls=shortfalls,
    )


def _shortfall(result: CheckResult, needed: Tier) -> Shortfall | None:
    """Why a passing check's evidence is too weak for the control, if it is."""
    if result.status is not Status.PASS or result.tier is None or result.tier.rank >= needed.rank:
        return None
    if result.tier is Tier.DECLARED:
        reason = Message("declared in the spec, but no generated artifact enforces it")
        if result.unenforced:
            reason = Message(
                "declared in the spec, but no generated artifact enforces it in %(scopes)s",
                scopes=", ".join(result.unenforced),
            )
    else:
        reason = Message("enforced by generated artifacts, but no generated probe verifies it")
    return Shortfall(result.check, result.tier, needed, reason)

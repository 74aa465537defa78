"""Compliance requirements name frameworks, controls and checks that exist."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.model.security import ComplianceRequirement, Framework
from generator.spec.rules.context import RuleContext
from generator.suggest import did_you_mean

REQUIREMENTS = ("compliance", "compliance_requirements")


def compliance_requirements(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each framework once; known control ids; custom controls built from known checks."""
    seen: dict[Framework, int] = {}
    for index, requirement in enumerate(ctx.plan.compliance.compliance_requirements):
        base = (*REQUIREMENTS, index)
        if requirement.framework in seen:
            first = ctx.positions.value((*REQUIREMENTS, seen[requirement.framework], "framework"))
            yield Diagnostic(
                "duplicate-framework",
                f"framework `{requirement.framework}` is listed more than once",
                ctx.positions.value((*base, "framework")),
                (*base, "framework"),
                hint="list each framework once, with all its controls",
                notes=(("first listed here", first),),
            )
        seen.setdefault(requirement.framework, index)
        if requirement.framework is Framework.CUSTOM:
            yield from _custom(ctx, index, requirement)
        else:
            yield from _controls(ctx, index, requirement)


def _controls(
    ctx: RuleContext, index: int, requirement: ComplianceRequirement
) -> Iterator[Diagnostic]:
    from generator.compliance.frameworks import frameworks

    base = (*REQUIREMENTS, index)
    data = frameworks()[requirement.framework.value]
    known = [control.id for control in data.controls]
    for position, control in enumerate(requirement.controls):
        if control not in known:
            yield ctx.at(
                (*base, "controls", position),
                "unknown-control",
                f"`{control}` is not a control of {data.label} that deployplan can check",
                hint=did_you_mean(control, known) or "known: " + ", ".join(known),
            )
    if requirement.custom_controls:
        yield ctx.at(
            (*base, "custom_controls"),
            "misplaced-custom-controls",
            f"custom controls belong to `framework: custom`, not `{requirement.framework}`",
            hint="move them to a `- framework: custom` entry",
        )


def _custom(
    ctx: RuleContext, index: int, requirement: ComplianceRequirement
) -> Iterator[Diagnostic]:
    from generator.compliance.checks import CHECKS

    base = (*REQUIREMENTS, index)
    if requirement.controls:
        yield ctx.at(
            (*base, "controls"),
            "misplaced-controls",
            "`controls` selects controls of a shipped framework; a custom framework's "
            "controls are its `custom_controls`",
            hint="remove `controls`, or move the ids to the framework they belong to",
        )
    ids: set[str] = set()
    for position, control in enumerate(requirement.custom_controls):
        path = (*base, "custom_controls", position)
        if control.id in ids:
            yield ctx.at(
                (*path, "id"),
                "duplicate-name",
                f"custom control `{control.id}` is defined more than once",
                hint="give each custom control its own id",
            )
        ids.add(control.id)
        for number, name in enumerate(control.checks):
            if name not in CHECKS:
                yield ctx.at(
                    (*path, "checks", number),
                    "unknown-check",
                    f"there is no check named `{name}`",
                    hint=did_you_mean(name, CHECKS) or "checks: " + ", ".join(sorted(CHECKS)),
                )

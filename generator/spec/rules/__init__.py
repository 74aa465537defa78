"""Stage three of validation: rules a schema cannot express.

Rules read the resolved data (parallel to the model) so every finding has the JSON path,
and therefore the position, of the node it is about. A rule is a function
``rule(context) -> Iterator[Diagnostic]``; add it to :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from generator.diagnostics import Diagnostic
from generator.spec.load import LoadedSpec
from generator.spec.partial import SectionUnavailable
from generator.spec.rules.characters import bidi_controls
from generator.spec.rules.compliance import compliance_requirements
from generator.spec.rules.context import RuleContext
from generator.spec.rules.deploy import DEPLOY_RULES
from generator.spec.rules.gitops import GITOPS_RULES
from generator.spec.rules.graphs import acyclic
from generator.spec.rules.names import references_resolve, unique_names
from generator.spec.rules.operability import OPERABILITY_RULES
from generator.spec.rules.pipelines import PIPELINE_RULES
from generator.spec.rules.placeholders import unknown_placeholders
from generator.spec.rules.steps import STEP_RULES
from generator.spec.rules.timezones import time_zones
from generator.spec.rules.training import concepts_taught
from generator.spec.rules.values import cron_expressions, plain_secrets

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan

Rule = Callable[[RuleContext], Iterator[Diagnostic]]

RULES: tuple[Rule, ...] = (
    unique_names,
    references_resolve,
    acyclic,
    cron_expressions,
    plain_secrets,
    time_zones,
    bidi_controls,
    unknown_placeholders,
    compliance_requirements,
    concepts_taught,
    *OPERABILITY_RULES,
    *PIPELINE_RULES,
    *DEPLOY_RULES,
    *GITOPS_RULES,
    *STEP_RULES,
)


def check_rules(
    plan: DeploymentPlan, loaded: LoadedSpec, *, partial: bool = False
) -> list[Diagnostic]:
    """Run every rule; all findings, errors and warnings.

    A ``partial`` plan (see :mod:`generator.spec.partial`) stands in for sections that
    failed validation: a rule that reads one is skipped, and so is one that trips over the
    malformed data those sections hold, since the schema has already reported it.
    """
    ctx = RuleContext(plan, loaded)
    if not partial:
        return [finding for rule in RULES for finding in rule(ctx)]
    findings: list[Diagnostic] = []
    for rule in RULES:
        try:
            findings.extend(rule(ctx))
        except (SectionUnavailable, AttributeError, KeyError, TypeError, ValueError):
            continue
    return findings

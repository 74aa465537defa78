"""Compliance: named checks evaluated against the spec, mapped to controls of frameworks.

A *check* (``checks/``) looks at spec values and says pass, fail or not applicable, with
the values it looked at and where the spec writes them. A *framework* (``frameworks/``,
data files) maps its controls to the checks that support them. :func:`evaluate` runs
both; ``reports`` turns the result into JSON, JUnit XML, SARIF and OSCAL.
"""

from __future__ import annotations

from generator.compliance.evaluate import evaluate
from generator.compliance.results import AuditReport, CheckResult, Evidence, Status

__all__ = ["AuditReport", "CheckResult", "Evidence", "Status", "evaluate"]

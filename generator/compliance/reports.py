"""An audit as JSON, JUnit XML, SARIF 2.1.0 or text. Output is byte-identical for equal input.

OSCAL is in :mod:`generator.compliance.oscal`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from generator.compliance.checks import CHECKS
from generator.compliance.results import (
    ArtifactEvidence,
    AuditReport,
    CheckResult,
    ControlResult,
    Evidence,
    FrameworkResult,
    Shortfall,
    Status,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def dumps(document: Any) -> str:
    """Stable, readable JSON."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def evidence_data(evidence: Evidence) -> dict[str, Any]:
    return {
        "path": evidence.dotted_path,
        "value": evidence.value,
        "file": evidence.location.file,
        "line": evidence.location.line,
        "column": evidence.location.column,
        "note": evidence.note,
        "ok": evidence.ok,
        "written": evidence.written,
        "inherited_from": evidence.inherited_from,
    }


def artifact_data(artifact: ArtifactEvidence) -> dict[str, Any]:
    return {
        "scope": artifact.scope,
        "file": artifact.file,
        "line": artifact.line,
        "text": artifact.text,
        "note": artifact.note,
        "probe": artifact.probe,
    }


def check_data(result: CheckResult) -> dict[str, Any]:
    definition = CHECKS[result.check]
    return {
        "name": result.check,
        "title": definition.title,
        "description": definition.description,
        "status": result.status.value,
        "tier": result.tier.value if result.tier else None,
        "summary": result.summary,
        "evidence": [evidence_data(e) for e in result.evidence],
        "artifacts": [artifact_data(a) for a in result.artifacts],
        "unenforced": list(result.unenforced),
    }


def shortfall_text(shortfall: Shortfall) -> str:
    """``network_default_deny (declared, needs enforced): <reason>``."""
    return f"{shortfall.check} ({shortfall.tier}, needs {shortfall.needed}): {shortfall.reason}"


def _control_data(control: ControlResult) -> dict[str, Any]:
    return {
        "id": control.id,
        "title": control.title,
        "description": control.description,
        "status": control.status.value,
        "required": control.required,
        "checks": [
            {
                "name": c.check,
                "status": c.status.value,
                "tier": c.tier.value if c.tier else None,
                "needs": control.needed(c.check).value,
            }
            for c in control.checks
        ],
        "shortfalls": [
            {
                "check": f.check,
                "tier": f.tier.value,
                "needs": f.needed.value,
                "reason": f.reason,
            }
            for f in control.shortfalls
        ],
    }


def _framework_data(framework: FrameworkResult) -> dict[str, Any]:
    return {
        "id": framework.id,
        "title": framework.title,
        "version": framework.version,
        "required": framework.required,
        "status": framework.status.value,
        "file": framework.location.file,
        "line": framework.location.line,
        "controls": [_control_data(c) for c in framework.controls],
    }


def _counts(statuses: list[Status]) -> dict[str, int]:
    return {status.value: statuses.count(status) for status in Status}


def to_json(report: AuditReport) -> str:
    """The whole audit: summary, frameworks with their controls, every check with evidence."""
    return dumps(
        {
            "report": "deployplan compliance audit",
            "project": report.project,
            "spec": {"file": report.spec_label, "plan_sha256": report.spec_sha256},
            "status": report.status.value,
            "summary": {
                "checks": _counts([c.status for c in report.checks]),
                "controls": _counts([c.status for f in report.frameworks for c in f.controls]),
                "required_controls_failed": [
                    f"{c.framework}:{c.id}" for c in report.failed_required
                ],
            },
            "frameworks": [_framework_data(f) for f in report.frameworks],
            "checks": [check_data(c) for c in report.checks],
            "audit_trails": list(report.audit_trails),
            "reporting": report.reporting,
        }
    )


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _evidence_lines(result: CheckResult) -> str:
    lines: list[str] = [result.summary]
    if result.tier is not None:
        lines.append(f"evidence tier: {result.tier}")
    for evidence in result.evidence:
        mark = {True: "ok  ", False: "FAIL", None: "    "}[evidence.ok]
        lines.append(f"{mark} {evidence.where} {evidence.dotted_path}: {evidence.note}")
    for artifact in result.artifacts:
        lines.append(f"{'probe' if artifact.probe else 'gen '} {artifact.where}: {artifact.note}")
    return "\n".join(lines)


def _testcase(
    suite: ET.Element,
    classname: str,
    name: str,
    status: Status,
    message: str,
    details: str,
    line: int | None,
    file: str,
) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=_xml_text(name))
    case.set("file", _xml_text(file))
    if line is not None:
        case.set("line", str(line))
    if status is Status.FAIL:
        failure = ET.SubElement(case, "failure", message=_xml_text(message), type="compliance")
        failure.text = _xml_text(details)
    elif status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", message=_xml_text(message))
    else:
        ET.SubElement(case, "system-out").text = _xml_text(details)


def _suite(parent: ET.Element, name: str, statuses: list[Status]) -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", name=_xml_text(name))
    suite.set("tests", str(len(statuses)))
    suite.set("failures", str(statuses.count(Status.FAIL)))
    suite.set("errors", "0")
    suite.set("skipped", str(statuses.count(Status.NOT_APPLICABLE)))
    return suite


def _first_line(result: CheckResult) -> int | None:
    evidence = result.failures or result.evidence
    return evidence[0].location.line if evidence else None


def to_junit(report: AuditReport) -> str:
    """One test suite of checks, then one per framework with a test case per control."""
    statuses = [c.status for c in report.checks]
    root = ET.Element("testsuites", name=_xml_text(f"deployplan audit of {report.project}"))
    every = statuses + [c.status for f in report.frameworks for c in f.controls]
    root.set("tests", str(len(every)))
    root.set("failures", str(every.count(Status.FAIL)))
    root.set("errors", "0")
    root.set("skipped", str(every.count(Status.NOT_APPLICABLE)))
    suite = _suite(root, "checks", statuses)
    file = report.spec_label
    for result in report.checks:
        details = _evidence_lines(result)
        line = _first_line(result)
        _testcase(suite, "checks", result.check, result.status, result.summary, details, line, file)
    for framework in report.frameworks:
        suite = _suite(root, framework.label, [c.status for c in framework.controls])
        for control in framework.controls:
            _control_case(suite, framework, control, file)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _control_case(
    suite: ET.Element, framework: FrameworkResult, control: ControlResult, file: str
) -> None:
    failing = [c for c in control.checks if c.status is Status.FAIL]
    required = "" if control.required else " (not required)"
    message = (
        f"failing checks{required}: {', '.join(c.check for c in failing)}"
        if failing
        else f"evidence too weak{required}: "
        + "; ".join(shortfall_text(f) for f in control.shortfalls)
        if control.shortfalls
        else "no supporting check applies"
        if control.status is Status.NOT_APPLICABLE
        else "every supporting check passes"
    )
    details = "\n\n".join(f"[{c.check}] {_evidence_lines(c)}" for c in control.checks)
    name = f"{control.id} {control.title}"
    line = framework.location.line
    _testcase(suite, framework.id, name, control.status, message, details, line, file)


def _sarif_rule(name: str, report: AuditReport) -> dict[str, Any]:
    definition = CHECKS[name]
    controls = sorted(
        f"{f.title} {c.id}"
        for f in report.frameworks
        for c in f.controls
        if any(r.check == name for r in c.checks)
    )
    return {
        "id": name,
        "shortDescription": {"text": definition.title},
        "fullDescription": {"text": definition.description},
        "properties": {"tags": ["compliance", *controls]},
    }


def _sarif_results(report: AuditReport, rules: list[str]) -> list[dict[str, Any]]:
    gating = {c.check for control in report.failed_required for c in control.checks}
    results = []
    for result in report.checks:
        tier = {"tier": result.tier.value if result.tier else None}
        for evidence in result.failures:
            results.append(
                {
                    "ruleId": result.check,
                    "ruleIndex": rules.index(result.check),
                    "kind": "fail",
                    "level": "error" if result.check in gating else "warning",
                    "message": {"text": f"{evidence.note}: {result.summary}"},
                    "locations": [_sarif_location(evidence)],
                    "properties": tier,
                }
            )
    return results + _sarif_shortfalls(report, rules)


def _sarif_shortfalls(report: AuditReport, rules: list[str]) -> list[dict[str, Any]]:
    """A result per control whose supporting check's evidence is weaker than it needs."""
    results = []
    for framework in report.frameworks:
        for control in framework.controls:
            for shortfall in control.shortfalls:
                result = next(c for c in control.checks if c.check == shortfall.check)
                level = "error" if control.required else "warning"
                text = f"{framework.label} {control.id}: {shortfall_text(shortfall)}"
                where = result.evidence[0] if result.evidence else None
                results.append(
                    {
                        "ruleId": shortfall.check,
                        "ruleIndex": rules.index(shortfall.check),
                        "kind": "fail",
                        "level": level,
                        "message": {"text": text},
                        "locations": [_sarif_location(where)] if where else [],
                        "properties": {
                            "tier": shortfall.tier.value,
                            "needs": shortfall.needed.value,
                        },
                    }
                )
    return results


def _sarif_location(evidence: Evidence) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": evidence.location.file},
            "region": {
                "startLine": evidence.location.line,
                "startColumn": evidence.location.column,
            },
        },
        "logicalLocations": [{"fullyQualifiedName": evidence.dotted_path or "spec"}],
    }


def to_sarif(report: AuditReport) -> str:
    """SARIF 2.1.0: every check as a rule, every failing spec value as a result."""
    rules = sorted(CHECKS)
    return dumps(
        {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "deployplan",
                            "rules": [_sarif_rule(name, report) for name in rules],
                        }
                    },
                    "results": _sarif_results(report, rules),
                    "properties": {
                        "planSha256": report.spec_sha256,
                        "tiers": {c.check: c.tier.value for c in report.checks if c.tier},
                    },
                }
            ],
        }
    )


def to_text(report: AuditReport, *, verbose: bool = False) -> str:
    """What ``deployplan audit`` prints: frameworks, then checks, failures with evidence."""
    symbol = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.NOT_APPLICABLE: "n/a "}
    lines = []
    for framework in report.frameworks:
        required = "required" if framework.required else "not required"
        lines.append(f"{framework.label} ({required})")
        for control in framework.controls:
            lines.append(f"  {symbol[control.status]}  {control.id}  {control.title}")
            for shortfall in control.shortfalls:
                lines.append(
                    f"          {shortfall.check} needs {shortfall.needed}: {shortfall.reason}"
                )
    if report.frameworks:
        lines.append("")
    lines.append("checks")
    for result in report.checks:
        # a failing check's evidence is the spec's own: its tier says nothing more
        tier = f" [{result.tier}]" if result.tier and result.status is Status.PASS else ""
        lines.append(f"  {symbol[result.status]}  {result.check}{tier}: {result.summary}")
        for evidence in result.evidence if verbose else result.failures:
            lines.append(f"          {evidence.where}: {evidence.dotted_path}: {evidence.note}")
        for artifact in result.artifacts if verbose else ():
            lines.append(f"          {artifact.where}: {artifact.note}")
    failed = report.failed_required
    lines.append("")
    if failed:
        ids = ", ".join(f"{c.framework} {c.id}" for c in failed)
        lines.append(f"{report.spec_label}: {len(failed)} required control(s) fail: {ids}")
    else:
        lines.append(f"{report.spec_label}: every required control passes")
    return "\n".join(lines) + "\n"

"""The audit as an OSCAL assessment-results document.

One result per framework in scope (or one for the checks alone): each check becomes an
observation whose relevant evidence points at the spec lines, each control a finding
that relates to the observations of its checks. UUIDs derive from the plan's digest, so
the document is byte-identical for identical input. OSCAL requires timestamps: they are
``assessed_at``, a fixed instant unless the caller passes the real one.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from generator.compliance.checks import CHECKS
from generator.compliance.reports import dumps, shortfall_text
from generator.compliance.results import AuditReport, CheckResult, ControlResult, Status

OSCAL_VERSION = "1.2.1"
#: The instant generated (committed) documents carry: they record no time, only the plan.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:deployplan:compliance")
_TOKEN_INVALID = re.compile(r"[^A-Za-z0-9_.-]")


def _uuid(report: AuditReport, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join((report.spec_sha256, *parts))))


def control_token(framework: str, control: str) -> str:
    """An OSCAL token for a control id: ``pci_dss-3.5.1``, ``soc2-cc6.1``."""
    return _TOKEN_INVALID.sub("-", f"{framework}-{control}".lower())


def _line(text: str) -> str:
    """One line, no edge spaces: what OSCAL titles and property values allow."""
    return " ".join(text.split()) or "-"


def _timestamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_oscal(report: AuditReport, assessed_at: datetime = UNDATED) -> str:
    """The assessment-results document, as JSON."""
    when = _timestamp(assessed_at)
    resource = _uuid(report, "resource", "spec")
    document = {
        "uuid": _uuid(report, "document"),
        "metadata": _metadata(report, when),
        "import-ap": {"href": f"#{resource}"},
        "results": _results(report, when),
        "back-matter": {
            "resources": [
                {
                    "uuid": resource,
                    "title": _line(f"Deployment-plan spec {report.spec_label}"),
                    "description": "The spec assessed; there is no separate assessment plan: "
                    "the checks and framework mappings of deployplan are the method.",
                    "props": [{"name": "plan-sha256", "ns": _NS, "value": report.spec_sha256}],
                    "rlinks": [{"href": report.spec_label}],
                }
            ]
        },
    }
    return dumps({"assessment-results": document})


_NS = "urn:deployplan"


def _metadata(report: AuditReport, when: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "title": _line(f"Compliance assessment of {report.project}"),
        "last-modified": when,
        "version": f"plan-{report.spec_sha256[:12]}",
        "oscal-version": OSCAL_VERSION,
    }
    audience = report.reporting["audience"]
    if audience:
        parties = [_party(report, member) for member in audience]
        metadata["roles"] = [{"id": "prepared-for", "title": "Prepared For"}]
        metadata["parties"] = parties
        metadata["responsible-parties"] = [
            {"role-id": "prepared-for", "party-uuids": [p["uuid"] for p in parties]}
        ]
    metadata["remarks"] = (
        f"Reported {report.reporting['frequency']}. Generated from the plan with SHA-256 "
        f"{report.spec_sha256}."
    )
    return metadata


def _party(report: AuditReport, member: dict[str, Any]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "uuid": _uuid(report, "party", member["team"]),
        "type": "organization",
        "name": _line(member["team"]),
    }
    if member["email"]:
        party["email-addresses"] = [member["email"]]
    return party


def _results(report: AuditReport, when: str) -> list[dict[str, Any]]:
    if not report.frameworks:
        return [_result(report, when, "checks", "deployplan checks", list(report.checks), [])]
    results = []
    for framework in report.frameworks:
        # the checks as judged for this framework's demands (retention periods differ)
        judged = {c.check: c for control in framework.controls for c in control.checks}
        checks = [judged[name] for name in sorted(judged)]
        controls = list(framework.controls)
        results.append(_result(report, when, framework.id, framework.label, checks, controls))
    return results


def _result(
    report: AuditReport,
    when: str,
    key: str,
    title: str,
    checks: list[CheckResult],
    controls: list[ControlResult],
) -> dict[str, Any]:
    selection: dict[str, Any] = (
        {"include-controls": [{"control-id": control_token(key, c.id)} for c in controls]}
        if controls
        else {"include-all": {}}
    )
    result: dict[str, Any] = {
        "uuid": _uuid(report, "result", key),
        "title": _line(f"{title}: {report.project}"),
        "description": f"Controls of {title} judged by deployplan's checks of the plan.",
        "start": when,
        "end": when,
        "reviewed-controls": {"control-selections": [selection]},
    }
    if checks:
        result["observations"] = [_observation(report, when, key, c) for c in checks]
    if controls:
        result["findings"] = [_finding(report, key, c) for c in controls]
    return result


def _observation(report: AuditReport, when: str, key: str, check: CheckResult) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "uuid": _uuid(report, "observation", key, check.check),
        "title": _line(CHECKS[check.check].title),
        "description": check.summary,
        "props": [
            {"name": "check", "ns": _NS, "value": check.check},
            {"name": "status", "ns": _NS, "value": check.status.value},
            *(
                [{"name": "evidence-tier", "ns": _NS, "value": check.tier.value}]
                if check.tier
                else []
            ),
        ],
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "collected": when,
    }
    if check.evidence:
        observation["relevant-evidence"] = [
            {
                "href": f"{e.location.file}#L{e.location.line}",
                "description": f"{e.dotted_path or 'spec'} ({e.where}): {e.note}",
                "props": [
                    {"name": "spec-path", "ns": _NS, "value": _line(e.dotted_path or "spec")}
                ],
            }
            for e in check.evidence
        ]
    if check.artifacts:
        observation.setdefault("relevant-evidence", []).extend(
            {
                "href": f"{a.file}#L{a.line}",
                "description": f"{a.where}: {a.note}",
                "props": [
                    {
                        "name": "evidence-tier",
                        "ns": _NS,
                        "value": "verified" if a.probe else "enforced",
                    }
                ],
            }
            for a in check.artifacts
        )
    return observation


def _finding(report: AuditReport, key: str, control: ControlResult) -> dict[str, Any]:
    target: dict[str, Any] = {
        "type": "objective-id",
        "target-id": control_token(key, control.id),
        "title": _line(f"{control.id} {control.title}"),
    }
    if control.status is Status.NOT_APPLICABLE:
        target["implementation-status"] = {"state": "not-applicable"}
    else:
        state = "satisfied" if control.status is Status.PASS else "not-satisfied"
        target["status"] = {"state": state}
    finding: dict[str, Any] = {
        "uuid": _uuid(report, "finding", key, control.id),
        "title": _line(f"{control.id} {control.title}"),
        "description": control.description or control.title,
        "props": [
            {"name": "required", "ns": _NS, "value": str(control.required).lower()},
            *(
                {
                    "name": "evidence-tier-needed",
                    "ns": _NS,
                    "class": check,
                    "value": control.needed(check).value,
                }
                for check in sorted(control.tiers)
            ),
        ],
        "target": target,
    }
    if control.shortfalls:
        finding["remarks"] = "\n".join(shortfall_text(s) for s in control.shortfalls)
    if control.checks:
        finding["related-observations"] = [
            {"observation-uuid": _uuid(report, "observation", key, c.check)} for c in control.checks
        ]
    return finding

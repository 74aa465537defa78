"""The ``compliance`` family: reports shaped by reporting_requirements, linked site pages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
from trestle.oscal.assessment_results import Model as AssessmentResults

from generator.spec.schema import validation_schema
from generator.targets.compliance import reference_anchor
from generator.targets.reference import reference_sections
from tests.compliance.helpers import spec_text
from tests.conftest import ROOT, build_file_tree, run_cli

HOSTILE = spec_text(
    security="""\
security:
  access_controls:
    identity_provider: "<script>alert(1)</script>"
    roles: [{name: ops, teams: [ops], mfa: true, permissions: {production: [deploy]}}]
""",
    compliance="""\
compliance:
  compliance_requirements:
    - framework: custom
      custom_controls:
        - {id: OWN-1, title: "<img src=x onerror=alert(1)> | ]] &", checks: [mfa_production_deploy]}
  audit_trails:
    - {name: d, events: [deployment], destination: "s3://x/<b>`id`</b>", retention: 1d}
  reporting_requirements: {formats: [html, json, junit, sarif, oscal]}
""",
)


def generate(tmp_path: Path, spec: str) -> dict[str, str]:
    build_file_tree(tmp_path, {"spec.yaml": spec})
    result = run_cli(
        "generate", "spec.yaml", "--only", "compliance", "--out", "out", "--docs", "docs"
    )
    assert result.exit_code == 0, result.output
    return {
        p.relative_to(tmp_path).as_posix(): p.read_text("utf-8")
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and p.suffix != ".yaml" and not p.name.startswith(".")
    }


def test_the_example_links_evidence_to_reference_sections_and_spec_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(tmp_path, (ROOT / "specs" / "deployplan.yaml").read_text("utf-8"))
    assert {"out/compliance/report.json", "out/compliance/junit.xml"} <= set(files)
    AssessmentResults.model_validate(json.loads(files["out/compliance/assessment-results.json"]))
    anchors = {s.slug for s in reference_sections(validation_schema())}
    pages = {k: v for k, v in files.items() if k.startswith("docs/compliance/")}
    assert {"docs/compliance/index.md", "docs/compliance/access-control.md"} <= set(pages)
    assert "docs/compliance/pci_dss-10-5-1.md" in pages
    linked = {a for page in pages.values() for a in re.findall(r"spec\.md#([\w-]+)\)", page)}
    assert linked and linked <= anchors
    control = pages["docs/compliance/pci_dss-3-5-1.md"]
    assert (
        "[security.encryption_settings.at_rest.enabled]"
        "(../reference/spec.md#spec-security-encryption_settings-at_rest)"
    ) in control
    assert re.search(
        r"\(https://github\.com/example/shop-deployplan/blob/main/spec\.yaml#L\d+\)", control
    )


def test_formats_shape_what_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(tmp_path, spec_text())
    reports = [f for f in files if f.startswith("out/") and "/probes/" not in f]
    assert sorted(reports) == ["out/compliance/report.json"]
    assert "out/compliance/probes/production/network-policies.sh" in files
    assert "docs/compliance/index.md" in files
    assert "No framework is in scope" in files["docs/compliance/index.md"]


def test_hostile_text_comes_out_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = generate(tmp_path, HOSTILE)
    for path in ("out/compliance/junit.xml",):
        ET.fromstring(files[path])
    json.loads(files["out/compliance/report.sarif.json"])
    for path, page in files.items():
        if path.endswith(".md"):
            html = markdown.markdown(page, extensions=["tables", "attr_list", "md_in_html"])
            for tag in ("<script", "<img", "<b>"):
                assert tag not in html, path
    assert (
        "<img src=x onerror=alert(1)> | ]] &"
        in json.loads(files["out/compliance/report.json"])["frameworks"][0]["controls"][0]["title"]
    )


@pytest.mark.parametrize(
    ("path", "anchor"),
    [
        (
            ("security", "security_policies", 1, "max_age"),
            "spec-security-security_policies-secret_rotation",
        ),
        (
            ("security", "security_policies", 2, "fail_on"),
            "spec-security-security_policies-dependency_scanning-image_scanning-secret_scanning",
        ),
        (
            (
                "environments",
                "production",
                "infrastructure",
                "network_configuration",
                "ingresses",
                0,
                "tls",
            ),
            "spec-environments-name-infrastructure-network_configuration-ingresses",
        ),
        (
            ("security", "access_controls", "roles", 0, "permissions", "production"),
            "spec-security-access_controls-roles",
        ),
        (("compliance", "audit_trails"), "spec-compliance-audit_trails"),
        (("nowhere",), "spec-spec"),
    ],
)
def test_reference_anchor(path: tuple[str | int, ...], anchor: str) -> None:
    data = {
        "security": {
            "security_policies": [
                {"kind": "tls"},
                {"kind": "secret_rotation"},
                {"kind": "dependency_scanning"},
            ]
        }
    }
    assert reference_anchor(path, data) == anchor

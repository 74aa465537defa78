"""``deployplan audit``: a CI gate on the required controls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compliance.helpers import spec_text
from tests.conftest import ROOT, build_file_tree, run_cli

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
    - {framework: pci_dss, controls: ["8.4.1"]}
""",
)


def test_the_example_passes_its_required_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("audit")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("specs/deployplan.yaml: every required control passes\n")


@pytest.mark.parametrize(
    "example", sorted(p.name for p in (ROOT / "specs" / "examples").glob("*.yaml"))
)
def test_every_example_passes_its_required_controls(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("audit", f"specs/examples/{example}")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"specs/examples/{example}: every required control passes\n")


def test_a_failing_required_control_fails_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"spec.yaml": FAILING})
    result = run_cli("audit", "spec.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "PCI DSS 4.0 (required)\n"
        "  FAIL  8.4.1  MFA for administrative access into the cardholder data environment\n"
    )
    assert (
        "  FAIL  mfa_production_deploy: Some roles can change production without MFA.\n"
        "          spec.yaml:25:26: security.access_controls.roles[0].mfa: "
        "`ops` has no MFA; needed for deploy in production\n"
    ) in result.stdout
    assert result.stdout.endswith("spec.yaml: 1 required control(s) fail: pci_dss 8.4.1\n")


def test_a_failing_control_that_is_not_required_does_not_fail_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    optional = FAILING.replace('controls: ["8.4.1"]}', 'controls: ["8.4.1"], required: false}')
    build_file_tree(tmp_path, {"spec.yaml": optional})
    result = run_cli("audit", "spec.yaml")
    assert result.exit_code == 0
    assert result.stdout.startswith("PCI DSS 4.0 (not required)\n")


@pytest.mark.parametrize("output_format", ["json", "junit", "sarif", "oscal"])
def test_every_format_gates_the_same_way(
    output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"spec.yaml": FAILING})
    result = run_cli(
        "audit", "spec.yaml", "--format", output_format, "--now", "2026-05-04T10:00:00"
    )
    assert result.exit_code == 1
    if output_format != "junit":
        json.loads(result.stdout)
    else:
        assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')


def test_oscal_is_dated_by_now_or_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"spec.yaml": FAILING})
    dated = run_cli("audit", "spec.yaml", "--format", "oscal", "--now", "2026-05-04T10:00:00+02:00")
    metadata = json.loads(dated.stdout)["assessment-results"]["metadata"]
    assert metadata["last-modified"] == "2026-05-04T08:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    epoch = run_cli("audit", "spec.yaml", "--format", "oscal")
    metadata = json.loads(epoch.stdout)["assessment-results"]["metadata"]
    assert metadata["last-modified"] == "2026-01-01T00:00:00Z"


def test_a_bad_now_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"spec.yaml": FAILING})
    result = run_cli("audit", "spec.yaml", "--now", "yesterday")
    assert result.exit_code == 2
    assert result.stderr == "deployplan: --now yesterday: not an ISO 8601 date-time\n"


def test_an_invalid_spec_fails_with_its_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"spec.yaml": FAILING.replace('"8.4.1"', '"6.4.3"')})
    result = run_cli("audit", "spec.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "spec.yaml:28:39: error[unknown-control]: `6.4.3` is not a control of PCI DSS 4.0 that "
        "deployplan can check"
    )
    assert lines[-2:] == ["  hint: did you mean `8.6.3`?", "1 error"]

"""Bidirectional controls: errors where text is code or a name, warnings in prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Severity
from generator.report import format_text
from generator.spec.rules.characters import BIDI_CONTROL
from generator.spec.validate import validate_file
from tests.spec.rules.findings import at, findings

SPEC = """\
project:
  name: shop
  description: {description}
  owner: platform
  teams:
    - name: platform
services:
  - name: web
    description: The storefront.
    kind: web
    owner: platform
    build_command: {command}
    targets:
      production:
        engine: kubernetes
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: eks 1.30
        node_pools:
          - name: general
            count: 3
            cpu: "2"
            memory: 8Gi
"""


def spec(description: str = "A shop.", command: str = "make") -> str:
    return SPEC.replace("{description}", description).replace("{command}", command)


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\u061c", "\u200e", "\u202a"])
def test_a_control_in_a_command_is_an_error_at_the_character(tmp_path: Path, char: str) -> None:
    text = spec(command=f"make build{char}")

    [finding] = findings(tmp_path, text, "bidi-control")

    assert finding.severity is Severity.ERROR
    assert finding.location == at(text, f"build{char}", char)
    assert finding.path == ("services", 0, "build_command")


def test_a_control_in_prose_is_a_warning(tmp_path: Path) -> None:
    text = spec(description="Arabic text \u200fمتجر\u200f here.")

    [finding] = findings(tmp_path, text, "bidi-control")

    assert finding.severity is Severity.WARNING
    assert finding.location == at(text, "Arabic", "\u200f")


def test_a_control_in_a_mapping_key_is_an_error(tmp_path: Path) -> None:
    text = spec() + (
        "configuration_management:\n"
        "  config_files:\n"
        "    - {name: web-settings, service: web, path: config/settings.yaml, format: yaml,\n"
        "       values: {page\u202e_size: 20}}\n"
    )

    [finding] = findings(tmp_path, text, "bidi-control")

    assert finding.severity is Severity.ERROR
    assert finding.path == (
        "configuration_management",
        "config_files",
        0,
        "values",
        "page\u202e_size",
    )
    assert finding.location == at(text, "values: {page", "\u202e")


def test_plain_text_has_no_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, spec(description="Plain, with émoji ✓."), "bidi-control") == []


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\u061c", "\u200e", "\u202a"])
def test_the_report_shows_the_character_escaped(tmp_path: Path, char: str) -> None:
    text = spec(command=f"make build{char}")
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    result = validate_file(tmp_path / "spec.yaml", "spec.yaml")

    report = format_text(result.diagnostics, {"spec.yaml": result.source})

    assert BIDI_CONTROL.search(report) is None
    assert f" 12 |     build_command: make build\\u{ord(char):04x}\n" in report

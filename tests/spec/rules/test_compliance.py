"""Compliance requirements name shipped controls and known checks."""

from __future__ import annotations

import pytest

from generator.spec.load import SourceFile, load_text
from generator.spec.validate import validate_loaded
from tests.compliance.helpers import spec_text


def problems(compliance: str) -> list[tuple[int, int, str, str, str | None]]:
    loaded = load_text(SourceFile("spec.yaml", spec_text(compliance=compliance)))
    return [
        (d.location.line, d.location.column, d.code, d.message, d.hint)
        for d in validate_loaded(loaded).diagnostics
    ]


@pytest.mark.parametrize(
    ("compliance", "expected"),
    [
        (
            "compliance:\n  compliance_requirements:\n"
            "    - {framework: iso27001, controls: [A.8.31]}\n",
            [
                (
                    23,
                    40,
                    "unknown-control",
                    "`A.8.31` is not a control of ISO/IEC 27001 2022 that deployplan can check",
                    "did you mean `A.8.32`?",
                )
            ],
        ),
        (
            "compliance:\n  compliance_requirements:\n    - framework: custom\n"
            "      custom_controls:\n        - {id: OWN-1, title: Own, checks: [mfa]}\n",
            [
                (
                    25,
                    44,
                    "unknown-check",
                    "there is no check named `mfa`",
                    "did you mean `mfa_production_deploy`?",
                )
            ],
        ),
        (
            "compliance:\n  compliance_requirements:\n"
            "    - framework: soc2\n    - framework: soc2\n",
            [
                (
                    24,
                    18,
                    "duplicate-framework",
                    "framework `soc2` is listed more than once",
                    "list each framework once, with all its controls",
                )
            ],
        ),
        (
            "compliance:\n  compliance_requirements:\n    - framework: soc2\n"
            "      custom_controls: [{id: OWN-1, title: Own, checks: [dr_drill]}]\n",
            [
                (
                    24,
                    24,
                    "misplaced-custom-controls",
                    "custom controls belong to `framework: custom`, not `soc2`",
                    "move them to a `- framework: custom` entry",
                )
            ],
        ),
    ],
    ids=["unknown control", "unknown check", "duplicate framework", "misplaced custom controls"],
)
def test_compliance_requirements(
    compliance: str, expected: list[tuple[int, int, str, str, str | None]]
) -> None:
    assert problems(compliance) == expected


def test_shipped_controls_and_checks_are_accepted() -> None:
    compliance = (
        "compliance:\n  compliance_requirements:\n"
        '    - {framework: pci_dss, controls: ["10.5.1"]}\n'
        "    - framework: custom\n"
        "      custom_controls: [{id: OWN-1, title: Own, checks: [dr_drill]}]\n"
    )
    assert problems(compliance) == []

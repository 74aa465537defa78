"""Time-zone fields name IANA zones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spec.rules.findings import at, findings
from tests.spec.rules.specs import spec_with


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_iana_zones_pass(tmp_path: Path, zone: str) -> None:
    assert findings(tmp_path, spec_with(timezone=zone), "unknown-timezone") == []


@pytest.mark.parametrize(
    ("zone", "hint"),
    [
        ("asia/tokyo", "did you mean `Asia/Tokyo`?"),
        ("Europe/Berln", "did you mean `Europe/Berlin`?"),
        ("Mars/Olympus", "write an IANA name such as `UTC`, `Europe/Berlin` or `Asia/Tokyo`"),
        ("../../etc/passwd", "write an IANA name such as `UTC`, `Europe/Berlin` or `Asia/Tokyo`"),
    ],
)
def test_unknown_zones_are_errors_with_a_hint(tmp_path: Path, zone: str, hint: str) -> None:
    text = spec_with(timezone=zone)

    [finding] = findings(tmp_path, text, "unknown-timezone")

    assert finding.message == f"`{zone}` is not a time zone of the IANA tz database"
    assert finding.hint == hint
    assert finding.location == at(text, f"timezone: {zone}", zone)
    assert finding.path == ("backup_strategy", "schedule", "timezone")


def test_an_unknown_zone_is_reported_with_the_schema_errors_of_other_sections(
    tmp_path: Path,
) -> None:
    text = spec_with(timezone="Europe/Berln").replace("kind: database", "kind: databse")

    assert [d.code for d in findings(tmp_path, text, "invalid-value")] == ["invalid-value"]
    [finding] = findings(tmp_path, text, "unknown-timezone")
    assert finding.hint == "did you mean `Europe/Berlin`?"

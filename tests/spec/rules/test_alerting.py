"""Alerting rules: threshold levels in order, receivers with what their channel needs."""

from __future__ import annotations

from pathlib import Path

from tests.spec.rules.findings import at, findings
from tests.spec.rules.specs import spec_with

_ALERTING = """\
health_check:
  monitoring_points:
    - {name: disk_free, service: orders-db, expression: 'min(node_filesystem_avail_bytes)'}
  alert_thresholds:
    thresholds:
      - {name: disk_low, monitoring_point: disk_free, operator: "<", warning: 10, critical: 20}
monitoring:
  alerting_system:
    receivers:
      - {name: mail, type: email, target: ops@example.com}
      - {name: chat, type: slack, target: "#ops"}
    default_receiver: mail
"""


def test_critical_lies_beyond_warning(tmp_path: Path) -> None:
    text = spec_with() + _ALERTING
    [finding] = findings(tmp_path, text, "alert-levels")
    assert finding.message == (
        "critical level 20 is above the warning level 10, so `disk_low` would be critical "
        "before it warns"
    )
    assert finding.location == at(text, "critical: 20", "20")
    assert finding.notes == (("the warning level is set here", at(text, "warning: 10", "10")),)


def test_receivers_have_what_their_channel_needs(tmp_path: Path) -> None:
    text = spec_with() + _ALERTING
    assert [f.message for f in findings(tmp_path, text, "receiver-smtp")] == [
        "email receiver `mail` needs a mail relay, and alerting_system has no smtp"
    ]
    assert [f.message for f in findings(tmp_path, text, "receiver-credentials")] == [
        "a slack receiver needs its incoming-webhook URL, and `chat` names no credentials"
    ]

"""``deployplan audit``: evaluate the compliance checks; exit 1 when a required control fails."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from generator.commands.validate import report, spec_label
from generator.errors import UsageProblem
from generator.spec.layers import NO_LAYERS, Layers
from generator.spec.validate import validate_file

FORMATS = ("text", "json", "junit", "sarif", "oscal")


def assessed_at(now: str | None) -> datetime:
    """When the assessment happened: ``--now``, else ``SOURCE_DATE_EPOCH``, else the clock."""
    if now is not None:
        try:
            instant = datetime.fromisoformat(now)
        except ValueError:
            raise UsageProblem(f"--now {now}: not an ISO 8601 date-time") from None
        return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise UsageProblem(f"SOURCE_DATE_EPOCH={epoch}: not a Unix timestamp") from None
    return datetime.now(UTC)


def run(
    spec: Path,
    output_format: str,
    now: str | None = None,
    verbose: bool = False,
    layers: Layers = NO_LAYERS,
) -> int:
    """Validate ``spec`` (with ``layers``), audit it, print the result in ``output_format``."""
    when = assessed_at(now)
    label = spec_label(spec)
    result = validate_file(spec, label, layers)
    report(result)
    if result.plan is None or result.loaded is None:
        return 1

    from generator.compliance import evaluate
    from generator.compliance.oscal import to_oscal
    from generator.compliance.reports import to_json, to_junit, to_sarif, to_text

    audit = evaluate(result.plan, result.loaded.positions, label)
    writers = {
        "text": lambda: to_text(audit, verbose=verbose),
        "json": lambda: to_json(audit),
        "junit": lambda: to_junit(audit),
        "sarif": lambda: to_sarif(audit),
        "oscal": lambda: to_oscal(audit, when),
    }
    click.echo(writers[output_format](), nl=False)
    return 1 if audit.failed_required else 0

"""Values a schema cannot judge: cron expressions, and secrets written in plain text."""

from __future__ import annotations

from collections.abc import Iterator

from generator.diagnostics import Diagnostic
from generator.spec.rules.context import RuleContext, select
from generator.spec.secrets import find_plain_secrets

CRON_FIELDS: tuple[tuple[str, ...], ...] = (
    ("backup_strategy", "schedule", "jobs", "*", "cron"),
    ("backup_strategy", "schedule", "restore_tests", "*", "cron"),
    ("operations", "maintenance_procedures", "*", "window", "cron"),
    ("disaster_recovery", "failover_strategy", "drill_schedule"),
)


def cron_expressions(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every schedule parses as a five-field cron expression."""
    from datetime import datetime

    from cronsim import CronSim, CronSimError

    for pattern in CRON_FIELDS:
        for path, expression in select(ctx.data, pattern):
            if expression is None:
                continue
            try:
                CronSim(expression, datetime(2026, 1, 1))
            except CronSimError as exc:
                yield ctx.at(
                    path,
                    "invalid-cron",
                    f"`{expression}` is not a valid cron expression: {exc}",
                    hint="five fields: minute hour day-of-month month day-of-week, "
                    "e.g. `0 2 * * *`",
                )


def plain_secrets(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No secret values outside ``secrets_management``."""
    for path, reason, matched in find_plain_secrets(ctx.data):
        yield Diagnostic(
            "plain-secret",
            f"this looks like a secret value ({reason}); secrets may only be references",
            ctx.find_text(path, matched) if matched else ctx.positions.value(path),
            path,
            hint="declare it under configuration_management.secrets_management.secrets "
            "(`- {name: orders-db-password, provider: vault, path: shop/orders/db, "
            "key: password}`) and refer to it with `secret: orders-db-password`",
        )

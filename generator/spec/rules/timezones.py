"""Time zones are IANA names this machine knows.

An unknown name would reach ``OnCalendar=`` and CronJob ``timeZone`` fields verbatim, and
the RPO arithmetic would quietly fall back to UTC; so every time-zone field is checked
against the tz database (the system's, or the ``tzdata`` package's).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from generator.diagnostics import Diagnostic
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext
from generator.suggest import closest


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    """Every IANA zone name available here."""
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def is_time_zone_field(key: str) -> bool:
    """``timezone`` (project, backup schedule) and any ``…_timezone`` added later."""
    return key in ("timezone", "time_zone") or key.endswith(("_timezone", "_time_zone"))


def _time_zone_fields(data: Any, prefix: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and is_time_zone_field(str(key)):
                yield (*prefix, key), value
            else:
                yield from _time_zone_fields(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _time_zone_fields(value, (*prefix, index))


def time_zones(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every time-zone field names a zone of the IANA tz database."""
    for path, name in _time_zone_fields(ctx.data):
        if name in known_time_zones():
            continue
        match = closest(name, known_time_zones())
        hint = (
            f"did you mean `{match}`?"
            if match
            else "write an IANA name such as `UTC`, `Europe/Berlin` or `Asia/Tokyo`"
        )
        yield ctx.at(
            path,
            "unknown-timezone",
            f"`{name}` is not a time zone of the IANA tz database",
            hint=hint,
        )

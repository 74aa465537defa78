"""Dated occurrences of cron schedules, for the maintenance calendar and backup timeline.

Occurrences are computed from the spec's ``operations.calendar.start``, never from the
clock, so the pages come out byte-identical on every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from generator.locale import N_
from generator.render import Raw
from generator.spec.model.types import duration_seconds

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@dataclass(frozen=True)
class Occurrence:
    """One run of a schedule: when it starts and ends, in the schedule's time zone."""

    start: dt.datetime
    end: dt.datetime

    @property
    def weekday(self) -> str:
        """``Mon`` … ``Sun`` (a message id: templates translate it)."""
        return WEEKDAYS[self.start.weekday()]

    # Dates and times are digits the generator formats: printed as they are (as Raw),
    # "03:00" stays readable in the Markdown instead of becoming "03&#58;00".
    @property
    def day(self) -> str:
        return Raw(self.start.strftime("%Y-%m-%d"))

    @property
    def time(self) -> str:
        return Raw(self.start.strftime("%H:%M"))

    @property
    def until(self) -> str:
        """End time; with the date when the run ends on a later day."""
        if self.end.date() == self.start.date():
            return Raw(self.end.strftime("%H:%M"))
        return Raw(self.end.strftime("%Y-%m-%d %H:%M"))


def zone(name: str) -> dt.tzinfo:
    """The IANA time zone ``name``; UTC when this machine does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def occurrences(
    cron: str, timezone: str, start: dt.date, days: int, duration: str = "0s", limit: int = 500
) -> list[Occurrence]:
    """Runs of ``cron`` from midnight of ``start`` for ``days`` days (at most ``limit``)."""
    tz = zone(timezone)
    begin = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    end = begin + dt.timedelta(days=days)
    length = dt.timedelta(seconds=duration_seconds(duration))
    try:
        # CronSim yields the times after its start: begin one minute early to include midnight
        runs = CronSim(cron, begin - dt.timedelta(minutes=1))
    except CronSimError:
        return []
    found: list[Occurrence] = []
    for when in runs:
        if when >= end or len(found) >= limit:
            break
        found.append(Occurrence(when, when + length))
    return found


def runs_per_day(cron: str, start: dt.date) -> int:
    """How many times ``cron`` runs on the busiest of the 7 days from ``start``."""
    counts: dict[str, int] = {}
    for run in occurrences(cron, "UTC", start, 7, limit=7 * 24 * 60):
        counts[run.day] = counts.get(run.day, 0) + 1
    return max(counts.values(), default=0)

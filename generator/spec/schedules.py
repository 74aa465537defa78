"""What cron schedules promise: the longest time between two runs, and durations as text.

A backup's schedule bounds how much data can be lost (its RPO). The gap is computed by
running the cron expressions with cronsim over windows long enough to repeat every gap:
two days for schedules that repeat daily, two weeks for weekly ones, a year otherwise,
plus the days around each daylight-saving change of the schedule's time zone.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

_START = datetime(2026, 1, 1)
_DAY = timedelta(days=1)
_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def format_duration(seconds: float) -> str:
    """``5400`` -> ``1h30m``; ``90000`` -> ``1d1h``; the spec's own duration syntax."""
    rest = round(seconds)
    if rest <= 0:
        return "0s"
    parts = []
    for unit, size in _UNITS:
        if unit == "w" and rest % size:
            continue  # "9d" reads better than "1w2d"
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def time_zone(name: str) -> tzinfo:
    """The IANA zone ``name``; UTC when the name is unknown (the schema checks names)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def longest_gap(crons: tuple[str, ...], zone: str = "UTC") -> float | None:
    """Seconds between the two runs furthest apart when all ``crons`` run together.

    ``None`` when an expression does not parse (``invalid-cron`` reports it).
    """
    try:
        return _longest_gap(tuple(sorted(set(crons))), zone)
    except CronSimError:
        return None


@functools.lru_cache(maxsize=1024)
def _longest_gap(crons: tuple[str, ...], zone: str) -> float:
    tz = time_zone(zone)
    period = max(_period(cron) for cron in crons)
    gaps = [_gap_in(crons, start.replace(tzinfo=tz), period) for start in _windows(tz, period)]
    return max(gaps)


def _period(cron: str) -> timedelta:
    """How soon the schedule repeats itself, at most; a year stands for "irregular"."""
    _, _, day, month, weekday = cron.split()
    if day == month == "*":
        return _DAY if weekday == "*" else 7 * _DAY
    return 366 * _DAY


def _windows(tz: tzinfo, period: timedelta) -> list[datetime]:
    """Window starts: the first of the year, and before each daylight-saving change."""
    if period > 7 * _DAY:
        return [_START]
    starts = [_START]
    for offset in range(366):
        day = _START + offset * _DAY
        if tz.utcoffset(day) != tz.utcoffset(day + _DAY):
            starts.append(day - period)
    return starts


def _gap_in(crons: tuple[str, ...], start: datetime, period: timedelta) -> float:
    end = start + 2 * period
    runs = heapq.merge(*(_runs(cron, start) for cron in crons))
    previous: datetime | None = None
    longest = 0.0
    for run in runs:
        if previous is not None:
            longest = max(longest, (run - previous).total_seconds())
            if run > end:
                break
        previous = run
    return longest


def _runs(cron: str, start: datetime) -> Iterator[datetime]:
    # cronsim yields local wall-clock times; UTC makes the differences real elapsed time
    utc = ZoneInfo("UTC")
    for run in CronSim(cron, start):
        yield run.astimezone(utc)

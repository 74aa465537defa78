"""How often a cron schedule runs, measured as the longest gap between two runs.

Checks derive "restore-tested within N days" and "DR drill within N days" from the
schedules in the spec rather than from "last done" dates that would go stale.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from cronsim import CronSim

#: Measured over two years from a fixed day, so leap years and month lengths count.
START = datetime(2026, 1, 1)
HORIZON = timedelta(days=2 * 366)
_DAY = timedelta(days=1)


def longest_gap(crons: Sequence[str], limit: timedelta | None = None) -> timedelta | None:
    """The longest time between two consecutive runs of any of ``crons`` taken together.

    ``None`` when there is no cron. Stops early once a gap exceeds ``limit``: that gap
    is returned (the answer is then "longer than the limit", which is all a check needs).
    """
    if not crons:
        return None
    if any(_daily(cron) for cron in crons):
        return _DAY  # a cron that runs on every day never leaves a gap longer than a day
    end = START + HORIZON
    longest = timedelta(0)
    previous: datetime | None = None
    for run in heapq.merge(*(_runs(cron, end) for cron in crons)):
        if previous is not None:
            longest = max(longest, run - previous)
            if limit is not None and longest > limit:
                return longest
        previous = run
    if longest == timedelta(0):
        return HORIZON  # runs at most once in the horizon (e.g. on 29 February)
    return longest


def _daily(cron: str) -> bool:
    _, _, day, month, weekday = cron.split()
    return day == month == weekday == "*"


def _runs(cron: str, end: datetime) -> Iterator[datetime]:
    for run in CronSim(cron, START):
        if run > end:
            return
        yield run


def describe(gap: timedelta) -> str:
    """``7d``, ``1d``, ``92d``, ``12h``: the gap in the spec's duration notation."""
    if gap >= _DAY and gap % _DAY == timedelta(0):
        return f"{gap.days}d"
    hours = gap.total_seconds() / 3600
    if hours >= 1 and hours == int(hours):
        return f"{int(hours)}h"
    return f"{int(gap.total_seconds() // 60)}m"

"""How often a cron schedule runs, measured as the longest gap between two runs.

Checks derive "restore-tested within N days" and "DR drill within N days" from the
schedules in the spec rather than from "last done" dates that would go stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from generator.spec import schedules

_DAY = timedelta(days=1)


def longest_gap(crons: Sequence[str], zone: str = "UTC") -> timedelta | None:
    """The longest time between two consecutive runs of any of ``crons`` taken together.

    ``None`` when there is no cron. The measure is the one the recovery rules use
    (:func:`generator.spec.schedules.longest_gap`), so the audit and ``validate`` agree.
    """
    if not crons:
        return None
    seconds = schedules.longest_gap(tuple(crons), zone)
    return None if seconds is None else timedelta(seconds=seconds)


def describe(gap: timedelta) -> str:
    """``7d``, ``1d``, ``92d``, ``12h``: the gap in the spec's duration notation."""
    if gap >= _DAY and gap % _DAY == timedelta(0):
        return f"{gap.days}d"
    hours = gap.total_seconds() / 3600
    if hours >= 1 and hours == int(hours):
        return f"{int(hours)}h"
    return f"{int(gap.total_seconds() // 60)}m"

"""A cron expression as systemd ``OnCalendar=`` lines that fire at the same times.

Each cron field becomes the set of values it matches, written back in systemd's syntax
(``*``, ``a/step``, ``a..b``, lists, weekday names). Cron runs a job when the day of the
month *or* the weekday matches if both are restricted; systemd requires both, so such an
expression becomes two lines, one per field.
"""

from __future__ import annotations

from collections.abc import Callable

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEKDAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
# (lowest, highest, names) of minute, hour, day of month, month, day of week
_FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()), (1, 12, _MONTHS), (0, 7, _WEEKDAYS))


def on_calendar(cron: str, timezone: str = "UTC") -> list[str]:
    """``"*/15 2 * * 1-5"`` -> ``["Mon..Fri *-*-* 02:00/15:00 UTC"]`` (a checked cron)."""
    _, _, day, _, weekday = cron.split()
    values = [_values(field, spec) for field, spec in zip(cron.split(), _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = values
    weekdays = sorted({d % 7 for d in weekdays})
    either = not day.startswith("*") and not weekday.startswith("*")
    clock = f"{_pad(_compact(hours, 0, 23))}:{_pad(_compact(minutes, 0, 59))}:00"
    month_part = _pad(_compact(months, 1, 12))

    def line(days_part: str, weekday_part: str) -> str:
        prefix = f"{weekday_part} " if weekday_part != "*" else ""
        return f"{prefix}*-{month_part}-{days_part} {clock} {timezone}"

    all_days, every_weekday = _pad(_compact(days, 1, 31)), _weekdays(weekdays)
    if either:
        return [line(all_days, "*"), line("*", every_weekday)]
    return [line(all_days, every_weekday)]


def _values(field: str, spec: tuple[int, int, tuple[str, ...]]) -> list[int]:
    low, high, names = spec
    found: set[int] = set()
    for part in field.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-")
            start, end = _number(first, names, low), _number(last, names, low)
        else:
            start = _number(body, names, low)
            end = high if step_text else start
        found.update(range(start, end + 1, step))
    return sorted(found)


def _number(text: str, names: tuple[str, ...], low: int) -> int:
    if text in names:
        return names.index(text) + (1 if low == 1 else 0)
    return int(text)


def _compact(values: list[int], low: int, high: int) -> str:
    """The values as ``*``, ``start/step``, or a list of numbers and ``a..b`` ranges."""
    if values == list(range(low, high + 1)):
        return "*"
    if len(values) > 2:
        step = values[1] - values[0]
        if step > 1 and values == list(range(values[0], high + 1, step)):
            return f"{values[0]}/{step}"
    return ",".join(_show(run, str) for run in _runs(values))


def _runs(values: list[int]) -> list[tuple[int, int]]:
    """Consecutive values as (first, last) pairs: ``[1, 2, 3, 7]`` -> ``[(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _show(run: tuple[int, int], name: Callable[[int], str]) -> str:
    first, last = run
    if first == last:
        return name(first)
    if last == first + 1:
        return f"{name(first)},{name(last)}"
    return f"{name(first)}..{name(last)}"


def _pad(text: str) -> str:
    """Two digits for single numbers, as systemd prints them (``02``, not ``2``)."""
    return ",".join(f"{part:0>2}" if part.isdigit() else part for part in text.split(","))


def _weekdays(days: list[int]) -> str:
    if days == list(range(7)):
        return "*"
    return ",".join(_show(run, _WEEKDAY_NAMES.__getitem__) for run in _runs(days))

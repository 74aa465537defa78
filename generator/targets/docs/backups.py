"""The backup schedule as a timeline: each job's runs over a week, restore tests, RPOs."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from generator.locale import N_
from generator.spec.model.recovery import BackupType, ScheduledJob
from generator.targets.docs.overview import OVERVIEW
from generator.targets.docs.schedule import Occurrence, occurrences
from generator.targets.docs.site import Page, Site

#: Jobs running more often than this per day are drawn as one bar, not as single runs.
BUSY = 4
TIMELINE_DAYS = 7
# messages of the diagram, translated in gantt()
N_("restore test")
N_("%(count)s runs a day")


@dataclass(frozen=True)
class JobTimeline:
    """One scheduled job and its runs in the timeline's week."""

    job: ScheduledJob
    backup: BackupType | None
    restore_test: bool
    runs: list[Occurrence]
    per_day: int
    longest_gap: str

    @property
    def busy(self) -> bool:
        return self.per_day > BUSY


def pages(site: Site) -> list[Page]:
    """``overview/backups.md``."""
    return [site.page("overview/backups.md", "backups.md.j2", (OVERVIEW,), **timeline(site))]


def timeline(site: Site) -> dict[str, Any]:
    """Jobs and restore tests with their runs from the calendar's first day."""
    strategy = site.plan.backup_strategy
    calendar = site.plan.operations.calendar
    start = calendar.start if calendar else None
    zone = strategy.schedule.timezone
    jobs = [_job(site, job, False, zone, start) for job in strategy.schedule.jobs]
    tests = [_job(site, job, True, zone, start) for job in strategy.schedule.restore_tests]
    gaps = {j.job.backup: j.longest_gap for j in jobs}
    return {
        "gantt": gantt(site, [*jobs, *tests], start) if start else [],
        "start": start,
        "end": start + dt.timedelta(days=TIMELINE_DAYS - 1) if start else None,
        "timezone": zone,
        "jobs": jobs,
        "restore_tests": tests,
        "retention": strategy.retention_policy,
        "recovery_points": [
            {"point": rp, "gaps": [(b, gaps.get(b, "—")) for b in rp.backups]}
            for rp in site.plan.disaster_recovery.recovery_points
        ],
    }


def gantt(site: Site, jobs: list[JobTimeline], start: dt.date) -> list[str]:
    """Mermaid gantt lines: a milestone per run, one bar for a job that runs all day.

    Built here rather than in the template: the diagram is a code block, and everything
    in it is a name, a date or a project-written label.
    """
    _ = site.gettext
    lines = [
        # compact: the runs of one job share a row instead of taking one row each
        "---",
        "displayMode: compact",
        "---",
        "gantt",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %d %H:%M",
        "    todayMarker off",
    ]
    for j in jobs:
        label = f"{j.job.backup} ({_('restore test')})" if j.restore_test else j.job.backup
        lines.append(f"    section {label}")
        if j.busy:
            runs = _("%(count)s runs a day") % {"count": j.per_day}
            lines.append(f"    {runs} :{start.isoformat()} 00:00, {TIMELINE_DAYS}d")
        else:
            lines += [f"    {r.time} :milestone, {r.day} {r.time}, 0m" for r in j.runs]
    return lines


def _job(
    site: Site, job: ScheduledJob, restore_test: bool, zone: str, start: dt.date | None
) -> JobTimeline:
    backups = {b.name: b for b in site.plan.backup_strategy.backup_types}
    # a week from the calendar's start, or any fixed week when there is none: only the
    # spacing of runs is used then, which is the same every week
    week = occurrences(job.cron, zone, start or dt.date(2024, 1, 1), TIMELINE_DAYS, limit=10080)
    counts: dict[str, int] = {}
    for run in week:
        counts[run.day] = counts.get(run.day, 0) + 1
    return JobTimeline(
        job=job,
        backup=backups.get(job.backup),
        restore_test=restore_test,
        runs=week if start else [],
        per_day=max(counts.values(), default=0),
        longest_gap=_longest_gap(week),
    )


def _longest_gap(runs: list[Occurrence]) -> str:
    """The longest time between two runs in the week, e.g. ``15m``, ``1d``, ``7d``."""
    if len(runs) < 2:
        return "≥ 7d"
    longest = max(b.start - a.start for a, b in itertools.pairwise(runs))
    minutes = int(longest.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0m"

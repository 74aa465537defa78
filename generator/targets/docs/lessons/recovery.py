"""Lessons on recovery: backups and their restore tests, disaster recovery and failover."""

from __future__ import annotations

from generator.spec.model.types import duration_seconds
from generator.targets.docs.commands import OUTPUT
from generator.targets.docs.lessons.common import Lesson, minutes
from generator.targets.docs.site import Site


def backups_and_restores(site: Site, _env: str) -> Lesson:
    """Backups with their scripts and schedules, retention, and the RPO/RTO they serve."""
    strategy = site.plan.backup_strategy
    backups = []
    for b in strategy.backup_types:
        where = b.environments[0]
        files = {
            a.path.name: f"{OUTPUT}/{a.path}"
            for a in site.outputs(service=b.service, environment=where)
            if a.executable
        }
        backups.append(
            {
                "backup": b,
                "environment": where,
                "script": files.get(f"{b.name}.sh"),
                "verify": files.get(f"{b.name}-verify.sh"),
                "runs": [j.cron for j in strategy.schedule.jobs if j.backup == b.name],
                "tests": [j.cron for j in strategy.schedule.restore_tests if j.backup == b.name],
            }
        )
    points = site.plan.disaster_recovery.recovery_points
    scheduled = next((b for b in backups if b["runs"]), None)
    return {
        "backups": backups,
        "timezone": strategy.schedule.timezone,
        "retention": strategy.retention_policy,
        "points": points,
        "questions": [
            *({"kind": "rpo", "point": p} for p in points),
            *([{"kind": "backup_when", **scheduled}] if scheduled else []),
            {"kind": "retention", "retention": strategy.retention_policy},
        ],
    }


def disaster_recovery(site: Site, _env: str) -> Lesson:
    """The failover strategy, its steps against the RTO, and the scripts that run them."""
    dr = site.plan.disaster_recovery
    strategy = dr.failover_strategy
    assert strategy is not None
    scripts = {
        a.path.name: f"{OUTPUT}/{a.path}"
        for a in site.outputs(environment=strategy.secondary)
        if a.executable and a.service is None and a.family == "recovery"
    }
    total = sum(duration_seconds(p.duration) for p in dr.recovery_procedures)
    rtos = sorted(dr.recovery_points, key=lambda p: duration_seconds(p.rto))
    return {
        "strategy": strategy,
        "procedures": dr.recovery_procedures,
        "total": minutes(total),
        "shortest_rto": rtos[0] if rtos else None,
        "failover": scripts.get("failover.sh"),
        "failback": scripts.get("failback.sh"),
        "drill": scripts.get("drill.sh"),
        "questions": [
            {"kind": "dr_takeover", "strategy": strategy},
            *(
                [
                    {
                        "kind": "dr_duration",
                        "total": minutes(total),
                        "point": rtos[0],
                        "fits": total <= duration_seconds(rtos[0].rto),
                    }
                ]
                if rtos and dr.recovery_procedures
                else []
            ),
        ],
    }

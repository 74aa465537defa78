"""execute_recovery and test_recovery_plan as data: the failover of one disaster-recovery
environment step by step, its traffic switch, failback, drills and their checklist.

The recovery family renders it into scripts and a runbook page; the docs family can call
:func:`recovery_plan` to show the same facts elsewhere.
"""

from __future__ import annotations

import re
from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.recovery import (
    BackupEngine,
    DnsTarget,
    FailoverStrategy,
    Mirroring,
    PitrProvider,
)
from generator.spec.model.types import duration_seconds
from generator.spec.schedules import format_duration, longest_gap


def recovery_plan(spec: DeploymentPlan, environment: str) -> dict[str, Any]:
    """Everything the failover, failback and drill of ``environment`` follow."""
    recovery = spec.disaster_recovery
    failover = recovery.failover_strategy
    if failover is not None and failover.secondary != environment:
        failover = None  # this DR environment is not where the failover strategy leads
    steps = _steps(spec, failover)
    rtos = [duration_seconds(point.rto) for point in recovery.recovery_points]
    planned = sum(step["seconds"] for step in steps)
    return {
        "project": spec.project.name,
        "environment": environment,
        "primary": failover.primary if failover else None,
        "failover": failover,
        "steps": steps,
        "planned": format_duration(planned),
        "planned_seconds": int(planned),
        "rto": format_duration(min(rtos)) if rtos else None,
        "rto_seconds": int(min(rtos)) if rtos else 0,
        "recovery_points": recovery_points(spec),
        "continuous": continuous_protection(spec, environment),
        "dns": dns_switch(failover) if failover else None,
        "failback": list(failover.failback) if failover else [],
        "drill_steps": [s for s in steps if s["in_drill"]],
        "skipped_in_drill": [s["name"] for s in steps if not s["in_drill"]],
        "owners": sorted({s["owner"] for s in steps}),
        "channel": _channel(spec),
        "kube_context": spec.environments[environment].configuration.kube_context,
    }


def _steps(spec: DeploymentPlan, failover: FailoverStrategy | None) -> list[dict[str, Any]]:
    steps, elapsed = [], 0.0
    for number, procedure in enumerate(spec.disaster_recovery.recovery_procedures, 1):
        seconds = duration_seconds(procedure.duration)
        elapsed += seconds
        switch = procedure.action == "traffic_switch"
        kind = "traffic" if switch else ("scripted" if procedure.command else "manual")
        drill = "" if procedure.in_drill else ", not in drills"
        steps.append(
            {
                "number": number,
                "name": procedure.name,
                "description": procedure.description,
                "owner": procedure.owner,
                "duration": procedure.duration,
                "seconds": int(seconds),
                "by": format_duration(elapsed),
                "command": procedure.command,
                "confirm": procedure.confirm,
                "in_drill": procedure.in_drill,
                "kind": kind,
                "automatic_switch": switch and failover is not None and _automatic(failover),
                "drill_flag": "yes" if procedure.in_drill else "no",
                "listing": f"{number}. {procedure.name} ({kind}, {procedure.duration}, "
                f"{procedure.owner}{drill})",
            }
        )
    return steps


def _automatic(failover: FailoverStrategy) -> bool:
    """Whether the script itself switches DNS (Route 53 records are described)."""
    return failover.traffic_switch == "dns" and bool(failover.dns_zone_id and failover.dns_targets)


def dns_switch(failover: FailoverStrategy) -> dict[str, Any]:
    """The Route 53 change batches both ways, and what to check afterwards."""
    return {
        "automatic": _automatic(failover),
        "zone": failover.dns_zone_id,
        "ttl": failover.dns_ttl,
        "ttl_seconds": int(duration_seconds(failover.dns_ttl)),
        "record": failover.dns_record,
        "targets": failover.dns_targets,
        "to_secondary": _change_batch(failover, to_secondary=True),
        "to_primary": _change_batch(failover, to_secondary=False),
    }


def _change_batch(failover: FailoverStrategy, *, to_secondary: bool) -> dict[str, Any]:
    target = failover.secondary if to_secondary else failover.primary
    return {
        "Comment": f"deployplan: traffic to {target}",
        "Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": _record(t, failover, to_secondary)}
            for t in failover.dns_targets
        ],
    }


def _record(target: DnsTarget, failover: FailoverStrategy, to_secondary: bool) -> dict[str, Any]:
    name = target.secondary if to_secondary else target.primary
    zone = target.secondary_alias_zone if to_secondary else target.primary_alias_zone
    if zone:
        alias = {"HostedZoneId": zone, "DNSName": name, "EvaluateTargetHealth": True}
        return {"Name": target.record, "Type": "A", "AliasTarget": alias}
    ttl = int(duration_seconds(failover.dns_ttl))
    return {
        "Name": target.record,
        "Type": "CNAME",
        "TTL": ttl,
        "ResourceRecords": [{"Value": name}],
    }


def recovery_points(spec: DeploymentPlan) -> list[dict[str, Any]]:
    """Each recovery point with its backups' longest gap next to its RPO."""
    schedule = spec.backup_strategy.schedule
    points = []
    for point in spec.disaster_recovery.recovery_points:
        crons = tuple(job.cron for job in schedule.jobs if job.backup in point.backups)
        gap = longest_gap(crons, schedule.timezone) if crons else None
        tests = sorted(
            {job.backup for job in schedule.restore_tests if job.backup in point.backups}
        )
        lags = [duration_seconds(copy.max_lag) for copy in point.continuous]
        meets = gap is not None and gap <= duration_seconds(point.rpo)
        points.append(
            {
                "point": point,
                "gap": format_duration(gap) if gap is not None else None,
                "meets_rpo": meets or any(lag <= duration_seconds(point.rpo) for lag in lags),
                "restore_tests": tests,
                "lag": format_duration(min(lags)) if lags else None,
            }
        )
    return points


def continuous_protection(spec: DeploymentPlan, environment: str) -> list[dict[str, Any]]:
    """The standbys and mirrors that copy data into ``environment``, and the managed
    databases restored from point-in-time recovery, for its failover."""
    copies = []
    for point in spec.disaster_recovery.recovery_points:
        for copy in point.continuous:
            if copy.target != environment:
                continue
            entry: dict[str, Any] = {"point": point.name, "service": point.service}
            entry |= copy.model_dump(mode="json")
            if isinstance(copy, Mirroring):
                entry["alias"] = copy.source_alias or copy.source
            copies.append(entry)
    return copies + _point_in_time(spec)


#: provider_pitr: how the runbook restores the newest point in another region.
_PITR_RESTORE = {
    PitrProvider.AWS_RDS: (
        "Amazon RDS",
        "aws rds describe-db-instance-automated-backups --region {region} "
        "--db-instance-identifier {source}",
        "aws rds restore-db-instance-to-point-in-time --region {region} "
        '--source-db-instance-automated-backups-arn "$AUTOMATED_BACKUPS_ARN" '
        "--target-db-instance-identifier {source}-dr --use-latest-restorable-time",
    ),
    PitrProvider.GCP_CLOUDSQL: (
        "Cloud SQL",
        "gcloud sql instances describe {source}",
        "gcloud sql instances clone {source} {source}-dr",
    ),
    PitrProvider.AZURE_POSTGRESQL: (
        "Azure Database for PostgreSQL",
        'az postgres flexible-server show --name {source} --resource-group "$RESOURCE_GROUP"',
        "az postgres flexible-server geo-restore --name {source}-dr --source-server {source} "
        '--resource-group "$RESOURCE_GROUP" --location {region}',
    ),
}


def _point_in_time(spec: DeploymentPlan) -> list[dict[str, Any]]:
    """Managed databases restored from the provider's point-in-time recovery on failover."""
    backups = {b.name: b for b in spec.backup_strategy.backup_types}
    production = set(spec.environments_of_type(EnvironmentType.PRODUCTION))
    restores = []
    for point in spec.disaster_recovery.recovery_points:
        for name in point.backups:
            backup = backups.get(name)
            if backup is None or backup.engine is not BackupEngine.PROVIDER_PITR:
                continue
            if not production & set(backup.environments) or backup.provider is None:
                continue
            label, find, restore = _PITR_RESTORE[backup.provider]
            region = backup.offsite_copy or "$REGION"
            values = {"source": backup.source, "region": region}
            restores.append(
                {
                    "kind": "provider_pitr",
                    "point": point.name,
                    "service": point.service,
                    "backup": backup.name,
                    "label": label,
                    "window": backup.retention or "",
                    "max_lag": backup.log_interval,
                    "find": find.format(**values),
                    "restore": restore.format(**values),
                }
            )
    return restores


def _channel(spec: DeploymentPlan) -> str | None:
    response = spec.operations.incident_response
    return response.communication.channel if response else None


def drill_checklist(plan: dict[str, Any]) -> list[str]:
    """The drill checklist as lines: before, during and after the drill."""
    environment, primary = plan["environment"], plan["primary"] or "the primary"
    lines = ["DR drill checklist: failover to " + environment, "", "Before the drill"]
    before = [
        f"Announce the drill in {plan['channel']} and on the status page if users may notice."
        if plan["channel"]
        else "Announce the drill to everyone on call.",
        "Check that no freeze window or maintenance window overlaps the drill.",
        "Check that the last restore test of every backup below passed.",
        "Make sure these roles are present: " + ", ".join(plan["owners"]) + ".",
        f"Run drill.sh: the {environment} cluster answers and DNS still points at {primary}.",
    ]
    lines += [f"[ ] {item}" for item in before]
    lines += [
        "",
        "During the drill",
        f"[ ] Run failover.sh --drill in {environment}; note each step's time.",
    ]
    lines += [
        f"[ ] {s['number']}. {s['name']} ({s['owner']}, planned {s['duration']}, done by {s['by']})"
        for s in plan["drill_steps"]
    ]
    if plan["skipped_in_drill"]:
        lines.append("    Skipped in drills: " + ", ".join(plan["skipped_in_drill"]) + ".")
    lines += ["", "After the drill"]
    after = [
        f"Compare the total time with the RTO ({plan['rto']}); update the step durations in "
        "the spec when they were off."
        if plan["rto"]
        else "Record the total time; update the step durations in the spec.",
        "Check the newest restored data against each recovery point's RPO.",
        "Fail back with failback.sh, or rebuild the standby.",
        "Record what went wrong under knowledge_transfer.lessons_learned.",
    ]
    lines += [f"[ ] {item}" for item in after]
    lines += ["", "Backups and restore tests the drill relies on"]
    for item in plan["recovery_points"]:
        point = item["point"]
        lines.append(
            f"    {point.name}: RPO {point.rpo}, RTO {point.rto}; backups "
            + (", ".join(point.backups) or "none")
            + (f"; runs at most {item['gap']} apart" if item["gap"] else "; not scheduled")
            + (f"; replicated continuously, lag at most {item['lag']}" if item["lag"] else "")
        )
    return [re.sub(r"\s", " ", line) for line in lines]

"""Stage three of validation: rules a schema cannot express.

Unique names, references that resolve, acyclic dependencies, valid cron expressions and
no plain secrets. Rules read the resolved data (parallel to the model) so every finding
has the JSON path, and therefore the position, of the node it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic, Location
from generator.spec.load import LoadedSpec
from generator.spec.positions import Path
from generator.spec.secrets import find_plain_secrets
from generator.suggest import did_you_mean

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan

Rule = Callable[["RuleContext"], Iterator[Diagnostic]]

# Collections of named things: (what they are called in messages, where their names are).
COLLECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "team": ("team", ("project", "teams", "*", "name")),
    "service": ("service", ("services", "*", "name")),
    "environment": ("environment", ("environments", "@")),
    "stage": ("stage", ("deployment_flow", "stages", "*", "name")),
    "validation_point": ("validation point", ("deployment_flow", "validation_points", "*", "name")),
    "role": ("role", ("security", "access_controls", "roles", "*", "name")),
    "secret": (
        "secret",
        ("configuration_management", "secrets_management", "secrets", "*", "name"),
    ),
    "config_file": ("config file", ("configuration_management", "config_files", "*", "name")),
    "variable": (
        "environment variable",
        ("configuration_management", "environment_variables", "*", "name"),
    ),
    "scenario": ("test scenario", ("deployment_testing", "test_scenarios", "*", "name")),
    "indicator": ("health indicator", ("health_check", "health_indicators", "*", "name")),
    "monitoring_point": ("monitoring point", ("health_check", "monitoring_points", "*", "name")),
    "alert": ("alert threshold", ("health_check", "alert_thresholds", "thresholds", "*", "name")),
    "backup": ("backup", ("backup_strategy", "backup_types", "*", "name")),
    "recovery_procedure": (
        "recovery procedure",
        ("disaster_recovery", "recovery_procedures", "*", "name"),
    ),
    "recovery_point": ("recovery point", ("disaster_recovery", "recovery_points", "*", "name")),
    "receiver": ("receiver", ("monitoring", "alerting_system", "receivers", "*", "name")),
    "maintenance": ("maintenance procedure", ("operations", "maintenance_procedures", "*", "name")),
    "severity": (
        "severity level",
        ("operations", "incident_response", "severity_levels", "*", "name"),
    ),
    "escalation": ("escalation path", ("operations", "escalation_paths", "*", "name")),
    "installation_guide": (
        "installation guide",
        ("documentation", "installation_guides", "*", "name"),
    ),
    "configuration_guide": (
        "configuration guide",
        ("documentation", "configuration_guides", "*", "name"),
    ),
    "troubleshooting_guide": (
        "troubleshooting guide",
        ("documentation", "troubleshooting_guides", "*", "name"),
    ),
    "operation_manual": (
        "operation manual",
        ("operational_documentation", "operation_manuals", "*", "name"),
    ),
    "maintenance_guide": (
        "maintenance guide",
        ("operational_documentation", "maintenance_guides", "*", "name"),
    ),
    "emergency_procedure": (
        "emergency procedure",
        ("operational_documentation", "emergency_procedures", "*", "name"),
    ),
    "module": ("training module", ("training", "training_modules", "*", "name")),
    "exercise": ("exercise", ("training", "hands_on_exercises", "*", "name")),
    "audit_trail": ("audit trail", ("compliance", "audit_trails", "*", "name")),
    "freeze_window": (
        "freeze window",
        ("version_management", "release_policy", "freeze_windows", "*", "name"),
    ),
}

_ENV = ("environments", "*", "infrastructure")
# Where references are: (path pattern, collection it must name). `*` is any list index or
# mapping key, `@` is a mapping's keys themselves.
REFERENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("project", "owner"), "team"),
    (("services", "*", "owner"), "team"),
    (("services", "*", "targets", "@"), "environment"),
    ((*_ENV, "compute_resources", "allocations", "@"), "service"),
    ((*_ENV, "network_configuration", "ingresses", "*", "service"), "service"),
    ((*_ENV, "storage_requirements", "volumes", "*", "service"), "service"),
    ((*_ENV, "storage_requirements", "buckets", "*", "service"), "service"),
    (("deployment_flow", "stages", "*", "depends_on", "*"), "stage"),
    (("deployment_flow", "stages", "*", "environments", "*"), "environment"),
    (("deployment_flow", "dependencies", "*", "service"), "service"),
    (("deployment_flow", "validation_points", "*", "after_stage"), "stage"),
    (("version_management", "release_policy", "approvals", "*", "environment"), "environment"),
    (("version_management", "release_policy", "approvals", "*", "approvers", "*"), "role"),
    (
        ("version_management", "release_policy", "freeze_windows", "*", "environments", "*"),
        "environment",
    ),
    (("configuration_management", "config_files", "*", "service"), "service"),
    (("configuration_management", "config_files", "*", "overrides", "@"), "environment"),
    (("configuration_management", "environment_variables", "*", "secret"), "secret"),
    (("configuration_management", "environment_variables", "*", "services", "*"), "service"),
    (
        ("configuration_management", "environment_variables", "*", "overrides", "@"),
        "environment",
    ),
    (
        ("configuration_management", "secrets_management", "secrets", "*", "services", "*"),
        "service",
    ),
    (("deployment_testing", "test_environments", "*", "environment"), "environment"),
    (("deployment_testing", "test_scenarios", "*", "services", "*"), "service"),
    (("deployment_testing", "test_scenarios", "*", "environments", "*"), "environment"),
    (("deployment_testing", "validation_criteria", "required_scenarios", "*"), "scenario"),
    (("health_check", "health_indicators", "*", "service"), "service"),
    (("health_check", "monitoring_points", "*", "service"), "service"),
    (
        ("health_check", "alert_thresholds", "thresholds", "*", "monitoring_point"),
        "monitoring_point",
    ),
    (("backup_strategy", "backup_types", "*", "service"), "service"),
    (("backup_strategy", "backup_types", "*", "environments", "*"), "environment"),
    (("backup_strategy", "backup_types", "*", "encryption_key"), "secret"),
    (("backup_strategy", "schedule", "jobs", "*", "backup"), "backup"),
    (("backup_strategy", "schedule", "restore_tests", "*", "backup"), "backup"),
    (("disaster_recovery", "recovery_procedures", "*", "owner"), "role"),
    (("disaster_recovery", "failover_strategy", "primary"), "environment"),
    (("disaster_recovery", "failover_strategy", "secondary"), "environment"),
    (("disaster_recovery", "recovery_points", "*", "service"), "service"),
    (("disaster_recovery", "recovery_points", "*", "backups", "*"), "backup"),
    (("security", "security_policies", "*", "environments", "*"), "environment"),
    (("security", "security_policies", "*", "roles", "*"), "role"),
    (("security", "access_controls", "roles", "*", "teams", "*"), "team"),
    (("security", "access_controls", "roles", "*", "permissions", "@"), "environment"),
    (("compliance", "reporting_requirements", "audience", "*"), "team"),
    (("monitoring", "metrics_collection", "targets", "*", "service"), "service"),
    (("monitoring", "alerting_system", "receivers", "*", "credentials"), "secret"),
    (("monitoring", "alerting_system", "default_receiver"), "receiver"),
    (("operations", "maintenance_procedures", "*", "environments", "*"), "environment"),
    (("operations", "maintenance_procedures", "*", "services", "*"), "service"),
    (("operations", "maintenance_procedures", "*", "owner"), "team"),
    (("operations", "escalation_paths", "*", "services", "*"), "service"),
    (("operations", "escalation_paths", "*", "severities", "*"), "severity"),
    (("operations", "escalation_paths", "*", "levels", "*", "notify"), "team_or_role"),
    (("operations", "escalation_paths", "*", "levels", "*", "receiver"), "receiver"),
    (("documentation", "*", "*", "services", "*"), "service"),
    (("documentation", "installation_guides", "*", "environments", "*"), "environment"),
    (("operational_documentation", "operation_manuals", "*", "service"), "service"),
    (
        ("operational_documentation", "operation_manuals", "*", "environments", "*"),
        "environment",
    ),
    (("operational_documentation", "maintenance_guides", "*", "procedure"), "maintenance"),
    (("operational_documentation", "emergency_procedures", "*", "severity"), "severity"),
    (("operational_documentation", "emergency_procedures", "*", "contacts", "*"), "team"),
    (("training", "training_modules", "*", "audience", "*"), "role"),
    (("training", "training_modules", "*", "prerequisites", "*"), "module"),
    (("training", "hands_on_exercises", "*", "module"), "module"),
    (("training", "hands_on_exercises", "*", "environment"), "environment"),
    (("training", "certification_requirements", "roles", "*", "role"), "role"),
    (("training", "certification_requirements", "roles", "*", "modules", "*"), "module"),
    (("training", "certification_requirements", "roles", "*", "exercises", "*"), "exercise"),
    (("training", "certification_requirements", "roles", "*", "assessor"), "role"),
    (("knowledge_transfer", "lessons_learned", "*", "severity"), "severity"),
    (("knowledge_transfer", "lessons_learned", "*", "services", "*"), "service"),
    (("knowledge_transfer", "lessons_learned", "*", "action_items", "*", "owner"), "team"),
)

CRON_FIELDS: tuple[tuple[str, ...], ...] = (
    ("backup_strategy", "schedule", "jobs", "*", "cron"),
    ("backup_strategy", "schedule", "restore_tests", "*", "cron"),
    ("operations", "maintenance_procedures", "*", "window", "cron"),
    ("disaster_recovery", "failover_strategy", "drill_schedule"),
)


class RuleContext:
    """The resolved data, its positions and the validated model, shared by all rules."""

    def __init__(self, plan: DeploymentPlan, loaded: LoadedSpec) -> None:
        self.plan = plan
        self.data = loaded.data
        self.positions = loaded.positions
        self.source = loaded.source
        self.names: dict[str, dict[str, Path]] = {
            kind: {value: path for path, value in select(self.data, pattern)}
            for kind, (_, pattern) in COLLECTIONS.items()
        }
        self.names["team_or_role"] = {**self.names["team"], **self.names["role"]}

    def find_text(self, path: Path, needle: str) -> Location:
        """Where ``needle`` is written inside the value at ``path`` (else the value itself)."""
        start = self.positions.value(path)
        text = self.source.text
        offset = 0
        for _ in range(start.line - 1):
            offset = text.index("\n", offset) + 1
        found = text.find(needle, offset + start.column - 1)
        if found < 0:
            return start
        line_start = text.rfind("\n", 0, found) + 1
        return Location(start.file, text.count("\n", 0, found) + 1, found - line_start + 1)

    def at(self, path: Path, code: str, message: str, hint: str | None = None) -> Diagnostic:
        """A diagnostic located at the value of ``path``."""
        return Diagnostic(code, message, self.positions.value(path), path, hint=hint)


def select(data: Any, pattern: tuple[str, ...], prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) matching ``pattern``; ``@`` yields mapping keys as values."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "@":
        if isinstance(data, dict):
            for key in data:
                yield (*prefix, key), key
    elif head == "*":
        items = data.items() if isinstance(data, dict) else enumerate(data or [])
        if isinstance(data, dict | list):
            for key, value in items:
                yield from select(value, rest, (*prefix, key))
    elif isinstance(data, dict) and head in data:
        yield from select(data[head], rest, (*prefix, head))


def unique_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Names within each collection are unique."""
    for label, pattern in COLLECTIONS.values():
        if pattern[-1] == "@":
            continue  # mapping keys are unique already (duplicate-key)
        first: dict[str, Path] = {}
        for path, name in select(ctx.data, pattern):
            if name in first:
                yield Diagnostic(
                    "duplicate-name",
                    f"{label} `{name}` is defined more than once",
                    ctx.positions.value(path),
                    path,
                    hint=f"give each {label} its own name",
                    notes=(("first defined here", ctx.positions.value(first[name])),),
                )
            else:
                first[name] = path


def references_resolve(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every reference names something that exists."""
    for pattern, kind in REFERENCES:
        known = ctx.names[kind]
        label = "team or role" if kind == "team_or_role" else COLLECTIONS[kind][0]
        for path, value in select(ctx.data, pattern):
            if value is None or value in known:
                continue
            yield _dangling(ctx, path, value, label, list(known), pattern[-1] == "@")
    yield from _dependency_references(ctx)


def _dependency_references(ctx: RuleContext) -> Iterator[Diagnostic]:
    services = ctx.names["service"]
    for path, dep in select(ctx.data, ("deployment_flow", "dependencies", "*")):
        if not dep.get("external") and dep.get("requires") not in services:
            yield _dangling(
                ctx,
                (*path, "requires"),
                dep.get("requires"),
                "service",
                list(services),
                False,
                extra="; set `external: true` for a system outside the plan",
            )


def _dangling(
    ctx: RuleContext,
    path: Path,
    value: Any,
    label: str,
    known: list[str],
    is_key: bool,
    extra: str = "",
) -> Diagnostic:
    hint = did_you_mean(str(value), known)
    if hint is None:
        listed = ", ".join(f"`{k}`" for k in sorted(known)[:12])
        hint = f"defined {label}s: {listed}" if known else f"no {label} is defined"
    location = ctx.positions.key(path) if is_key else ctx.positions.value(path)
    return Diagnostic(
        "unknown-reference",
        f"{label} `{value}` is not defined{extra}",
        location,
        path,
        hint=hint,
    )


def acyclic(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Stages, service dependencies and module prerequisites form no cycle."""
    stage_edges = {
        stage.name: list(stage.depends_on)
        for stage in (ctx.plan.deployment_flow.stages if ctx.plan.deployment_flow else [])
    }
    yield from _cycles(
        ctx, stage_edges, "stages", lambda n: _index_path(ctx, "stage", n, "depends_on")
    )
    service_edges: dict[str, list[str]] = {}
    for dep in ctx.plan.deployment_flow.dependencies if ctx.plan.deployment_flow else []:
        if not dep.external:
            service_edges.setdefault(dep.service, []).append(dep.requires)
    yield from _cycles(
        ctx,
        service_edges,
        "services",
        lambda n: _dependency_path(ctx, n),
    )
    module_edges = {m.name: list(m.prerequisites) for m in ctx.plan.training.training_modules}
    yield from _cycles(
        ctx, module_edges, "training modules", lambda n: _index_path(ctx, "module", n, "name")
    )


def _cycles(
    ctx: RuleContext,
    edges: dict[str, list[str]],
    label: str,
    where: Callable[[str], Path],
) -> Iterator[Diagnostic]:
    reported: set[frozenset[str]] = set()
    for cycle in find_cycles(edges):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        path = where(cycle[0])
        yield ctx.at(
            path,
            "dependency-cycle",
            f"{label} depend on each other in a cycle: " + " -> ".join(cycle),
            hint="remove one of these dependencies",
        )


def find_cycles(edges: dict[str, list[str]]) -> Iterator[list[str]]:
    """Each elementary cycle found by depth-first search, as ``[a, b, ..., a]``."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    stack: list[str] = []

    def visit(node: str) -> Iterator[list[str]]:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                yield [*stack[stack.index(nxt) :], nxt]
            elif nxt not in state:
                yield from visit(nxt)
        stack.pop()
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            yield from visit(start)


def _index_path(ctx: RuleContext, kind: str, name: str, leaf: str) -> Path:
    return (*ctx.names[kind][name][:-1], leaf)


def _dependency_path(ctx: RuleContext, service: str) -> Path:
    for path, dep in select(ctx.data, ("deployment_flow", "dependencies", "*")):
        if dep.get("service") == service:
            return (*path, "requires")
    return ("deployment_flow", "dependencies")


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


RULES: tuple[Rule, ...] = (
    unique_names,
    references_resolve,
    acyclic,
    cron_expressions,
    plain_secrets,
)


def check_rules(plan: DeploymentPlan, loaded: LoadedSpec) -> list[Diagnostic]:
    """Run every rule; all findings, errors and warnings."""
    ctx = RuleContext(plan, loaded)
    return [finding for rule in RULES for finding in rule(ctx)]

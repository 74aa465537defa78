"""What every check reads: the validated plan, its positions, and what frameworks demand."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from generator.compliance.artifacts import ArtifactSource, NoArtifacts
from generator.compliance.results import CheckResult, Evidence, Status
from generator.locale.message import Message
from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.types import duration_seconds
from generator.spec.positions import Path, PositionIndex

#: Environments that hold production data: production itself and its DR copy.
PRODUCTION_TYPES = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)


@dataclass(frozen=True)
class Demand:
    """A duration a framework demands, e.g. 365 days of audit-log retention, and its source."""

    duration: str
    source: str  # a Message when it comes from the frameworks in scope
    path: Path | None = None  # where the spec sets it; None when it comes from framework data

    @property
    def seconds(self) -> float:
        return duration_seconds(self.duration)


@dataclass(frozen=True)
class Demands:
    """What the frameworks a result is evaluated for demand of the spec."""

    audit_log_retention: tuple[Demand, ...] = ()
    backup_retention: tuple[Demand, ...] = ()


@dataclass(frozen=True)
class AuditContext:
    """The plan, where each of its values is written, the demands in force, and the
    generated files that may carry what the spec claims."""

    plan: DeploymentPlan
    positions: PositionIndex
    demands: Demands = Demands()
    artifacts: ArtifactSource = field(default_factory=NoArtifacts, compare=False)

    @cached_property
    def data(self) -> dict[str, Any]:
        """The plan as plain data, defaults filled in: what evidence values are read from."""
        return self.plan.model_dump(mode="json", by_alias=True)

    def with_demands(self, demands: Demands) -> AuditContext:
        """The same plan, evaluated for other demands."""
        return dataclasses.replace(self, demands=demands)

    def evidence(self, path: Path, note: Message, ok: bool | None = None) -> Evidence:
        """Evidence for the value at ``path``: its value, position and where it came from."""
        inherited = self.positions.inheritance(path)
        return Evidence(
            path=path,
            value=lookup(self.data, path),
            location=self.positions.value(path),
            note=note,
            ok=ok,
            written=path in self.positions.values,
            inherited_from=inherited.environment if inherited else None,
        )

    @cached_property
    def production_environments(self) -> list[str]:
        """Environments holding production data, in spec order."""
        return [
            name
            for name, env in self.plan.environments.items()
            if env.environment_type in PRODUCTION_TYPES
        ]


def lookup(data: Any, path: Path) -> Any:
    """The value at ``path`` in plain data, or ``None`` where the path does not exist."""
    for part in path:
        inside = isinstance(data, dict) and part in data
        inside |= isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not inside:
            return None
        data = data[part]
    return data


def verdict(check: str, evidence: list[Evidence], passed: Message, failed: Message) -> CheckResult:
    """Fail when any evidence is against the check, else pass; the summary says which."""
    failures = [e for e in evidence if e.ok is False]
    if failures:
        return CheckResult(check, Status.FAIL, failed, tuple(evidence))
    return CheckResult(check, Status.PASS, passed, tuple(evidence))


def not_applicable(check: str, why: Message, evidence: list[Evidence] | None = None) -> CheckResult:
    """The check has nothing to judge in this spec."""
    return CheckResult(check, Status.NOT_APPLICABLE, why, tuple(evidence or ()))

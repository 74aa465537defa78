"""What every family planner receives."""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model import DeploymentPlan
from generator.spec.positions import PositionIndex


@dataclass(frozen=True)
class PlanContext:
    """The validated plan plus where it came from."""

    plan: DeploymentPlan
    spec_label: str
    positions: PositionIndex

    def source_line(self, *path: str | int) -> int:
        """Line of the spec where ``path`` is defined, for links back to the spec."""
        return self.positions.value(tuple(path)).line

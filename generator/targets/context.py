"""What every family planner receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.spec.model import DeploymentPlan
from generator.spec.positions import PositionIndex

if TYPE_CHECKING:
    from generator.artifact import Artifact


@dataclass(frozen=True)
class PlanContext:
    """The validated plan plus where it came from."""

    plan: DeploymentPlan
    spec_label: str
    positions: PositionIndex
    #: Artifacts already planned in this run, by family: the docs family reads every
    #: other family's plan, which is then not planned a second time.
    planned: dict[str, list[Artifact]] = field(default_factory=dict, compare=False, repr=False)

    def source_line(self, *path: str | int) -> int:
        """Line of the spec where ``path`` is defined, for links back to the spec."""
        return self.positions.value(tuple(path)).line

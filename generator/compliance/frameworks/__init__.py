"""Frameworks as data: each ``<id>.yaml`` here maps a framework's controls to checks.

The files ship inside the package (so in the wheel) and are read once per process.
Control titles are the frameworks' own English names and stay English on every page;
each ``description`` is a catalog message (``scripts/update-catalogs`` extracts it, and
a literal ``%`` in it is written ``%%``).
"""

from __future__ import annotations

import functools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.compliance.results import Tier
from generator.spec.model.types import Duration


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetentionDemand(_Data):
    """A retention period the framework itself demands, and the control that says so."""

    duration: Duration
    basis: str = Field(description="The control demanding it.")


class ControlData(_Data):
    """One control of a framework and the checks that support it."""

    id: str
    title: str
    description: str
    checks: tuple[str, ...] = Field(min_length=1)
    tiers: dict[str, Tier] = Field(
        default_factory=dict,
        description="The evidence tier the control needs of a check (absent: declared).",
    )

    @model_validator(mode="after")
    def _tiers_of_own_checks(self) -> ControlData:
        stray = sorted(set(self.tiers) - set(self.checks))
        if stray:
            raise ValueError(f"tiers name checks the control does not list: {stray}")
        return self


class FrameworkData(_Data):
    """A framework: its controls in document order, and what it demands of retention."""

    id: str
    title: str
    version: str
    audit_log_retention: RetentionDemand | None = None
    backup_retention: RetentionDemand | None = None
    controls: tuple[ControlData, ...]

    @property
    def label(self) -> str:
        """``PCI DSS 4.0``."""
        return f"{self.title} {self.version}"

    def control(self, control_id: str) -> ControlData | None:
        return next((c for c in self.controls if c.id == control_id), None)


@functools.cache
def frameworks() -> dict[str, FrameworkData]:
    """Every shipped framework by id."""
    from ruamel.yaml import YAML

    loader = YAML(typ="safe", pure=False)
    found = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            framework = FrameworkData.model_validate(loader.load(entry.read_text("utf-8")))
            found[framework.id] = framework
    return found

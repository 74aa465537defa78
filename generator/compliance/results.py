"""What an audit produces: check results with evidence, control results, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.diagnostics import Location, format_path
from generator.locale.message import Message
from generator.spec.positions import Path


class Tier(StrEnum):
    """How strong a check's evidence is: the spec says so (``declared``), a generated
    artifact carries it (``enforced``), or a generated probe checks it (``verified``)."""

    DECLARED = "declared"
    ENFORCED = "enforced"
    VERIFIED = "verified"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class Status(StrEnum):
    """The outcome of a check or a control."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Evidence:
    """One spec value a check looked at, and where the spec sets it.

    ``ok`` says whether the value satisfies the check (``None``: context, e.g. the
    policy a value is measured against). ``written`` is false when the spec does not
    write the value and the model's default applies (``location`` is then the nearest
    written ancestor); ``inherited_from`` names the environment it came from through
    ``extends``.
    """

    path: Path
    value: Any
    location: Location
    note: Message
    ok: bool | None = None
    written: bool = True
    inherited_from: str | None = None

    @property
    def dotted_path(self) -> str:
        return format_path(self.path)

    @property
    def where(self) -> str:
        """``file:line:column``."""
        return f"{self.location.file}:{self.location.line}:{self.location.column}"


@dataclass(frozen=True)
class ArtifactEvidence:
    """A line of a generated file that carries what the spec claims, or a probe that checks it.

    ``scope`` is what it covers: an environment, or a service for pipeline gates.
    """

    scope: str
    file: str
    line: int
    text: str
    note: Message
    probe: bool = False

    @property
    def where(self) -> str:
        """``file:line``."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, why, and what it looked at.

    ``tier`` says how strong the evidence of an applicable result is; ``artifacts`` are
    the generated lines and probes behind an ``enforced`` or ``verified`` tier, and
    ``unenforced`` the scopes (environments, services) no generated artifact covers.
    """

    check: str
    status: Status
    summary: Message
    evidence: tuple[Evidence, ...] = ()
    tier: Tier | None = None
    artifacts: tuple[ArtifactEvidence, ...] = ()
    unenforced: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[Evidence, ...]:
        """The evidence that makes the check fail."""
        return tuple(e for e in self.evidence if e.ok is False)


@dataclass(frozen=True)
class Shortfall:
    """A supporting check whose evidence is weaker than the control needs."""

    check: str
    tier: Tier
    needed: Tier
    reason: Message


@dataclass(frozen=True)
class ControlResult:
    """A framework control, the results of the checks that support it, and the tiers it needs.

    ``tiers`` maps a supporting check to the evidence tier the control needs of it (absent:
    ``declared``); a passing check with weaker evidence is a ``shortfall`` and fails it.
    """

    framework: str
    id: str
    title: str
    description: Message
    status: Status
    required: bool
    checks: tuple[CheckResult, ...]
    tiers: dict[str, Tier] = field(default_factory=dict)
    shortfalls: tuple[Shortfall, ...] = ()

    def needed(self, check: str) -> Tier:
        """The tier this control needs of ``check``."""
        return self.tiers.get(check, Tier.DECLARED)


@dataclass(frozen=True)
class FrameworkResult:
    """The controls of one framework in scope, and where the spec puts it in scope."""

    id: str
    title: str
    version: str
    required: bool
    location: Location
    controls: tuple[ControlResult, ...]

    @property
    def label(self) -> str:
        """``PCI DSS 4.0``; a custom framework has no version (its title is a message)."""
        return f"{self.title} {self.version}" if self.version else self.title

    def count(self, status: Status) -> int:
        return sum(1 for c in self.controls if c.status is status)

    @property
    def status(self) -> Status:
        """Fail when a control fails; pass when one passes; else not applicable."""
        return combined(c.status for c in self.controls)


@dataclass(frozen=True)
class AuditReport:
    """Every check and every framework in scope, for one spec."""

    spec_label: str
    spec_sha256: str
    project: str
    checks: tuple[CheckResult, ...]
    frameworks: tuple[FrameworkResult, ...]
    #: ``compliance.reporting_requirements``, with each audience team's contact.
    reporting: dict[str, Any]
    #: ``compliance.audit_trails``: what is logged, where, how long, how protected.
    audit_trails: tuple[dict[str, Any], ...]

    @property
    def failed_required(self) -> list[ControlResult]:
        """Required controls that fail: these fail ``deployplan audit``."""
        return [
            c for f in self.frameworks for c in f.controls if c.required and c.status is Status.FAIL
        ]

    def check(self, name: str) -> CheckResult:
        """The result of the check ``name``."""
        return next(c for c in self.checks if c.check == name)

    @property
    def status(self) -> Status:
        """Fail when a required control fails, else pass."""
        return Status.FAIL if self.failed_required else Status.PASS


def combined(statuses: Any) -> Status:
    """Fail if any fails; pass if any passes; not applicable when all are (or none)."""
    seen = set(statuses)
    if Status.FAIL in seen:
        return Status.FAIL
    return Status.PASS if Status.PASS in seen else Status.NOT_APPLICABLE

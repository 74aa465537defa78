"""``security.security_policies`` as pipeline gates (seed ``apply_security``).

Scans run before an image is pushed and again before a release reaches production;
signatures are made when the image is pushed and verified by every deploy job of an
environment the signing policy covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model import DeploymentPlan
from generator.spec.model.security import ImageSigningPolicy, ScanningPolicy

_SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Scan:
    """One scanning gate: ``fail_on`` is the lowest severity that fails it."""

    fail_on: str

    @property
    def trivy_severities(self) -> str:
        """``HIGH,CRITICAL`` for ``fail_on: high``: what trivy's ``--severity`` takes."""
        start = _SEVERITIES.index(self.fail_on)
        return ",".join(level.upper() for level in _SEVERITIES[start:])


@dataclass(frozen=True)
class SecurityGates:
    """Which gates the policies ask for; ``None`` where no policy asks."""

    dependency_scan: Scan | None
    image_scan: Scan | None
    secret_scan: bool
    sign_images: bool
    verify_in: frozenset[str]

    @property
    def any_scan(self) -> bool:
        """Whether a release is scanned again before production."""
        return bool(self.dependency_scan or self.image_scan or self.secret_scan)


def security_gates(plan: DeploymentPlan) -> SecurityGates:
    """The gates ``plan``'s security policies require."""
    policies = plan.security.security_policies if plan.security else []
    scans = [p for p in policies if isinstance(p, ScanningPolicy)]
    signing = [p for p in policies if isinstance(p, ImageSigningPolicy)]
    verify: set[str] = set()
    for policy in signing:
        if policy.verify_before_deploy:
            verify |= set(policy.environments or plan.environments)
    return SecurityGates(
        dependency_scan=_strictest(scans, "dependency_scanning"),
        image_scan=_strictest(scans, "image_scanning"),
        secret_scan=any(p.kind == "secret_scanning" for p in scans),
        sign_images=bool(signing),
        verify_in=frozenset(verify),
    )


def _strictest(policies: list[ScanningPolicy], kind: str) -> Scan | None:
    levels = [_SEVERITIES.index(p.fail_on) for p in policies if p.kind == kind]
    return Scan(_SEVERITIES[min(levels)]) if levels else None

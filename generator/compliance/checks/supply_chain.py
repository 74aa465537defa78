"""What is deployed: scanned for vulnerabilities and signed."""

from __future__ import annotations

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.locale.message import Code, Message
from generator.spec.model.security import ImageSigningPolicy, ScanningPolicy

POLICIES = ("security", "security_policies")
#: `fail_on` levels strict enough: critical-only lets known high-severity flaws ship.
STRICT_ENOUGH = ("low", "medium", "high")


def _built(ctx: AuditContext) -> list[Evidence]:
    return [
        ctx.evidence(
            ("services", index, "image" if service.image else "build_command"),
            Message("%(service)s is built by the plan", service=Code(service.name)),
        )
        for index, service in enumerate(ctx.plan.services)
        if service.image or service.build_command
    ]


def _scan(ctx: AuditContext, kind: str) -> list[Evidence]:
    security = ctx.plan.security
    found = [
        ctx.evidence(
            (*POLICIES, index, "fail_on"),
            Message(
                "policy %(policy)s (%(kind)s) fails on %(level)s or worse",
                policy=Code(policy.name),
                kind=kind,
                level=policy.fail_on,
            ),
            ok=policy.fail_on in STRICT_ENOUGH,
        )
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, ScanningPolicy) and policy.kind == kind
    ]
    return found or [
        ctx.evidence(POLICIES, Message("no %(kind)s policy", kind=Code(kind)), ok=False)
    ]


@check(
    "vulnerability_scanning",
    Message("Dependencies and images are scanned before they ship"),
    Message(
        "When the plan builds services, `dependency_scanning` and (for container images) "
        "`image_scanning` policies exist and fail on high-severity findings or lower; the "
        "pipelines run them as gates before production."
    ),
)
def vulnerability_scanning(ctx: AuditContext) -> CheckResult:
    built = _built(ctx)
    if not built:
        return not_applicable("vulnerability_scanning", Message("The plan builds no service."))
    evidence = built + _scan(ctx, "dependency_scanning")
    if any(service.image for service in ctx.plan.services):
        evidence += _scan(ctx, "image_scanning")
    return verdict(
        "vulnerability_scanning",
        evidence,
        Message("Dependencies and images are scanned and high-severity findings block a release."),
        Message("Vulnerabilities can reach production unscanned or unblocked."),
    )


@check(
    "image_signing",
    Message("Only signed images run in production"),
    Message(
        "Each production or DR environment running container images is covered by an "
        "`image_signing` policy with `verify_before_deploy: true`."
    ),
)
def image_signing(ctx: AuditContext) -> CheckResult:
    imaged = [
        env
        for env in ctx.production_environments
        if any(s.image and env in s.targets for s in ctx.plan.services)
    ]
    if not imaged:
        return not_applicable("image_signing", Message("No container image runs in production."))
    security = ctx.plan.security
    policies = [
        (index, policy)
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, ImageSigningPolicy)
    ]
    evidence = []
    for env in imaged:
        covering = [(i, p) for i, p in policies if not p.environments or env in p.environments]
        for index, policy in covering:
            signed = {"environment": env, "policy": Code(policy.name)}
            note = (
                Message(
                    "%(environment)s: images signed (policy %(policy)s), verified before deploy",
                    **signed,
                )
                if policy.verify_before_deploy
                else Message(
                    "%(environment)s: images signed (policy %(policy)s), not verified", **signed
                )
            )
            path = (*POLICIES, index, "verify_before_deploy")
            evidence.append(ctx.evidence(path, note, ok=policy.verify_before_deploy))
        if not covering:
            note = Message("no `image_signing` policy for %(environment)s", environment=env)
            evidence.append(ctx.evidence(POLICIES, note, ok=False))
    return verdict(
        "image_signing",
        evidence,
        Message("Production runs only images whose signatures are verified before deploy."),
        Message("Unsigned or unverified images can run in production."),
    )

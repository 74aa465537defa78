"""Secrets: rotated within the policy's maximum, never written in plain text, scanned for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence, Status
from generator.locale.message import Code, Message
from generator.spec.model.security import ScanningPolicy, SecretRotationPolicy
from generator.spec.model.types import duration_seconds
from generator.spec.positions import Path
from generator.spec.secrets import SECRET_NAME

SECRETS = ("configuration_management", "secrets_management", "secrets")
VARIABLES = ("configuration_management", "environment_variables")
RECEIVERS = ("monitoring", "alerting_system", "receivers")
#: Receivers that authenticate with a key, which must come from a declared secret.
KEYED_RECEIVERS = ("slack", "pagerduty", "opsgenie")

# A credential given to a command as a literal rather than read from a variable:
# `PGPASSWORD=hunter2 psql`, `--token abc123`, `Authorization: Bearer abc…`.
_NOT_A_REFERENCE = r"(?![\"']?\$)"
INLINE_CREDENTIALS = (
    re.compile(
        r"\b[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY)=" + _NOT_A_REFERENCE + r"\S+",
        re.IGNORECASE,
    ),
    re.compile(
        r"--(?:password|passwd|token|secret|api-key|apikey)[= ]" + _NOT_A_REFERENCE + r"\S+",
        re.IGNORECASE,
    ),
    re.compile(r"\bBearer\s+" + _NOT_A_REFERENCE + r"[A-Za-z0-9._~+/-]{8,}"),
)


def _rotation_policy(ctx: AuditContext) -> tuple[SecretRotationPolicy, int] | None:
    """The strictest secret-rotation policy and its index."""
    security = ctx.plan.security
    policies = [
        (policy, index)
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, SecretRotationPolicy)
    ]
    return min(policies, key=lambda p: duration_seconds(p[0].max_age), default=None)


@check(
    "secret_rotation",
    Message("Every secret rotates within the policy's maximum age"),
    Message(
        "Each secret in `configuration_management.secrets_management.secrets` has a "
        "`rotation` no longer than the `max_age` of the `secret_rotation` policy."
    ),
)
def secret_rotation(ctx: AuditContext) -> CheckResult:
    management = ctx.plan.configuration_management.secrets_management
    secrets = management.secrets if management else []
    if not secrets:
        return not_applicable("secret_rotation", Message("The plan declares no secrets."))
    found = _rotation_policy(ctx)
    if found is None:
        policies = ctx.evidence(
            ("security", "security_policies"), Message("no `secret_rotation` policy"), ok=False
        )
        why = Message("No policy sets how long a secret may live.")
        return CheckResult("secret_rotation", Status.FAIL, why, (policies,))
    policy, policy_index = found
    limit = duration_seconds(policy.max_age)
    evidence = [
        ctx.evidence(
            ("security", "security_policies", policy_index, "max_age"),
            Message(
                "policy %(policy)s: secrets live at most %(age)s",
                policy=Code(policy.name),
                age=policy.max_age,
            ),
        )
    ]
    for index, secret in enumerate(secrets):
        path = (*SECRETS, index, "rotation")
        if secret.rotation is None:
            note = Message("%(secret)s is never rotated", secret=Code(secret.name))
            evidence.append(ctx.evidence(path, note, ok=False))
            continue
        ok = duration_seconds(secret.rotation) <= limit
        note = Message(
            "%(secret)s rotates every %(rotation)s",
            secret=Code(secret.name),
            rotation=secret.rotation,
        )
        evidence.append(ctx.evidence(path, note, ok=ok))
    return verdict(
        "secret_rotation",
        evidence,
        Message("Every secret rotates within %(age)s.", age=policy.max_age),
        Message("Some secrets are not rotated within %(age)s.", age=policy.max_age),
    )


def _commands(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every command in the spec: keys named `command` or `*_command`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "command" or key.endswith("_command")):
                yield (*path, key), value
            else:
                yield from _commands(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _commands(value, (*path, index))


def _secret_variables(ctx: AuditContext) -> list[Evidence]:
    evidence = []
    for index, variable in enumerate(ctx.plan.configuration_management.environment_variables):
        if not SECRET_NAME.search(variable.name):
            continue
        if variable.secret is not None:
            note = Message(
                "%(variable)s reads secret %(secret)s",
                variable=Code(variable.name),
                secret=Code(variable.secret),
            )
            evidence.append(ctx.evidence((*VARIABLES, index, "secret"), note, ok=True))
        else:
            note = Message(
                "%(variable)s is named like a secret but references none",
                variable=Code(variable.name),
            )
            evidence.append(ctx.evidence((*VARIABLES, index, "name"), note, ok=False))
    return evidence


def _keyed_receivers(ctx: AuditContext) -> list[Evidence]:
    alerting = ctx.plan.monitoring.alerting_system
    evidence = []
    for index, receiver in enumerate(alerting.receivers if alerting else []):
        if receiver.type not in KEYED_RECEIVERS:
            continue
        if receiver.credentials is not None:
            note = Message(
                "receiver %(receiver)s reads its key from %(secret)s",
                receiver=Code(receiver.name),
                secret=Code(receiver.credentials),
            )
            evidence.append(ctx.evidence((*RECEIVERS, index, "credentials"), note, ok=True))
        else:
            note = Message(
                "receiver %(receiver)s (%(type)s) has no secret for its key",
                receiver=Code(receiver.name),
                type=receiver.type,
            )
            evidence.append(ctx.evidence((*RECEIVERS, index, "name"), note, ok=False))
    return evidence


@check(
    "no_plain_secrets",
    Message("No secret is written in plain text"),
    Message(
        "Variables named like secrets and keyed alert receivers reference declared secrets, "
        "and no command passes a literal password, token or bearer key. (Credential-shaped "
        "literals anywhere are already rejected by `deployplan validate`.)"
    ),
)
def no_plain_secrets(ctx: AuditContext) -> CheckResult:
    evidence = _secret_variables(ctx) + _keyed_receivers(ctx)
    commands = list(_commands(ctx.data))
    for path, command in commands:
        for pattern in INLINE_CREDENTIALS:
            found = pattern.search(command)
            if found:
                note = Message(
                    "command passes a literal credential: %(credential)s",
                    credential=Code(found.group()),
                )
                evidence.append(ctx.evidence(path, note, ok=False))
                break
    if not evidence and not commands:
        return not_applicable(
            "no_plain_secrets", Message("The plan uses no credentials and no commands.")
        )
    return verdict(
        "no_plain_secrets",
        evidence,
        Message(
            "Credentials are references to declared secrets; %(count)s command(s) hold none.",
            count=len(commands),
        ),
        Message("Some credentials are not references to declared secrets."),
    )


def _scanning_policies(ctx: AuditContext, kind: str) -> list[tuple[int, ScanningPolicy]]:
    security = ctx.plan.security
    return [
        (index, policy)
        for index, policy in enumerate(security.security_policies if security else [])
        if isinstance(policy, ScanningPolicy) and policy.kind == kind
    ]


@check(
    "secret_scanning",
    Message("Repositories are scanned for committed secrets"),
    Message(
        "A `secret_scanning` policy exists when the plan builds code from repositories; the "
        "pipelines run the scan on every push."
    ),
)
def secret_scanning(ctx: AuditContext) -> CheckResult:
    repositories = [
        ctx.evidence(
            ("services", index, "repository"),
            Message("%(service)s is built from a repository", service=Code(service.name)),
        )
        for index, service in enumerate(ctx.plan.services)
        if service.repository is not None
    ]
    if not repositories:
        return not_applicable("secret_scanning", Message("No service is built from a repository."))
    policies = [
        ctx.evidence(
            ("security", "security_policies", index, "kind"),
            Message(
                "policy %(policy)s fails on %(level)s or worse",
                policy=Code(policy.name),
                level=policy.fail_on,
            ),
            ok=True,
        )
        for index, policy in _scanning_policies(ctx, "secret_scanning")
    ]
    if not policies:
        policies = [
            ctx.evidence(
                ("security", "security_policies"), Message("no `secret_scanning` policy"), ok=False
            )
        ]
    return verdict(
        "secret_scanning",
        repositories + policies,
        Message("Every push is scanned for committed secrets."),
        Message("Nothing scans the repositories for committed secrets."),
    )

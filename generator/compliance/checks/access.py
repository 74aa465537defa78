"""Who may change production: approvals, MFA, the pipeline's own rights, network reach."""

from __future__ import annotations

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.locale.message import Code, Listing, Message
from generator.spec.model.security import MfaPolicy, Permission

APPROVALS = ("version_management", "release_policy", "approvals")
ROLES = ("security", "access_controls", "roles")
PIPELINE = ("security", "access_controls", "pipeline")
#: Permissions that change what runs in an environment.
DEPLOYING = frozenset(
    {Permission.DEPLOY, Permission.ROLLBACK, Permission.ADMIN, Permission.BREAK_GLASS}
)
#: What a deploy job needs: deploy, undo, read its secrets, read state and logs.
PIPELINE_ALLOWED = frozenset(
    {
        Permission.READ,
        Permission.LOGS,
        Permission.DEPLOY,
        Permission.ROLLBACK,
        Permission.SECRETS_READ,
    }
)


def _deployed(ctx: AuditContext) -> list[str]:
    """Production environments that some service is deployed to."""
    return [
        name
        for name in ctx.production_environments
        if any(name in service.targets for service in ctx.plan.services)
    ]


def _approvers_can_approve(ctx: AuditContext, index: int, environment: str) -> Evidence | None:
    security = ctx.plan.security
    if security is None or ctx.plan.version_management is None:
        return None
    rule = ctx.plan.version_management.release_policy.approvals[index]
    roles = {role.name: role for role in security.access_controls.roles}
    able = [
        name
        for name in rule.approvers
        if name in roles and Permission.APPROVE in roles[name].permissions.get(environment, [])
    ]
    note = (
        Message(
            "%(roles)s may approve in %(environment)s",
            roles=Listing(tuple(map(Code, able))),
            environment=environment,
        )
        if able
        else Message(
            "no approver holds the `approve` permission in %(environment)s",
            environment=environment,
        )
    )
    return ctx.evidence((*APPROVALS, index, "approvers"), note, ok=bool(able))


@check(
    "production_change_approval",
    Message("Production deploys are approved by someone other than the author"),
    Message(
        "Every production or DR environment that receives deploys has an approval rule in "
        "`version_management.release_policy.approvals` with `separate_from_author: true`, and "
        "its approvers hold the `approve` permission there."
    ),
)
def production_change_approval(ctx: AuditContext) -> CheckResult:
    environments = _deployed(ctx)
    if not environments:
        return not_applicable(
            "production_change_approval",
            Message("Nothing is deployed to a production environment."),
        )
    management = ctx.plan.version_management
    rules = management.release_policy.approvals if management else []
    evidence: list[Evidence] = []
    for environment in environments:
        indexes = [i for i, rule in enumerate(rules) if rule.environment == environment]
        if not indexes:
            note = Message("no approval rule for %(environment)s", environment=environment)
            evidence.append(ctx.evidence(APPROVALS, note, ok=False))
        for index in indexes:
            rule = rules[index]
            separate = (
                Message("by someone other than the author")
                if rule.separate_from_author
                else Message("the author may approve")
            )
            note = Message(
                "%(environment)s: %(count)s approval(s), %(who)s",
                environment=environment,
                count=rule.required,
                who=separate,
            )
            path = (*APPROVALS, index, "separate_from_author")
            evidence.append(ctx.evidence(path, note, ok=rule.separate_from_author))
            able = _approvers_can_approve(ctx, index, environment)
            if able is not None:
                evidence.append(able)
    return verdict(
        "production_change_approval",
        evidence,
        Message("Every production deploy needs approval by someone other than its author."),
        Message("Some production deploys can go out without an independent approval."),
    )


def _mfa_required(ctx: AuditContext) -> dict[str, tuple[str, int]]:
    """Role name -> (MFA policy requiring it, the policy's index)."""
    security = ctx.plan.security
    required: dict[str, tuple[str, int]] = {}
    for index, policy in enumerate(security.security_policies if security else []):
        if isinstance(policy, MfaPolicy):
            for role in policy.roles:
                required.setdefault(role, (policy.name, index))
    return required


@check(
    "mfa_production_deploy",
    Message("Everyone who can change production signs in with MFA"),
    Message(
        "Each role that may deploy, roll back, administer or break glass in a production or "
        "DR environment, and each role an `mfa` policy names, has `mfa: true`."
    ),
)
def mfa_production_deploy(ctx: AuditContext) -> CheckResult:
    security = ctx.plan.security
    if security is None:
        return not_applicable("mfa_production_deploy", Message("The plan defines no roles."))
    production = ctx.production_environments
    by_policy = _mfa_required(ctx)
    evidence = []
    for index, role in enumerate(security.access_controls.roles):
        reasons = [
            Message(
                "%(permissions)s in %(environment)s",
                permissions=", ".join(sorted(DEPLOYING & set(perms))),
                environment=env,
            )
            for env, perms in role.permissions.items()
            if env in production and DEPLOYING & set(perms)
        ]
        if role.name in by_policy:
            reasons.append(Message("policy %(policy)s", policy=Code(by_policy[role.name][0])))
        if reasons:
            values = {"role": Code(role.name), "reasons": Listing(tuple(reasons), "; ")}
            note = (
                Message("%(role)s signs in with MFA; needed for %(reasons)s", **values)
                if role.mfa
                else Message("%(role)s has no MFA; needed for %(reasons)s", **values)
            )
            evidence.append(ctx.evidence((*ROLES, index, "mfa"), note, ok=role.mfa))
    if not evidence:
        return not_applicable("mfa_production_deploy", Message("No role can change production."))
    return verdict(
        "mfa_production_deploy",
        evidence,
        Message("Every role that can change production signs in with MFA."),
        Message("Some roles can change production without MFA."),
    )


@check(
    "pipeline_least_privilege",
    Message("The pipeline holds only the rights a deploy needs"),
    Message(
        "Where the plan has CI/CD automation, `security.access_controls.pipeline` declares the "
        "pipeline's permissions: only read, logs, deploy, rollback and secrets_read (never "
        "approve, exec, admin or break_glass), with short-lived OIDC credentials, and deploy "
        "jobs log in to the secret provider with something other than a static token."
    ),
)
def pipeline_least_privilege(ctx: AuditContext) -> CheckResult:
    if ctx.plan.automation is None:
        return not_applicable(
            "pipeline_least_privilege", Message("The plan has no CI/CD pipeline.")
        )
    security = ctx.plan.security
    pipeline = security.access_controls.pipeline if security else None
    if pipeline is None:
        note = Message("the pipeline's permissions are not declared")
        evidence = [ctx.evidence(PIPELINE, note, ok=False)]
    else:
        static = pipeline.credentials == "static"
        note = (
            Message("credentials: long-lived keys")
            if static
            else Message("credentials: short-lived OIDC tokens")
        )
        evidence = [ctx.evidence((*PIPELINE, "credentials"), note, ok=not static)]
        for env, perms in pipeline.permissions.items():
            extra = sorted(set(perms) - PIPELINE_ALLOWED)
            note = Message(
                "%(environment)s: %(permissions)s", environment=env, permissions=", ".join(perms)
            )
            if extra:
                note = Message(
                    "%(environment)s: %(permissions)s (more than a deploy needs: %(extra)s)",
                    environment=env,
                    permissions=", ".join(perms),
                    extra=", ".join(extra),
                )
            evidence.append(ctx.evidence((*PIPELINE, "permissions", env), note, ok=not extra))
    management = ctx.plan.configuration_management.secrets_management
    if management is not None:
        path = ("configuration_management", "secrets_management", "auth")
        ok = management.auth != "token"
        login = {"provider": management.provider, "auth": Code(management.auth)}
        note = (
            Message("deploy jobs log in to %(provider)s with %(auth)s", **login)
            if ok
            else Message(
                "deploy jobs log in to %(provider)s with %(auth)s, a static token", **login
            )
        )
        evidence.append(ctx.evidence(path, note, ok=ok))
    failed = Message(
        "The pipeline holds more rights, or longer-lived credentials, than a deploy needs."
    )
    if pipeline is None:
        failed = Message(
            "The pipeline's permissions are not declared, so least privilege is not shown."
        )
    return verdict(
        "pipeline_least_privilege",
        evidence,
        Message("The pipeline holds only what a deploy needs, with short-lived credentials."),
        failed,
    )


@check(
    "network_default_deny",
    Message("Production networks deny traffic that no dependency allows"),
    Message(
        "Every production or DR environment has `network_configuration.default_deny: true`: "
        "a service reaches only what `deployment_flow.dependencies` says it requires."
    ),
)
def network_default_deny(ctx: AuditContext) -> CheckResult:
    production = ctx.production_environments
    if not production:
        return not_applicable(
            "network_default_deny", Message("The plan has no production environment.")
        )
    evidence = []
    for name in production:
        network = ctx.plan.environments[name].infrastructure.network_configuration
        path = ("environments", name, "infrastructure", "network_configuration", "default_deny")
        note = (
            Message("%(environment)s denies undeclared traffic", environment=name)
            if network.default_deny
            else Message("%(environment)s allows all traffic", environment=name)
        )
        evidence.append(ctx.evidence(path, note, ok=network.default_deny))
    return verdict(
        "network_default_deny",
        evidence,
        Message("Production networks deny traffic between services unless a dependency allows it."),
        Message("Some production networks allow traffic between any services."),
    )

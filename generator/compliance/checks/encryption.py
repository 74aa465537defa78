"""Encryption of production data at rest and in transit, and the TLS floor."""

from __future__ import annotations

from generator.compliance.checks import check
from generator.compliance.context import AuditContext, not_applicable, verdict
from generator.compliance.results import CheckResult, Evidence
from generator.locale.message import Code, Message
from generator.spec.model.security import EncryptionSettings, TlsPolicy
from generator.spec.positions import Path

SETTINGS = ("security", "encryption_settings")
#: The lowest TLS version any framework in the library still accepts.
TLS_FLOOR = "1.2"


def _settings(ctx: AuditContext) -> tuple[EncryptionSettings | None, list[Evidence]]:
    """The encryption settings, or evidence that the spec has none."""
    security = ctx.plan.security
    if security is None:
        return None, [ctx.evidence(("security",), Message("no `security` section"), ok=False)]
    if security.encryption_settings is None:
        return None, [ctx.evidence(SETTINGS, Message("no `encryption_settings`"), ok=False)]
    return security.encryption_settings, []


def _data_stores(ctx: AuditContext) -> list[Evidence]:
    """Services and storage that hold data in production environments."""
    found = []
    production = ctx.production_environments
    for index, service in enumerate(ctx.plan.services):
        envs = [e for e in production if e in service.targets]
        if service.stores_data and envs:
            note = Message(
                "%(service)s stores data in %(environments)s",
                service=Code(service.name),
                environments=", ".join(envs),
            )
            found.append(ctx.evidence(("services", index, "stores_data"), note))
    for name in production:
        storage = ctx.plan.environments[name].infrastructure.storage_requirements
        if storage.volumes or storage.buckets:
            note = Message(
                "%(environment)s: %(volumes)s volume(s), %(buckets)s bucket(s)",
                environment=name,
                volumes=len(storage.volumes),
                buckets=len(storage.buckets),
            )
            path = ("environments", name, "infrastructure", "storage_requirements")
            found.append(ctx.evidence(path, note))
    return found


@check(
    "encryption_at_rest",
    Message("Production data is encrypted at rest"),
    Message(
        "Where a production or DR environment stores data (services with `stores_data`, "
        "volumes, buckets), `security.encryption_settings.at_rest.enabled` must be true."
    ),
)
def encryption_at_rest(ctx: AuditContext) -> CheckResult:
    stores = _data_stores(ctx)
    if not stores:
        return not_applicable(
            "encryption_at_rest", Message("No production environment stores data.")
        )
    settings, missing = _settings(ctx)
    evidence = stores + missing
    if settings is not None:
        at_rest = settings.at_rest
        note = Message(
            "at rest: %(algorithm)s, keys in %(keys)s",
            algorithm=at_rest.algorithm,
            keys=at_rest.key_management,
        )
        path = (*SETTINGS, "at_rest", "enabled")
        evidence.append(ctx.evidence(path, note, ok=at_rest.enabled))
    return verdict(
        "encryption_at_rest",
        evidence,
        Message("Production data is encrypted at rest."),
        Message("Production data is stored without encryption at rest."),
    )


@check(
    "encryption_in_transit",
    Message("Traffic to and within production is encrypted"),
    Message(
        "`security.encryption_settings.in_transit.enabled` is true and every ingress of a "
        "production or DR environment serves TLS."
    ),
)
def encryption_in_transit(ctx: AuditContext) -> CheckResult:
    production = ctx.production_environments
    if not production:
        return not_applicable(
            "encryption_in_transit", Message("The plan has no production environment.")
        )
    settings, evidence = _settings(ctx)
    if settings is not None:
        path: Path = (*SETTINGS, "in_transit", "enabled")
        note = (
            Message("traffic encrypted, mutual TLS between services")
            if settings.in_transit.mutual_tls
            else Message("traffic encrypted")
        )
        evidence.append(ctx.evidence(path, note, ok=settings.in_transit.enabled))
    for name in production:
        network = ctx.plan.environments[name].infrastructure.network_configuration
        for index, ingress in enumerate(network.ingresses):
            path = (*_network(name), "ingresses", index, "tls")
            served = {"environment": name, "host": ingress.host}
            note = (
                Message("%(environment)s: %(host)s serves TLS", **served)
                if ingress.tls
                else Message("%(environment)s: %(host)s serves plain HTTP", **served)
            )
            evidence.append(ctx.evidence(path, note, ingress.tls))
    failed = Message("Some production traffic is not encrypted.")
    if settings is None:
        failed = Message("Encryption in transit is not configured for production.")
    passed = Message("Traffic to and within production is encrypted.")
    return verdict("encryption_in_transit", evidence, passed, failed)


def _network(environment: str) -> Path:
    return ("environments", environment, "infrastructure", "network_configuration")


def _version(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split("."))


@check(
    "tls_minimum_version",
    Message("Production accepts no TLS version below the policy's minimum"),
    Message(
        "`encryption_settings.in_transit.min_tls_version` is at least TLS 1.2 and at least the "
        "`min_version` of every `tls` policy that applies to a production or DR environment."
    ),
)
def tls_minimum_version(ctx: AuditContext) -> CheckResult:
    production = ctx.production_environments
    if not production:
        return not_applicable(
            "tls_minimum_version", Message("The plan has no production environment.")
        )
    settings, evidence = _settings(ctx)
    required = TLS_FLOOR
    security = ctx.plan.security
    for index, policy in enumerate(security.security_policies if security else []):
        if not isinstance(policy, TlsPolicy):
            continue
        if policy.environments and not set(policy.environments) & set(production):
            continue
        policy_path: Path = ("security", "security_policies", index, "min_version")
        note = Message(
            "policy %(policy)s requires TLS %(version)s+",
            policy=Code(policy.name),
            version=policy.min_version,
        )
        evidence.append(ctx.evidence(policy_path, note))
        required = max(required, policy.min_version, key=_version)
    if settings is not None:
        actual = settings.in_transit.min_tls_version
        path = (*SETTINGS, "in_transit", "min_tls_version")
        ok = _version(actual) >= _version(required)
        note = Message(
            "lowest TLS version accepted: %(actual)s (required: %(required)s)",
            actual=actual,
            required=required,
        )
        evidence.append(ctx.evidence(path, note, ok=ok))
    failed = Message("Production accepts TLS versions older than %(version)s.", version=required)
    if settings is None:
        failed = Message("No minimum TLS version is set for production.")
    passed = Message("Production accepts TLS %(version)s or newer only.", version=required)
    return verdict("tls_minimum_version", evidence, passed, failed)

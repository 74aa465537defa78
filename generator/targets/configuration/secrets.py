"""Where each secret is read in one environment, for the scripts that fetch it.

Secrets stay references: the generated files name a provider, a path and a field; the
provider's own CLI reads the value at run time into an environment variable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.configuration import Secret, SecretProvider

PLACEHOLDER = "{environment}"


@dataclass(frozen=True)
class SecretLocation:
    """One secret as read in one environment; never its value."""

    name: str
    provider: str
    path: str
    key: str | None
    address: str | None
    namespace: str | None
    mount: str | None
    region: str | None
    rotation: str | None

    def describe(self) -> str:
        """``vault shop/production:shop/orders-db/app#password`` for messages."""
        where = f"{self.namespace}:" if self.namespace else ""
        mount = f"{self.mount}/" if self.mount else ""
        field = f"#{self.key}" if self.key else ""
        return f"{self.provider} {where}{mount}{self.path}{field}"

    def as_dict(self) -> dict[str, Any]:
        """The location as template data, with ``describe`` filled in."""
        return {**asdict(self), "description": self.describe()}


def locate(plan: DeploymentPlan, secret: Secret, environment: str) -> SecretLocation:
    """``secret`` as read in ``environment``: overrides applied, placeholders replaced."""
    management = plan.configuration_management.secrets_management
    assert management is not None  # a secret is only declared inside secrets_management
    provider = secret.provider or management.provider
    override = secret.overrides.get(environment)
    path = override.path if override else secret.path
    key = override.key if override and override.key else secret.key
    vault = provider is SecretProvider.VAULT
    if vault and key is None:
        key = "value"  # a KV secret is a map: `value` is the conventional single field
    env = plan.environments.get(environment)
    return SecretLocation(
        name=secret.name,
        provider=provider.value,
        path=path.replace(PLACEHOLDER, environment),
        key=key,
        address=management.address,
        namespace=_fill(management.namespace, environment) if vault else None,
        mount=management.mount if vault else None,
        region=env.region if env and provider is SecretProvider.AWS_SECRETS_MANAGER else None,
        rotation=secret.rotation,
    )


def _fill(value: str | None, environment: str) -> str | None:
    return value.replace(PLACEHOLDER, environment) if value else None


def secrets_by_name(plan: DeploymentPlan) -> dict[str, Secret]:
    """Every declared secret by name."""
    management = plan.configuration_management.secrets_management
    return {s.name: s for s in management.secrets} if management else {}


def service_secrets(plan: DeploymentPlan, service: Service) -> list[Secret]:
    """Secrets ``service`` uses: through its variables or by naming it, in spec order."""
    config = plan.configuration_management
    wanted = {
        v.secret
        for v in config.environment_variables
        if v.secret and (not v.services or service.name in v.services)
    }
    return [
        s for s in secrets_by_name(plan).values() if s.name in wanted or service.name in s.services
    ]


def providers(locations: list[SecretLocation]) -> list[str]:
    """The providers of ``locations``, each once, sorted: which fetch functions to emit."""
    return sorted({location.provider for location in locations})

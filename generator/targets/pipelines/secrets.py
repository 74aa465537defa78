"""Where a service's deploy jobs get secrets from, and how they log in there.

Secret values never enter a pipeline file: providers that accept the CI's OIDC token
(Vault, AWS, GCP, Azure) are logged in to per environment; ``ci`` secrets are the CI's
own encrypted variables, passed to the deploy step by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.ci import OidcLogin
from generator.spec.model.configuration import SecretProvider

# The audience each provider expects in the OIDC token.
_AUDIENCE = {
    "aws_secrets_manager": "sts.amazonaws.com",
    "azure_key_vault": "api://AzureADTokenExchange",
}


_AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")


@dataclass(frozen=True)
class Login:
    """One OIDC login of a deploy job: ``settings`` become the step's environment."""

    provider: str
    audience: str
    settings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SecretAccess:
    """What a deploy job needs to read a service's secrets in one environment."""

    logins: tuple[Login, ...]
    ci_variables: tuple[str, ...]

    @property
    def uses_oidc(self) -> bool:
        """Whether the job needs an OIDC token (``id-token: write``)."""
        return bool(self.logins)


def service_providers(plan: DeploymentPlan, service: Service) -> set[SecretProvider]:
    """Every provider holding a secret ``service`` uses."""
    management = plan.configuration_management.secrets_management
    if management is None:
        return set()
    return {
        secret.provider or management.provider
        for secret in management.secrets
        if secret.name in _secret_names(plan, service)
    }


def _secret_names(plan: DeploymentPlan, service: Service) -> set[str]:
    config = plan.configuration_management
    names = {
        var.secret
        for var in config.environment_variables
        if var.secret and (not var.services or service.name in var.services)
    }
    if config.secrets_management is not None:
        names |= {s.name for s in config.secrets_management.secrets if service.name in s.services}
    return names


def secret_access(plan: DeploymentPlan, service: Service, environment: str) -> SecretAccess:
    """The logins and CI variables a deploy of ``service`` to ``environment`` needs."""
    management = plan.configuration_management.secrets_management
    if management is None:
        return SecretAccess((), ())
    providers = service_providers(plan, service)
    pipeline = plan.automation.ci_cd_pipeline if plan.automation else None
    logins = []
    if management.auth == "oidc" and pipeline is not None:
        logins = [
            _login(login, environment, management.address, plan.environments[environment].region)
            for login in pipeline.oidc
            if login.provider in providers and environment in login.roles
        ]
    return SecretAccess(tuple(logins), _ci_variables(plan, service, providers))


def _ci_variables(
    plan: DeploymentPlan, service: Service, providers: set[SecretProvider]
) -> tuple[str, ...]:
    """CI variables the deploy step gets: ``ci`` secrets (their path is the variable's
    name) and the token of a provider logged in to with one."""
    management = plan.configuration_management.secrets_management
    assert management is not None
    wanted = _secret_names(plan, service)
    names = {
        secret.path
        for secret in management.secrets
        if secret.name in wanted and (secret.provider or management.provider) is SecretProvider.CI
    }
    if management.auth == "token" and SecretProvider.VAULT in providers:
        names.add("VAULT_TOKEN")
    if management.auth == "age" and SecretProvider.SOPS in providers:
        names.add("SOPS_AGE_KEY")
    return tuple(sorted(names))


def _login(login: OidcLogin, environment: str, address: str | None, region: str | None) -> Login:
    """How a deploy job to ``environment`` logs in; AWS in the environment's own
    ``region`` when it names an AWS region (a DR deploy reads the standby region's
    secrets, not those of the primary it replaces), else in the login's."""
    role = login.roles[environment]
    if login.provider == "vault":
        settings = {
            "VAULT_ADDR": address or "",
            "VAULT_AUTH_PATH": login.auth_path,
            "VAULT_ROLE": role,
        }
        return Login(login.provider, login.audience, tuple(settings.items()))
    if login.provider == "aws_secrets_manager":
        aws_region = region if region and _AWS_REGION.fullmatch(region) else login.region
        settings = {"AWS_REGION": aws_region, "AWS_ROLE_ARN": role}
    elif login.provider == "gcp_secret_manager":
        provider = login.workload_identity_provider
        settings = {"GCP_WORKLOAD_IDENTITY_PROVIDER": provider, "GCP_SERVICE_ACCOUNT": role}
        return Login(login.provider, f"//iam.googleapis.com/{provider}", tuple(settings.items()))
    else:
        settings = {
            "AZURE_TENANT_ID": login.tenant_id,
            "AZURE_SUBSCRIPTION_ID": login.subscription_id,
            "AZURE_CLIENT_ID": role,
        }
    return Login(login.provider, _AUDIENCE[login.provider], tuple(settings.items()))

"""How CI jobs log in to a secret provider with the CI's OIDC token (no stored credentials).

Each login names, per environment, the identity a deploy job takes there: a Vault JWT
role, an AWS IAM role, a GCP service account or an Azure app registration. Production
and staging get different identities, so a staging job cannot read production secrets.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.types import EnvironmentRef, SpecModel

RUNNER_LABEL = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
IMAGE = r"^[a-z0-9][a-z0-9._:-]*(/[a-z0-9._-]+)*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$"
GIT_REF = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
VaultRole = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
AwsRoleArn = Annotated[
    str, Field(pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")
]
ServiceAccount = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]+\.iam\.gserviceaccount\.com$")
]
AzureId = Annotated[str, Field(pattern=_UUID)]

#: Secret providers a deploy job can log in to with the CI's OIDC token (an `oidc` login).
OIDC_PROVIDERS = frozenset(
    {"vault", "aws_secrets_manager", "gcp_secret_manager", "azure_key_vault"}
)


class VaultLogin(SpecModel):
    """Vault's JWT auth method, bound to the CI's OIDC issuer."""

    provider: Literal["vault"] = Field(description="Log in to HashiCorp Vault.")
    auth_path: str = Field(
        "jwt", pattern=r"^[A-Za-z0-9][A-Za-z0-9_/-]*$", description="Mount path of the JWT method."
    )
    audience: str = Field(
        "vault", pattern=r"^[A-Za-z0-9][A-Za-z0-9.:/_-]*$", description="Audience of the token."
    )
    roles: dict[EnvironmentRef, VaultRole] = Field(
        min_length=1, description="Environment -> Vault role deploy jobs log in as."
    )


class AwsLogin(SpecModel):
    """AWS STS ``AssumeRoleWithWebIdentity``."""

    provider: Literal["aws_secrets_manager"] = Field(description="Log in to AWS.")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="AWS region.")
    roles: dict[EnvironmentRef, AwsRoleArn] = Field(
        min_length=1, description="Environment -> IAM role ARN deploy jobs assume."
    )


class GcpLogin(SpecModel):
    """GCP workload identity federation."""

    provider: Literal["gcp_secret_manager"] = Field(description="Log in to Google Cloud.")
    workload_identity_provider: str = Field(
        pattern=r"^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]+"
        r"/providers/[a-z0-9-]+$",
        description="Full resource name of the workload identity provider.",
    )
    roles: dict[EnvironmentRef, ServiceAccount] = Field(
        min_length=1, description="Environment -> service account deploy jobs impersonate."
    )


class AzureLogin(SpecModel):
    """Azure workload identity federation (a federated credential on an app registration)."""

    provider: Literal["azure_key_vault"] = Field(description="Log in to Azure.")
    tenant_id: AzureId = Field(description="Microsoft Entra tenant id.")
    subscription_id: AzureId = Field(description="Subscription id.")
    roles: dict[EnvironmentRef, AzureId] = Field(
        min_length=1, description="Environment -> client id of the app registration."
    )


OidcLogin = Annotated[
    VaultLogin | AwsLogin | GcpLogin | AzureLogin, Field(discriminator="provider")
]

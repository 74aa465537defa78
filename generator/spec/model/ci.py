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
    region: str = Field(
        pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$",
        description="AWS region of deploy jobs to environments whose `region` is not an AWS "
        "region of their own (a DR environment's `region` takes its deploys there).",
    )
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


RunnerLabel = Annotated[str, Field(pattern=RUNNER_LABEL)]
# Segments never start with a dot: no `..`, and no hidden folders such as `.git`.
SourcePath = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
]
CiVariable = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
AwsRegion = Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")]
ClusterName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


class EksCredentials(SpecModel):
    """``aws eks update-kubeconfig`` after assuming an IAM role with the CI's OIDC token."""

    source: Literal["eks"] = Field(description="An Amazon EKS cluster.")
    cluster: ClusterName = Field(description="EKS cluster name.")
    region: AwsRegion = Field(description="AWS region of the cluster.")
    role_arn: AwsRoleArn = Field(description="IAM role the deploy job assumes (OIDC).")


class GkeCredentials(SpecModel):
    """``gcloud container clusters get-credentials`` through workload identity federation."""

    source: Literal["gke"] = Field(description="A Google Kubernetes Engine cluster.")
    cluster: ClusterName = Field(description="GKE cluster name.")
    location: str = Field(pattern=r"^[a-z]+-[a-z]+[0-9](-[a-z])?$", description="Region or zone.")
    project: str = Field(pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$", description="GCP project id.")
    workload_identity_provider: str = Field(
        pattern=r"^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]+"
        r"/providers/[a-z0-9-]+$",
        description="Full resource name of the workload identity provider.",
    )
    service_account: ServiceAccount = Field(description="Service account to impersonate.")


class AksCredentials(SpecModel):
    """``az aks get-credentials`` after a federated (OIDC) login to Microsoft Entra."""

    source: Literal["aks"] = Field(description="An Azure Kubernetes Service cluster.")
    cluster: ClusterName = Field(description="AKS cluster name.")
    resource_group: ClusterName = Field(description="Resource group of the cluster.")
    tenant_id: AzureId = Field(description="Microsoft Entra tenant id.")
    subscription_id: AzureId = Field(description="Subscription id.")
    client_id: AzureId = Field(description="Client id of the app registration (federated).")


class KubeconfigSecret(SpecModel):
    """A kubeconfig kept as a CI secret (GitHub environment secret, GitLab file variable)."""

    source: Literal["kubeconfig"] = Field(description="A kubeconfig stored in the CI.")
    secret: CiVariable = Field(
        description="Name of the CI secret holding the kubeconfig (an environment secret on "
        "GitHub, a file-type variable scoped to the environment on GitLab)."
    )


ClusterCredentials = Annotated[
    EksCredentials | GkeCredentials | AksCredentials | KubeconfigSecret,
    Field(discriminator="source"),
]

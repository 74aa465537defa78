"""Seed §4: version management and configuration management."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from generator.spec.model.ci import GIT_REF
from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    EnvVarName,
    Identifier,
    Name,
    RoleRef,
    SecretRefName,
    ServiceRef,
    SpecModel,
    Text,
    Url,
)


class SemverScheme(SpecModel):
    type: Literal["semver"] = Field(description="Semantic versioning: MAJOR.MINOR.PATCH.")
    tag_prefix: str = Field("v", pattern=r"^[A-Za-z._-]*$", description="Prefix of release tags.")


class CalverScheme(SpecModel):
    type: Literal["calver"] = Field(description="Calendar versioning.")
    format: str = Field(
        pattern=r"^(YYYY|YY|0M|MM|0D|DD|MICRO)([.-](YYYY|YY|0M|MM|0D|DD|MICRO))*$",
        description="Format such as `YYYY.0M.MICRO`.",
    )
    tag_prefix: str = Field("", pattern=r"^[A-Za-z._-]*$", description="Prefix of release tags.")


VersionScheme = Annotated[SemverScheme | CalverScheme, Field(discriminator="type")]


class BranchingModel(StrEnum):
    TRUNK = "trunk"
    GITHUB_FLOW = "github_flow"
    GITFLOW = "gitflow"


class BranchingStrategy(SpecModel):
    """Which branches and tags deploy where: see the pipelines section of the manual."""

    model: BranchingModel = Field(description="Branching model.")
    main_branch: str = Field("main", pattern=GIT_REF, description="The integration branch.")
    develop_branch: str | None = Field(
        None, pattern=GIT_REF, description="gitflow's develop branch [default: `develop`]."
    )
    release_branch_prefix: str = Field(
        "release/", pattern=GIT_REF, description="Prefix of release branches."
    )
    hotfix_branch_prefix: str = Field(
        "hotfix/", pattern=GIT_REF, description="Prefix of hotfix branches."
    )


class Approval(SpecModel):
    environment: EnvironmentRef = Field(description="Environment the rule applies to.")
    approvers: list[RoleRef] = Field(min_length=1, description="Roles that may approve.")
    required: int = Field(1, ge=1, le=10, description="Number of approvals needed.")
    separate_from_author: bool = Field(True, description="The author cannot approve.")


class FreezeWindow(SpecModel):
    name: Identifier = Field(description="Window name.")
    start: datetime = Field(description="Start, ISO 8601 with offset.")
    end: datetime = Field(description="End, ISO 8601 with offset.")
    environments: list[EnvironmentRef] = Field(min_length=1, description="Frozen environments.")
    reason: Text = Field("", description="Why changes are frozen.")


class ReleasePolicy(SpecModel):
    cadence: str = Field("on_demand", description="How often releases ship, e.g. `weekly`.")
    approvals: list[Approval] = Field(default_factory=list, description="Who approves where.")
    freeze_windows: list[FreezeWindow] = Field(
        default_factory=list, description="Periods when deploys are refused."
    )
    hotfixes_during_freeze: bool = Field(
        True, description="Allow deploys with `--override-freeze REASON` during a freeze."
    )
    release_notes: bool = Field(True, description="Generate release notes from commits.")


class VersionManagement(SpecModel):
    """Seed §4.1 ``VersionManagement``."""

    version_scheme: VersionScheme = Field(description="How versions are numbered.")
    branching_strategy: BranchingStrategy = Field(description="Branches and what they trigger.")
    release_policy: ReleasePolicy = Field(
        default_factory=ReleasePolicy, description="Approvals, cadence and freezes."
    )


class ConfigFile(SpecModel):
    """A configuration file rendered per service and environment."""

    name: Name = Field(description="Unique name.")
    service: ServiceRef = Field(description="Service that reads it.")
    path: str = Field(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", description="Relative path.")
    format: Literal["yaml", "json", "env", "toml", "ini"] = Field(description="File format.")
    values: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Key -> value, for every environment."
    )
    overrides: dict[EnvironmentRef, dict[str, str | int | float | bool]] = Field(
        default_factory=dict, description="Environment -> values that replace the defaults."
    )


class EnvVariable(SpecModel):
    """An environment variable: a plain value or a reference to a secret, never both."""

    name: EnvVarName = Field(description="Variable name.")
    value: str | None = Field(None, description="Plain, non-secret value.")
    secret: SecretRefName | None = Field(None, description="Name of a declared secret.")
    overrides: dict[EnvironmentRef, str] = Field(
        default_factory=dict, description="Environment -> plain value replacing `value`."
    )
    services: list[ServiceRef] = Field(
        default_factory=list, description="Services that get it; empty means all."
    )
    description: Text = Field("", description="What it controls.")
    required: bool = Field(True, description="Preflight fails when it does not resolve.")


class SecretProvider(StrEnum):
    VAULT = "vault"
    AWS_SECRETS_MANAGER = "aws_secrets_manager"
    GCP_SECRET_MANAGER = "gcp_secret_manager"
    AZURE_KEY_VAULT = "azure_key_vault"
    SOPS = "sops"
    CI = "ci"


#: A provider path; ``{environment}`` stands for the environment the secret is read in.
SECRET_PATH = r"^([A-Za-z0-9._/+=@-]|\{environment\})+$"
_SECRET_PATH_DESCRIPTION = (
    "Path or ID of the secret at the provider (the variable name for `ci`, the encrypted "
    "file for `sops`); `{environment}` is replaced by the environment it is read in, e.g. "
    "`shop/{environment}/orders-db`."
)


class SecretLocation(SpecModel):
    """Where one environment's value of a secret lives, when not at the default path."""

    path: str = Field(pattern=SECRET_PATH, description=_SECRET_PATH_DESCRIPTION)
    key: str | None = Field(None, description="Field within the secret, if it has several.")


class Secret(SpecModel):
    """A reference to a secret held by a provider; the value never enters the spec."""

    name: Name = Field(description="Unique name, referenced as `secret: NAME`.")
    provider: SecretProvider | None = Field(None, description="Overrides the default provider.")
    path: str = Field(pattern=SECRET_PATH, description=_SECRET_PATH_DESCRIPTION)
    key: str | None = Field(None, description="Field within the secret, if it has several.")
    overrides: dict[EnvironmentRef, SecretLocation] = Field(
        default_factory=dict,
        description="Environment -> path (and key) there, replacing `path` and `key`.",
    )
    rotation: Duration | None = Field(
        None, description="How often the secret is rotated; checked against `secret_rotation`."
    )
    services: list[ServiceRef] = Field(default_factory=list, description="Services using it.")
    description: Text = Field("", description="What it is for.")


class SecretsManagement(SpecModel):
    provider: SecretProvider = Field(description="Default secret provider.")
    address: Url | None = Field(
        None,
        description="Provider endpoint: the Vault address (`VAULT_ADDR`) or the Azure Key "
        "Vault URL (`https://NAME.vault.azure.net`).",
    )
    auth: Literal["oidc", "kubernetes", "iam", "token", "age"] = Field(
        "oidc", description="How deploy jobs authenticate to the provider."
    )
    mount: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$",
        description="Vault KV v2 mount the paths are relative to (`vault kv get -mount=MOUNT`).",
    )
    namespace: str | None = Field(
        None,
        pattern=SECRET_PATH,
        description="Vault Enterprise namespace; `{environment}` is replaced by the "
        "environment, e.g. `shop/{environment}`.",
    )
    secrets: list[Secret] = Field(default_factory=list, description="Declared secrets.")


class ConfigurationManagement(SpecModel):
    """Seed §4.2 ``ConfigurationManagement``."""

    config_files: list[ConfigFile] = Field(default_factory=list, description="Config files.")
    environment_variables: list[EnvVariable] = Field(
        default_factory=list, description="Variables given to services."
    )
    secrets_management: SecretsManagement | None = Field(
        None, description="Secret provider and secret references."
    )

"""The ``configuration`` family: per service and environment, the config files, the plain
environment variables, the secrets manifest and ``secrets.sh`` (apply_configuration).

``output/services/<service>/config/<env>/`` holds the config files at their spec paths,
``variables.env`` and ``secrets.yaml``; ``output/services/<service>/deploy/<env>/secrets.sh``
is the library the deploy scripts source to read secrets into the environment.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.configuration import ConfigFile, EnvVariable
from generator.targets import indexes
from generator.targets.configuration.formats import LINE_WRITERS, env_line
from generator.targets.configuration.secrets import locate, secrets_by_name, service_secrets
from generator.targets.context import PlanContext

FAMILY = "configuration"
#: Names next to the config files; a config file cannot take them (rule `config-path`).
VARIABLES_FILE = "variables.env"
SECRETS_MANIFEST = "secrets.yaml"


def plan(context: PlanContext) -> list[Artifact]:
    """Config files, variables, the secrets manifest and secrets.sh of every deployment."""
    spec = context.plan
    artifacts: list[Artifact] = []
    for service in spec.services:
        for environment in deployed_environments(spec, service):
            artifacts += _deployment(spec, service, environment)
    return artifacts


def deployed_environments(spec: DeploymentPlan, service: Service) -> list[str]:
    """The environments ``service`` is deployed to, in the spec's environment order."""
    return [name for name in spec.environments if name in service.targets]


def _deployment(spec: DeploymentPlan, service: Service, environment: str) -> list[Artifact]:
    config_dir = PurePosixPath("services", service.name, "config", environment)
    files = [
        _config_file(config_dir / config.path, config, environment)
        for config in spec.configuration_management.config_files
        if config.service == service.name
    ]
    plain = plain_variables(spec, service, environment)
    if plain:
        lines = [env_line(name, value) for name, value in plain.items()]
        files.append(_text(config_dir / VARIABLES_FILE, "configuration/config.text.j2", lines))
    secret_vars = secret_variables(spec, service, environment)
    manifest = secrets_manifest(spec, service, environment)
    if manifest:
        files.append(
            _artifact(
                config_dir / SECRETS_MANIFEST,
                "configuration/secrets.yaml.j2",
                {"service": service.name, "environment": environment, "secrets": manifest},
            )
        )
    if secret_vars:
        files.append(_secrets_script(service, environment, secret_vars))
    return [_scoped(a, service.name, environment) for a in files]


def _config_file(path: PurePosixPath, config: ConfigFile, environment: str) -> Artifact:
    values = {**config.values, **config.overrides.get(environment, {})}
    if config.format == "yaml":
        return _artifact(path, "configuration/config.yaml.j2", {"values": values})
    if config.format == "json":
        return _artifact(path, "configuration/config.json.j2", {"values": values})
    write = LINE_WRITERS[config.format]
    return _text(path, "configuration/config.text.j2", [write(k, v) for k, v in values.items()])


def plain_variables(spec: DeploymentPlan, service: Service, environment: str) -> dict[str, str]:
    """Non-secret variables of ``service`` in ``environment``: name -> value."""
    found = {}
    for variable in _variables_of(spec, service):
        value = variable.overrides.get(environment, variable.value)
        if variable.secret is None and value is not None:
            found[variable.name] = value
    return found


def secret_variables(
    spec: DeploymentPlan, service: Service, environment: str
) -> list[dict[str, Any]]:
    """Variables of ``service`` filled from secrets, with where each secret is read."""
    secrets = secrets_by_name(spec)
    return [
        {
            "variable": variable.name,
            "required": variable.required,
            "location": locate(spec, secrets[variable.secret], environment).as_dict(),
        }
        for variable in _variables_of(spec, service)
        if variable.secret in secrets
    ]


def secrets_manifest(
    spec: DeploymentPlan, service: Service, environment: str
) -> list[dict[str, Any]]:
    """Each secret ``service`` uses: provider, location and the variable it fills."""
    variables: dict[str, list[str]] = {}
    for variable in _variables_of(spec, service):
        if variable.secret:
            variables.setdefault(variable.secret, []).append(variable.name)
    manifest = []
    for secret in service_secrets(spec, service):
        location = locate(spec, secret, environment)
        entry = {
            "name": secret.name,
            "variables": variables.get(secret.name, []),
            "provider": location.provider,
            "address": location.address,
            "namespace": location.namespace,
            "mount": location.mount,
            "region": location.region,
            "path": location.path,
            "field": location.key,
            "rotation": location.rotation,
        }
        manifest.append({k: v for k, v in entry.items() if v not in (None, [])})
    return manifest


def _variables_of(spec: DeploymentPlan, service: Service) -> list[EnvVariable]:
    indexed = indexes.variables(spec).get(service.name)
    if indexed is not None:
        return list(indexed)
    return [
        v
        for v in spec.configuration_management.environment_variables
        if not v.services or service.name in v.services
    ]


def _secrets_script(
    service: Service, environment: str, variables: list[dict[str, Any]]
) -> Artifact:
    locations = [v["location"] for v in variables]
    return Artifact(
        root=Root.OUTPUT,
        path=PurePosixPath("services", service.name, "deploy", environment, "secrets.sh"),
        template="configuration/secrets.sh.j2",
        family=FAMILY,
        context={
            "service": service.name,
            "environment": environment,
            "variables": variables,
            "providers": sorted({location["provider"] for location in locations}),
        },
        executable=True,
    )


def _text(path: PurePosixPath, template: str, lines: list[str]) -> Artifact:
    return _artifact(path, template, {"lines": lines})


def _artifact(path: PurePosixPath, template: str, context: dict[str, Any]) -> Artifact:
    return Artifact(root=Root.OUTPUT, path=path, template=template, family=FAMILY, context=context)


def _scoped(artifact: Artifact, service: str, environment: str) -> Artifact:
    return replace(artifact, environment=environment, service=service)

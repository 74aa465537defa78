"""Configuration a deploy can apply: variables with exactly one source, keys the file
format can hold, secret locations the provider CLI can read, rotation within policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Location, Severity
from generator.spec.model import DeploymentPlan
from generator.spec.model.configuration import Secret, SecretProvider
from generator.spec.model.security import SecretRotationPolicy
from generator.spec.model.types import duration_seconds
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext

_CM = ("configuration_management",)
_SECRETS = (*_CM, "secrets_management", "secrets")
_KEY_PATTERNS = {
    "env": (re.compile(r"[A-Za-z_][A-Za-z0-9_]*"), "a variable name such as `LOG_LEVEL`"),
    "ini": (re.compile(r"[A-Za-z0-9_.-]+"), "letters, digits, `_`, `.` and `-`"),
}
_SUFFIXES = {
    "yaml": (".yaml", ".yml"),
    "json": (".json",),
    "toml": (".toml",),
    "env": (".env",),
    "ini": (".ini", ".conf", ".cfg"),
}
_RESERVED = ("variables.env", "secrets.yaml")
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x85\u2028\u2029]")
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_AZURE_PATH = re.compile(r"[0-9A-Za-z-]+/[0-9A-Za-z-]+")


def variable_sources(ctx: RuleContext) -> Iterator[Diagnostic]:
    """An environment variable has a plain value or a secret, not both and not neither."""
    for index, variable in enumerate(ctx.plan.configuration_management.environment_variables):
        path = (*_CM, "environment_variables", index)
        values: list[tuple[Path, str | None]] = [((*path, "value"), variable.value)]
        values += [((*path, "overrides", env), v) for env, v in variable.overrides.items()]
        for where, value in values:
            if value is not None and _LINE_BREAK.search(value):
                yield _multiline(ctx, where, "an environment variable")
        if variable.value is not None and variable.secret is not None:
            yield ctx.at(
                (*path, "secret"),
                "variable-source",
                f"`{variable.name}` has both a value and a secret",
                hint="keep `secret:` for a sensitive value, `value:` for a plain one",
            )
        elif variable.value is None and variable.secret is None and not variable.overrides:
            yield ctx.at(
                (*path, "name"),
                "variable-source",
                f"`{variable.name}` has neither a value nor a secret",
                hint="add `value: …` or `secret: NAME`",
            )
        elif variable.secret is not None and variable.overrides:
            yield ctx.at(
                (*path, "overrides"),
                "variable-source",
                f"`{variable.name}` comes from a secret; per-environment plain values would "
                "put a secret's place in plain text",
                hint="give the secret per-environment paths with its own `overrides:`",
            )


def config_paths(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Config file paths stay inside the service's folder and end as their format does."""
    for index, config in enumerate(ctx.plan.configuration_management.config_files):
        path = (*_CM, "config_files", index, "path")
        parts = config.path.split("/")
        suffixes = _SUFFIXES[config.format]
        if any(part in (".", "..") for part in parts):
            yield ctx.at(
                path,
                "config-path",
                f"`{config.path}` leaves the service's config folder",
                hint="write a relative path without `.` or `..`, e.g. `config/app.yaml`",
            )
        elif config.path in _RESERVED:
            yield ctx.at(
                path,
                "config-path",
                f"`{config.path}` is the name of a generated file next to the config files",
                hint="put it in a folder, e.g. `config/" + config.path + "`",
            )
        elif not config.path.endswith(suffixes):
            yield ctx.at(
                path,
                "config-path",
                f"a {config.format} file should end in {' or '.join(suffixes)}",
                hint=f"rename it, e.g. `{parts[-1].rsplit('.', 1)[0]}{suffixes[0]}`",
            )


def config_entries(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Keys of `env` and `ini` files are names those formats can hold; values one line."""
    for index, config in enumerate(ctx.plan.configuration_management.config_files):
        if config.format not in _KEY_PATTERNS:
            continue
        pattern, expected = _KEY_PATTERNS[config.format]
        path = (*_CM, "config_files", index)
        sections: list[tuple[Path, dict[str, str | int | float | bool]]]
        sections = [((*path, "values"), config.values)]
        sections += [((*path, "overrides", env), vals) for env, vals in config.overrides.items()]
        for where, values in sections:
            for key, value in values.items():
                if not pattern.fullmatch(key):
                    yield Diagnostic(
                        "config-key",
                        f"`{key}` cannot be a key of an {config.format} file",
                        ctx.positions.key((*where, key)),
                        (*where, key),
                        hint=f"use {expected}",
                    )
                elif isinstance(value, str) and _LINE_BREAK.search(value):
                    yield _multiline(ctx, (*where, key), f"an {config.format} file")


def _multiline(ctx: RuleContext, path: Path, where: str) -> Diagnostic:
    return ctx.at(
        path,
        "config-value",
        f"a value of {where} is one line, and this one has a line break",
        hint="put multi-line values in a yaml, json or toml config file",
    )


def secret_locations(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Each secret's path is one its provider's CLI can read."""
    management = ctx.plan.configuration_management.secrets_management
    if management is None:
        return
    for index, secret in enumerate(management.secrets):
        provider = secret.provider or management.provider
        paths: list[tuple[Path, str]] = [((*_SECRETS, index, "path"), secret.path)]
        paths += [
            ((*_SECRETS, index, "overrides", env, "path"), location.path)
            for env, location in secret.overrides.items()
        ]
        for path, value in paths:
            problem = _location_problem(provider, value, management.address is not None)
            if problem:
                yield ctx.at(path, "secret-path", *problem)


def _location_problem(
    provider: SecretProvider, path: str, has_address: bool
) -> tuple[str, str] | None:
    if provider is SecretProvider.CI and not _SHELL_NAME.fullmatch(path):
        return (
            f"a CI-provided secret is a variable, and `{path}` is not a variable name",
            "write the name of the CI variable, e.g. `ORDERS_DB_PASSWORD`",
        )
    azure = provider is SecretProvider.AZURE_KEY_VAULT and not has_address
    if azure and not _AZURE_PATH.fullmatch(path.replace("{environment}", "env")):
        return (
            f"`{path}` does not name a Key Vault and a secret",
            "write `VAULT/SECRET`, or set the vault URL as secrets_management.address",
        )
    return None


def secret_rotation(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Secrets rotate at least as often as a `secret_rotation` policy demands (warnings)."""
    if ctx.plan.security is None or ctx.plan.configuration_management.secrets_management is None:
        return
    secrets = ctx.plan.configuration_management.secrets_management.secrets
    for p_index, policy in enumerate(ctx.plan.security.security_policies):
        if not isinstance(policy, SecretRotationPolicy):
            continue
        max_age = ("security", "security_policies", p_index, "max_age")
        note = (f"policy `{policy.name}` sets max_age here", ctx.positions.value(max_age))
        for index, secret in enumerate(secrets):
            scope = set(policy.environments)
            if scope and not scope & _environments_using(ctx.plan, secret):
                continue
            if secret.rotation is None:
                yield _rotation_warning(
                    ctx,
                    (*_SECRETS, index, "name"),
                    f"secret `{secret.name}` has no rotation period; policy `{policy.name}` "
                    f"requires rotation at least every {policy.max_age}",
                    policy.max_age,
                    note,
                )
            elif duration_seconds(secret.rotation) > duration_seconds(policy.max_age):
                yield _rotation_warning(
                    ctx,
                    (*_SECRETS, index, "rotation"),
                    f"secret `{secret.name}` rotates every {secret.rotation}, less often than "
                    f"the {policy.max_age} that policy `{policy.name}` allows",
                    policy.max_age,
                    note,
                )


def _rotation_warning(
    ctx: RuleContext,
    path: tuple[str | int, ...],
    message: str,
    max_age: str,
    note: tuple[str, Location],
) -> Diagnostic:
    return Diagnostic(
        "secret-rotation",
        message,
        ctx.positions.value(path),
        path,
        severity=Severity.WARNING,
        hint=f"set `rotation: {max_age}` or shorter",
        notes=(note,),
    )


def _environments_using(plan: DeploymentPlan, secret: Secret) -> set[str]:
    """Environments where a service using ``secret`` is deployed (all when unspecified)."""
    users = set(secret.services)
    for variable in plan.configuration_management.environment_variables:
        if variable.secret == secret.name:
            users |= set(variable.services) or {s.name for s in plan.services}
    if not users:
        return set(plan.environments)
    return {env for s in plan.services if s.name in users for env in s.targets}

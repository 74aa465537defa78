"""Finding secret values where only secret references belong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.spec.positions import Path

SECRET_NAME = re.compile(
    r"(^|_)(PASSWORD|PASSWD|PASS|PWD|TOKEN|SECRET|KEY|APIKEY|API_KEY|PRIVATE_KEY|CREDENTIALS?)$",
    re.IGNORECASE,
)
# Shapes of well-known credentials: (pattern, what it is).
CREDENTIAL_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\bsk_(live|test)_[A-Za-z0-9]{16,}\b"), "a Stripe secret key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), "a JWT"),
    (re.compile(r"://[^/\s:@]+:[^/\s@]+@"), "a URL with a password"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key"),
)
_SECRETS_SECTION = ("configuration_management", "secrets_management")


def find_plain_secrets(data: Any) -> Iterator[tuple[Path, str, str | None]]:
    """(path, reason, matched text) for each secret-looking literal outside secrets_management.

    The matched text is given for credentials found inside a longer value, so that the
    finding can point at the credential itself.
    """
    yield from _named_variables(data)
    yield from _config_values(data)
    yield from _credential_shapes(data, ())


def _named_variables(data: Any) -> Iterator[tuple[Path, str, str | None]]:
    variables = _get(data, "configuration_management", "environment_variables")
    for index, variable in enumerate(variables or []):
        name = variable.get("name", "") if isinstance(variable, dict) else ""
        if not SECRET_NAME.search(name):
            continue
        base: Path = ("configuration_management", "environment_variables", index)
        if variable.get("value") not in (None, ""):
            yield (*base, "value"), f"`{name}` is named like a secret and has a plain value", None
        for env in variable.get("overrides") or {}:
            yield (*base, "overrides", env), f"`{name}` is named like a secret", None


def _config_values(data: Any) -> Iterator[tuple[Path, str, str | None]]:
    files = _get(data, "configuration_management", "config_files")
    for index, config in enumerate(files or []):
        if not isinstance(config, dict):
            continue
        base: Path = ("configuration_management", "config_files", index)
        tables: list[tuple[tuple[str, ...], Any]] = [(("values",), config.get("values"))]
        tables += [
            (("overrides", env), values) for env, values in (config.get("overrides") or {}).items()
        ]
        for where, values in tables:
            for key, value in (values or {}).items():
                if SECRET_NAME.search(str(key)) and isinstance(value, str) and value:
                    yield (*base, *where, key), f"`{key}` is named like a secret", None


def _credential_shapes(node: Any, path: Path) -> Iterator[tuple[Path, str, str | None]]:
    if path[:2] == _SECRETS_SECTION:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _credential_shapes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _credential_shapes(value, (*path, index))
    elif isinstance(node, str):
        for pattern, what in CREDENTIAL_SHAPES:
            found = pattern.search(node)
            if found:
                yield path, f"it contains {what}", found.group()
                return


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data

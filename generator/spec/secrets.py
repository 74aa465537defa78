"""Finding secret values where only secret references belong.

A reference is a name (``secret: NAME``), a ``{placeholder}`` or a shell variable
(``$VAR``, ``${VAR}``); anything else written where a credential goes is a value.
``secrets_management`` is searched too: it holds where secrets live, never the secrets.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from generator.spec.positions import Path

_SECRET_WORDS = (
    r"PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|TOKEN|SECRET|KEY|APIKEY|API[_-]KEY|"
    r"PRIVATE[_-]KEY|ACCESS[_-]KEY|CREDENTIALS?"
)
#: Names of variables and config keys that hold secrets: `DB_PASSWORD`, `api-key`,
#: `tls.passphrase`, `apiKey`.
SECRET_NAME = re.compile(
    rf"(?i:(^|[_.-])({_SECRET_WORDS})$)"
    r"|[a-z0-9](Password|Passwd|Passphrase|Secret|Token|ApiKey|PrivateKey|AccessKey|Credentials?)$"
)
# `NAME_PASSWORD=value` (or `--db-password=value`) in a command; `=$VAR`, `="${VAR}"` and
# `={placeholder}` are references and do not match.
_ASSIGNED_SECRET = re.compile(
    r"(?i)(?<![A-Za-z0-9])[A-Za-z0-9_-]*"
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?)"
    r"=([\"']?)(?![\"'$<{*`])[^\s\"'$`]{3,}"
)
_REFERENCE = r"(?!\$\{?[A-Za-z_][A-Za-z0-9_]*\}?@)(?!\{[A-Za-z_][A-Za-z0-9_]*\}@)"
# A password before `@` in `scheme://user:password@host`, or in `user:password@host.tld`.
_URL_PASSWORD = re.compile(rf"://[^/\s:@]*:{_REFERENCE}[^/\s@]+@")
_HOST_PASSWORD = re.compile(
    rf"(?<![\w/:.@-])[A-Za-z][A-Za-z0-9._%+-]*:{_REFERENCE}[^\s/@:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,}\b"
)
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_BASIC_AUTH = re.compile(r"\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
_BEARER = re.compile(r"(?i)\bAuthorization:\s*Bearer\s+(?![\"'$<{])[A-Za-z0-9._~+/-]{8,}=*")


_SHORTEST = len("u:p@h.io")


def _random_looking(token: str) -> bool:
    """Mixed case, digits and high entropy: a generated key, not a path or a hash."""
    classes = (str.isupper, str.islower, str.isdigit)
    if not all(any(test(c) for c in token) for test in classes):
        return False
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return entropy > 4.3


def _user_and_password(encoded: str) -> bool:
    """A Basic credential is base64 of `user:password`; `Basic authentication` is not."""
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded and decoded.isascii() and decoded.decode().isprintable()


def _always(_: str) -> bool:
    return True


# Shapes of well-known credentials: (pattern, what it is, a test of the matched text, text
# that must occur for the pattern to match at all: a cheap filter for the many values
# that cannot hold a credential).
CREDENTIAL_SHAPES: tuple[tuple[re.Pattern[str], str, Callable[[str], bool], str], ...] = (
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id", _always, "AKIA"),
    (_AWS_SECRET, "an AWS secret access key", _random_looking, ""),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key", _always, "-----"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token", _always, "gh"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), "a GitLab token", _always, "glpat-"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token", _always, "xox"),
    (re.compile(r"\bsk_(live|test)_[A-Za-z0-9]{16,}\b"), "a Stripe secret key", _always, "sk_"),
    (
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
        "a JWT",
        _always,
        "eyJ",
    ),
    (_URL_PASSWORD, "a URL with a password", _always, "@"),
    (_HOST_PASSWORD, "a user and password before a host", _always, "@"),
    (
        _BASIC_AUTH,
        "a Basic authorization header",
        lambda m: _user_and_password(m.split()[-1]),
        "Basic",
    ),
    (_BEARER, "a bearer token", _always, ":"),
    (_ASSIGNED_SECRET, "a secret assigned to a variable named like one", _always, "="),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key", _always, "AIza"),
)


def find_plain_secrets(data: Any) -> Iterator[tuple[Path, str, str | None]]:
    """(path, reason, matched text) for each secret-looking literal in the spec.

    The matched text is given for credentials found inside a longer value, so that the
    finding can point at the credential itself.
    """
    yield from _named_variables(data)
    yield from _config_values(data)
    yield from _credential_shapes(data, ())


def credential_in(text: str) -> tuple[str, str] | None:
    """(what it is, matched text) of the first credential written in ``text``."""
    if len(text) < _SHORTEST:
        return None
    for pattern, what, plausible, needle in CREDENTIAL_SHAPES:
        if needle not in text or (not needle and len(text) < 40):
            continue
        for found in pattern.finditer(text):
            if plausible(found.group()):
                return what, found.group()
    return None


def _named_variables(data: Any) -> Iterator[tuple[Path, str, str | None]]:
    variables = _get(data, "configuration_management", "environment_variables")
    for index, variable in enumerate(variables or []):
        name = variable.get("name", "") if isinstance(variable, dict) else ""
        if not isinstance(name, str) or not SECRET_NAME.search(name):
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
        overrides = config.get("overrides")
        if isinstance(overrides, dict):
            tables += [(("overrides", env), values) for env, values in overrides.items()]
        for where, values in tables:
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                if SECRET_NAME.search(str(key)) and isinstance(value, str) and value:
                    yield (*base, *where, key), f"`{key}` is named like a secret", None


def _credential_shapes(node: Any, path: Path) -> Iterator[tuple[Path, str, str | None]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _credential_shapes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _credential_shapes(value, (*path, index))
    elif isinstance(node, str):
        found = credential_in(node)
        if found:
            yield path, f"it contains {found[0]}", found[1]


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data

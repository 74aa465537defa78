"""What counts as a plain secret, and what only looks like one (references, prose, hashes)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.spec.secrets import SECRET_NAME, credential_in

CREDENTIALS = [
    ("https://root:hunter2@vault.example.com", "a URL with a password", "://root:hunter2@"),
    ("redis://:hunter2@cache.example.com:6379", "a URL with a password", "://:hunter2@"),
    (
        "signs with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "an AWS secret access key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "psql app:s3cret@db.example.com/shop",
        "a user and password before a host",
        "app:s3cret@db.example.com",
    ),
    (
        "DB_PASSWORD=hunter2 make migrate",
        "a secret assigned to a variable named like one",
        "DB_PASSWORD=hunter2",
    ),
    (
        "migrate --db-password=hunter2",
        "a secret assigned to a variable named like one",
        "--db-password=hunter2",
    ),
    (
        "export API_KEY='abc123xyz'",
        "a secret assigned to a variable named like one",
        "API_KEY='abc123xyz",
    ),
    (
        "curl -H 'Authorization: Basic YWRtaW46aHVudGVyMg=='",
        "a Basic authorization header",
        "Basic YWRtaW46aHVudGVyMg==",
    ),
    (
        "curl -H 'Authorization: Bearer abcdef123456'",
        "a bearer token",
        "Authorization: Bearer abcdef123456",
    ),
    ("key AKIAIOSFODNN7EXAMPLE", "an AWS access key id", "AKIAIOSFODNN7EXAMPLE"),
]

NOT_CREDENTIALS = [
    "DB_PASSWORD=$DB_PASSWORD make migrate",
    'API_TOKEN="${API_TOKEN}" make seed',
    "psql postgres://app:${DB_PASSWORD}@db.example.com/shop",
    "psql postgres://app:{password}@db.example.com/shop",
    "curl -H 'Authorization: Bearer $API_TOKEN'",
    "Basic authentication is off",
    "mail ops@example.com at 10:30",
    "meet at 12:00@office.example.com",
    "release 11bd71901bbe5b1630ceea73d27597364c9af683",
    "registry.example.com/shop/web:1.2.3@sha256:" + "0a" * 32,
    "nginx:1.25@sha256:abc",
    "git@github.com:shop/web.git",
    "projects/123456/locations/global/workloadIdentityPools/gh/providers/gh",
    "PASSWORD_FILE=/run/secrets/db SECRET_NAME=orders TOKEN=<your token>",
    "TOKEN=$(cat /run/secrets/token) PASSWORD=`cat /run/secrets/db` make",
    "https://{environment}.example.com:8443/healthz",
]


@pytest.mark.parametrize(("text", "what", "matched"), CREDENTIALS)
def test_credentials_are_found(text: str, what: str, matched: str) -> None:
    assert credential_in(text) == (what, matched)


@pytest.mark.parametrize("text", NOT_CREDENTIALS)
def test_references_and_lookalikes_are_not_credentials(text: str) -> None:
    assert credential_in(text) is None


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "api-key", "api_key", "tls.passphrase", "private-key", "apiKey", "dbPassword"],
)
def test_secret_names(name: str) -> None:
    assert SECRET_NAME.search(name)


@pytest.mark.parametrize(
    "name", ["LOG_LEVEL", "cacheKey", "monkey", "keyboard", "api-key-file", "passphrase-required"]
)
def test_names_that_are_not_secrets(name: str) -> None:
    assert SECRET_NAME.search(name) is None


_NAMES = st.from_regex(r"[A-Z][A-Z0-9_]{0,12}_(PASSWORD|TOKEN|SECRET|API_KEY)", fullmatch=True)


@given(name=_NAMES, braces=st.booleans(), quote=st.sampled_from(["", '"', "'"]))
def test_an_assignment_from_a_shell_variable_is_a_reference(
    name: str, braces: bool, quote: str
) -> None:
    reference = f"${{{name}}}" if braces else f"${name}"

    assert credential_in(f"{name}={quote}{reference}{quote} ./deploy") is None


@given(digest=st.from_regex(r"[0-9a-f]{40}", fullmatch=True))
def test_a_commit_hash_is_not_an_aws_secret_key(digest: str) -> None:
    assert credential_in(f"built from {digest}") is None

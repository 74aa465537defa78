"""The configuration family: config files that read back to the spec's values, the
secrets manifest, and secrets.sh fetching through each provider's CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from generator.targets import configuration
from tests.conftest import ROOT
from tests.targets.operations_helpers import (
    EXAMPLE,
    fake_tool,
    render_family,
    run,
    shellcheck,
    spec_file,
    tool,
)

HOSTILE = "$(touch pwned) `id` \"q\" 'a' \\ # x = 1; KEY=injected ü $HOME"
MULTILINE = "line one\n# x = 1\nKEY=injected"

SMALL = """\
project: {name: shop, description: A shop., owner: ops, teams: [{name: ops}]}
services:
  - name: api
    description: API.
    kind: api
    owner: ops
    start_command: ./bin/api
    targets:
      staging: {engine: local, release_dir: /srv/api}
      production: {engine: local, release_dir: /srv/api}
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: vm
        node_pools: [{name: a, count: 1, cpu: "1", memory: 1Gi}]
  production:
    extends: staging
    environment_type: production
configuration_management:
  config_files:
    - {name: a, service: api, path: app.yaml, format: yaml, values: {text: TEXT, n: 3, on: true}}
    - {name: b, service: api, path: app.json, format: json, values: {text: TEXT, n: 3}}
    - {name: c, service: api, path: app.toml, format: toml, values: {text: TEXT, "odd key": 1.5}}
    - {name: d, service: api, path: app.env, format: env, values: {VALUE: TEXT, N: 3}}
    - name: e
      service: api
      path: conf.d/app.conf
      format: ini
      values: {text: TEXT, n: 3}
      overrides: {production: {n: 30}}
  environment_variables:
    - {name: PLAIN, value: TEXT}
    - {name: API_TOKEN, secret: api-token}
    - {name: DB_PASSWORD, secret: db-password, required: false}
  secrets_management:
    provider: PROVIDER
    address: https://vault.example.com:8200
    mount: kv
    namespace: "shop/{environment}"
    secrets:
      - {name: api-token, path: "api/{environment}/token", key: token}
      - name: db-password
        path: db/app
        key: password
        overrides: {production: {path: db/prod-app}}
"""


def _small(tmp_path: Path, provider: str = "vault", text: str = HOSTILE) -> dict[str, Path]:
    spec = SMALL.replace("PROVIDER", provider).replace("TEXT", json.dumps(text))
    if provider == "ci":  # a CI secret is a variable of the CI job
        spec = (
            spec.replace('path: "api/{environment}/token", key: token', "path: API_TOKEN_CI")
            .replace("path: db/app\n", "path: DB_JSON\n")
            .replace("path: db/prod-app", "path: DB_JSON_PROD")
        )
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    return render_family(configuration.plan, tmp_path / "spec.yaml", tmp_path / "out")


def test_config_files_read_back_to_the_spec_values(tmp_path: Path) -> None:
    files = _small(tmp_path)
    base = "services/api/config/production/"
    assert yaml.safe_load(files[base + "app.yaml"].read_text()) == {
        "text": HOSTILE,
        "n": 3,
        "on": True,
    }
    assert json.loads(files[base + "app.json"].read_text()) == {"text": HOSTILE, "n": 3}
    assert tomllib.loads(files[base + "app.toml"].read_text()) == {"text": HOSTILE, "odd key": 1.5}
    env = _bash_env(files[base + "app.env"], "VALUE", "N")
    assert env == {"VALUE": HOSTILE, "N": "3"}
    assert not (tmp_path / "pwned").exists()
    assert _bash_env(files[base + "variables.env"], "PLAIN") == {"PLAIN": HOSTILE}


def test_structured_formats_keep_line_breaks(tmp_path: Path) -> None:
    start, end = SMALL.index("    - {name: d,"), SMALL.index("  environment_variables:")
    spec = SMALL[:start] + SMALL[end:]  # env and ini files hold one line per value
    spec = spec.replace("TEXT", json.dumps(MULTILINE)).replace("PROVIDER", "vault")
    (tmp_path / "spec.yaml").write_text(spec.replace("value: " + json.dumps(MULTILINE), "value: x"))
    files = render_family(configuration.plan, tmp_path / "spec.yaml", tmp_path / "out")
    base = "services/api/config/production/"
    assert yaml.safe_load(files[base + "app.yaml"].read_text())["text"] == MULTILINE
    assert json.loads(files[base + "app.json"].read_text())["text"] == MULTILINE
    assert tomllib.loads(files[base + "app.toml"].read_text())["text"] == MULTILINE


def test_ini_values_are_quoted_and_overrides_apply(tmp_path: Path) -> None:
    files = _small(tmp_path, text="it's 16GB")
    conf = files["services/api/config/production/conf.d/app.conf"].read_text().splitlines()
    assert conf[1:] == ["text = 'it''s 16GB'", "n = 30"]
    staging = files["services/api/config/staging/conf.d/app.conf"].read_text().splitlines()
    assert staging[1:] == ["text = 'it''s 16GB'", "n = 3"]


def _bash_env(path: Path, *names: str) -> dict[str, str]:
    script = f'set -a; . "$1"; for n in {" ".join(names)}; do printf "%s\\0" "${{!n}}"; done'
    result = run("bash", "-c", script, "bash", path, cwd=path.parent)
    assert result.returncode == 0, result.stderr
    return dict(zip(names, result.stdout.split("\0")[:-1], strict=True))


def test_the_manifest_names_provider_and_place_per_environment(tmp_path: Path) -> None:
    files = _small(tmp_path)
    manifest = yaml.safe_load(files["services/api/config/production/secrets.yaml"].read_text())
    assert manifest == {
        "service": "api",
        "environment": "production",
        "secrets": [
            {
                "name": "api-token",
                "variables": ["API_TOKEN"],
                "provider": "vault",
                "address": "https://vault.example.com:8200",
                "namespace": "shop/production",
                "mount": "kv",
                "path": "api/production/token",
                "field": "token",
            },
            {
                "name": "db-password",
                "variables": ["DB_PASSWORD"],
                "provider": "vault",
                "address": "https://vault.example.com:8200",
                "namespace": "shop/production",
                "mount": "kv",
                "path": "db/prod-app",
                "field": "password",
            },
        ],
    }


def _load(
    tmp_path: Path, secrets_sh: Path, env: dict[str, str], names: str = "API_TOKEN DB_PASSWORD"
) -> tuple[int, str, str]:
    """Source secrets.sh, load the secrets, print the named variables NUL-separated."""
    script = (
        f'. "$1"; deployplan_load_secrets; status=$?; '
        f'for n in {names}; do printf "%s=%s\\0" "$n" "${{!n-}}"; done; exit $status'
    )
    result = run(
        "bash",
        "-c",
        script,
        "bash",
        secrets_sh,
        env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "FAKE_LOG": str(tmp_path / "log"), **env},
    )
    return result.returncode, result.stdout, result.stderr


def test_vault_secrets_are_read_into_the_environment(tmp_path: Path) -> None:
    files = _small(tmp_path)
    fake_tool(tmp_path / "bin", "vault", 'printf "%s" "$FAKE_VALUE-${*: -1}"')
    status, out, err = _load(
        tmp_path, files["services/api/deploy/production/secrets.sh"], {"FAKE_VALUE": "v4lue"}
    )
    assert (status, err) == (0, "")
    assert out == "API_TOKEN=v4lue-api/production/token\0DB_PASSWORD=v4lue-db/prod-app\0"
    assert (tmp_path / "log").read_text().splitlines() == [
        "vault kv get -namespace=shop/production -mount=kv -field=token api/production/token",
        "vault kv get -namespace=shop/production -mount=kv -field=password db/prod-app",
    ]
    # the value lives in memory only: no file anywhere under the test folder holds it
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and b"v4lue" in p.read_bytes()]


def test_a_secret_that_does_not_resolve_fails_clearly(tmp_path: Path) -> None:
    files = _small(tmp_path)
    fake_tool(tmp_path / "bin", "vault", 'echo "permission denied" >&2; exit 2')
    status, out, err = _load(tmp_path, files["services/api/deploy/staging/secrets.sh"], {})
    assert status == 1
    assert out == "API_TOKEN=\0DB_PASSWORD=\0"
    assert err.splitlines() == [
        "permission denied",
        "secrets.sh: API_TOKEN did not resolve: secret api-token at vault "
        "shop/staging:kv/api/staging/token#token",
        "permission denied",
        "secrets.sh: warning: optional DB_PASSWORD did not resolve: secret db-password at "
        "vault shop/staging:kv/db/app#password",
        "secrets.sh: 1 of 2 secrets did not resolve",
    ]


def test_aws_secrets_are_read_with_the_environment_region(tmp_path: Path) -> None:
    files = _small(tmp_path, provider="aws_secrets_manager")
    fake_tool(tmp_path / "bin", "aws", """printf '{"token": "t0k", "password": "pw"}\\n'""")
    status, out, err = _load(tmp_path, files["services/api/deploy/staging/secrets.sh"], {})
    assert (status, err) == (0, "")
    assert out == "API_TOKEN=t0k\0DB_PASSWORD=pw\0"
    assert (tmp_path / "log").read_text().splitlines()[0] == (
        "aws secretsmanager get-secret-value --secret-id api/staging/token --query "
        "SecretString --output text"
    )


def test_ci_variables_must_be_provided(tmp_path: Path) -> None:
    files = _small(tmp_path, provider="ci", text="x")
    secrets_sh = files["services/api/deploy/production/secrets.sh"]
    ok = _load(tmp_path, secrets_sh, {"API_TOKEN_CI": "a", "DB_JSON_PROD": '{"password": "p"}'})
    assert ok == (0, "API_TOKEN=a\0DB_PASSWORD=p\0", "")
    status, _, err = _load(tmp_path, secrets_sh, {"DB_JSON_PROD": '{"password": "p"}'})
    assert status == 1
    assert err.splitlines()[:2] == [
        "the CI job does not provide API_TOKEN_CI",
        "secrets.sh: API_TOKEN did not resolve: secret api-token at ci API_TOKEN_CI",
    ]


@pytest.mark.parametrize(
    "provider", ["vault", "aws_secrets_manager", "gcp_secret_manager", "sops", "ci"]
)
def test_secrets_scripts_are_shellcheck_clean(tmp_path: Path, provider: str) -> None:
    files = _small(tmp_path, provider=provider, text="x")
    scripts = [p for name, p in files.items() if name.endswith(".sh")]
    assert scripts
    result = shellcheck(scripts)
    assert result.returncode == 0, result.stdout


def test_the_example_secrets_scripts_check_and_stay_clean(tmp_path: Path) -> None:
    files = render_family(configuration.plan, EXAMPLE, tmp_path / "out")
    scripts = [p for name, p in files.items() if name.endswith("secrets.sh")]
    assert len(scripts) == 16  # four services with secrets, four environments
    result = shellcheck(scripts)
    assert result.returncode == 0, result.stdout
    usage = run("bash", scripts[0], "--nonsense")
    assert (usage.returncode, usage.stderr) == (2, "usage: bash secrets.sh --check\n")


def test_detect_secrets_finds_nothing_in_the_generated_configuration(tmp_path: Path) -> None:
    files = render_family(configuration.plan, EXAMPLE, tmp_path / "out")
    assert _detect_secrets(tmp_path / "out", sorted(files)) == {}


#: The families of this area: their files in output/ must hold nothing secret-looking.
OPERATIONS_FAMILIES = {"configuration", "backups", "recovery", "monitoring"}


def test_detect_secrets_finds_nothing_in_the_committed_output() -> None:
    output = ROOT / "output"
    manifest = json.loads((output / ".deployplan-manifest.json").read_text())
    ours = sorted(
        name for name, entry in manifest["files"].items() if entry["family"] in OPERATIONS_FAMILIES
    )
    assert ours
    assert _detect_secrets(output, ours) == {}


def _detect_secrets(folder: Path, files: list[str]) -> dict[str, list[tuple[str, int]]]:
    result = run(tool("detect-secrets"), "scan", "--all-files", *files, cwd=folder)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["results"]
    return {name: [(r["type"], r["line_number"]) for r in hits] for name, hits in found.items()}


def test_example_spec_is_used_unchanged(tmp_path: Path) -> None:
    assert spec_file(tmp_path, {}).read_text() == EXAMPLE.read_text()

"""Configuration rules: variable sources, file keys, secret locations, rotation policy."""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Severity
from tests.spec.rules.findings import at, findings
from tests.spec.rules.specs import spec_with

_POLICY = """\
security:
  security_policies:
    - {name: secret_rotation, kind: secret_rotation, max_age: 90d}
"""


def test_rotation_beyond_the_policy_warns_at_both_lines(tmp_path: Path) -> None:
    text = spec_with().replace("rotation: 30d", "rotation: 120d").replace("security:\n", _POLICY)
    [finding] = findings(tmp_path, text, "secret-rotation")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "secret `backup-password` rotates every 120d, less often than the 90d that policy "
        "`secret_rotation` allows"
    )
    assert finding.location == at(text, "rotation: 120d", "120d")
    assert finding.notes == (
        ("policy `secret_rotation` sets max_age here", at(text, "max_age: 90d", "90d")),
    )


def test_a_secret_without_rotation_warns_when_a_policy_exists(tmp_path: Path) -> None:
    text = spec_with().replace(", rotation: 30d", "").replace("security:\n", _POLICY)
    [finding] = findings(tmp_path, text, "secret-rotation")
    assert finding.message == (
        "secret `backup-password` has no rotation period; policy `secret_rotation` requires "
        "rotation at least every 90d"
    )


def test_rotation_within_the_policy_passes(tmp_path: Path) -> None:
    text = spec_with().replace("security:\n", _POLICY)
    assert findings(tmp_path, text, "secret-rotation") == []


def test_a_ci_secret_is_a_variable_name(tmp_path: Path) -> None:
    text = spec_with().replace("provider: vault", "provider: ci")
    [finding] = findings(tmp_path, text, "secret-path")
    assert finding.message == (
        "a CI-provided secret is a variable, and `backup/restic` is not a variable name"
    )


def test_an_unknown_placeholder_in_a_secret_path_is_rejected(tmp_path: Path) -> None:
    text = spec_with().replace("path: backup/restic", 'path: "backup/{env}/restic"')
    [finding] = findings(tmp_path, text, "invalid-format")
    assert finding.location == at(text, '"backup/{env}/restic"')
    assert finding.hint is not None and "`{environment}` is replaced" in finding.hint


def test_per_environment_paths_name_real_environments(tmp_path: Path) -> None:
    text = spec_with().replace(
        "rotation: 30d}", "rotation: 30d, overrides: {prod: {path: backup/prod/restic}}}"
    )
    [finding] = findings(tmp_path, text, "unknown-reference")
    assert finding.message == "environment `prod` is not defined"
    assert finding.hint == "did you mean `production`?"


def test_a_variable_has_exactly_one_source(tmp_path: Path) -> None:
    variables = """\
configuration_management:
  environment_variables:
    - {name: DB_PASSWORD, value: x, secret: backup-password}
"""
    text = spec_with().replace("configuration_management:\n", variables)
    [finding] = findings(tmp_path, text, "variable-source")
    assert finding.message == "`DB_PASSWORD` has both a value and a secret"


def test_keys_of_an_env_file_are_variable_names(tmp_path: Path) -> None:
    files = """\
configuration_management:
  config_files:
    - {name: db, service: orders-db, path: db.env, format: env, values: {max conns: 5}}
"""
    text = spec_with().replace("configuration_management:\n", files)
    [finding] = findings(tmp_path, text, "config-key")
    assert finding.message == "`max conns` cannot be a key of an env file"
    assert finding.location == at(text, "max conns")


def test_env_values_hold_one_line(tmp_path: Path) -> None:
    files = """\
configuration_management:
  config_files:
    - {name: db, service: orders-db, path: db.env, format: env, values: {NOTE: "a\\nb"}}
"""
    text = spec_with().replace("configuration_management:\n", files)
    [finding] = findings(tmp_path, text, "config-value")
    assert finding.message == "a value of an env file is one line, and this one has a line break"


def test_config_paths_stay_inside_and_match_the_format(tmp_path: Path) -> None:
    files = """\
configuration_management:
  config_files:
    - {name: a, service: orders-db, path: ../../etc/cron.d/x.yaml, format: yaml}
    - {name: b, service: orders-db, path: config/app.yml, format: toml}
"""
    text = spec_with().replace("configuration_management:\n", files)
    assert [(f.message, f.hint) for f in findings(tmp_path, text, "config-path")] == [
        (
            "`../../etc/cron.d/x.yaml` leaves the service's config folder",
            "write a relative path without `.` or `..`, e.g. `config/app.yaml`",
        ),
        ("a toml file should end in .toml", "rename it, e.g. `app.toml`"),
    ]


def test_a_url_template_handed_to_the_application_is_not_a_placeholder(tmp_path: Path) -> None:
    handed_over = """\
configuration_management:
  config_files:
    - name: maps
      service: orders-db
      path: maps.yaml
      format: yaml
      values: {tiles: "https://tiles.example.com/{z}/{x}/{y}.png"}
  environment_variables:
    - {name: TILE_URL, value: "https://tiles.example.com/{z}/{x}/{y}.png"}
"""
    text = spec_with().replace("configuration_management:\n", handed_over)
    assert findings(tmp_path, text, "unknown-placeholder") == []

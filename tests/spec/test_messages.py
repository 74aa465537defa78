"""Whole diagnostics as a user sees them: text, JSON and GitHub Actions annotations."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.report import format_text
from generator.spec.validate import validate_file

SPECS = Path(__file__).resolve().parents[1] / "specs"
INVALID = SPECS / "invalid"


def text_of(name: str) -> str:
    """The text report of one invalid corpus case, labelled with its file name."""
    result = validate_file(INVALID / name, name)
    return format_text(result.diagnostics, {result.source.label: result.source})


def run_cli(folder: Path, *args: str) -> Result:
    """``deployplan ARGS`` in-process, from ``folder``, outside GitHub Actions."""
    with contextlib.chdir(folder):
        return CliRunner().invoke(cli, args, env={"GITHUB_ACTIONS": None}, catch_exceptions=False)


def deployplan(
    *args: str, github_actions: bool = False, hash_seed: str = "0"
) -> subprocess.CompletedProcess[str]:
    """The installed console script, run from the invalid corpus."""
    script = shutil.which("deployplan", path=str(Path(sys.executable).parent))
    assert script is not None
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONHASHSEED"] = hash_seed
    if github_actions:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [script, *args], cwd=INVALID, env=env, capture_output=True, text=True, check=False
    )


def test_unknown_key_text() -> None:
    assert text_of("unknown-key-service.yaml") == (
        "unknown-key-service.yaml:15:5: error[unknown-key]: unknown key `onwer` in `services[0]`\n"
        " 15 |     onwer: platform\n"
        "    |     ^^^^^\n"
        "  hint: did you mean `owner`?\n"
        "1 error\n"
    )


def test_inherited_value_text_names_the_extends() -> None:
    name = "inherited-invalid-value.yaml"
    allocation = "infrastructure.compute_resources.allocations.web.replicas"

    assert text_of(name) == (
        f"{name}:34:23: error[wrong-type]: "
        f"`environments.base.{allocation}` must be a whole number, not `three`\n"
        " 34 |             replicas: three\n"
        "    |                       ^^^^^\n"
        "  note: environment `staging` inherits this from `base` through extends "
        f"({name}:36:14)\n"
        "1 error\n"
    )


def test_report_order_does_not_depend_on_hash_seed() -> None:
    # Diagnostics at one position once came out in set order, which these two seeds
    # reversed.
    runs = [
        deployplan("validate", "inherited-invalid-value.yaml", hash_seed=seed)
        for seed in ("0", "1")
    ]

    assert runs[0].stderr == runs[1].stderr


def test_missing_key_text() -> None:
    assert text_of("missing-key-service.yaml") == (
        "missing-key-service.yaml:10:5: error[missing-key]: "
        "`services[0]` is missing the required key `owner`\n"
        " 10 |   - name: web\n"
        "    |     ^^^^\n"
        "  hint: `owner`: The team that owns the service.\n"
        "1 error\n"
    )


def test_duplicate_key_text_points_at_both() -> None:
    assert text_of("duplicate-key-nested.yaml") == (
        "duplicate-key-nested.yaml:28:13: error[duplicate-key]: duplicate key `count`\n"
        " 28 |             count: 5\n"
        "    |             ^^^^^\n"
        "  note: first defined here (duplicate-key-nested.yaml:25:13)\n"
        "  hint: each key may appear once in a mapping; merge the two entries\n"
        "1 error\n"
    )


def test_not_utf8_text() -> None:
    assert text_of("not-utf8.yaml") == (
        "not-utf8.yaml:3:19: error[not-utf8]: byte 0xe9 is not valid UTF-8\n"
        " 3 |   description: Caf\ufffd du monde\n"
        "   |                   ^^^^^^^^^^\n"
        "  hint: save the spec as UTF-8\n"
        "1 error\n"
    )


def test_service_dependency_cycle_message() -> None:
    result = validate_file(INVALID / "service-dependency-cycle.yaml", "cycle.yaml")

    assert [d.message for d in result.diagnostics] == [
        "services depend on each other in a cycle: api -> web -> api"
    ]


def test_json_output() -> None:
    result = run_cli(INVALID, "validate", "--format", "json", "duplicate-service-name.yaml")

    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {
            "file": "duplicate-service-name.yaml",
            "line": 19,
            "column": 11,
            "code": "duplicate-name",
            "severity": "error",
            "message": "service `web` is defined more than once",
            "path": "services[1].name",
            "hint": "give each service its own name",
            "notes": [
                {
                    "message": "first defined here",
                    "file": "duplicate-service-name.yaml",
                    "line": 12,
                    "column": 11,
                }
            ],
        }
    ]


def test_valid_spec_output() -> None:
    text = run_cli(SPECS / "valid", "validate", "minimal.yaml")
    as_json = run_cli(SPECS / "valid", "validate", "--format", "json", "minimal.yaml")

    assert (text.exit_code, text.stdout, text.stderr) == (0, "", "minimal.yaml: valid\n")
    assert (as_json.exit_code, as_json.stdout, as_json.stderr) == (0, "[]\n", "")


def test_github_actions_annotations() -> None:
    result = deployplan("validate", "unknown-key-service.yaml", github_actions=True)

    assert result.returncode == 1
    assert result.stdout == (
        "::error file=unknown-key-service.yaml,line=15,col=5,title=deployplan unknown-key::"
        "unknown key `onwer` in `services[0]`%0Ahint: did you mean `owner`?\n"
    )
    assert result.stderr == text_of("unknown-key-service.yaml")


def test_no_annotations_outside_github_actions() -> None:
    result = deployplan("validate", "unknown-key-service.yaml", github_actions=False)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == text_of("unknown-key-service.yaml")


def test_json_stays_parseable_under_github_actions() -> None:
    result = deployplan("validate", "--format", "json", "bad-cron.yaml", github_actions=True)

    assert result.returncode == 1
    assert [d["code"] for d in json.loads(result.stdout)] == ["invalid-cron"]


@pytest.mark.parametrize("name", ["unknown-key-terminal-escape.yaml", "yaml-terminal-escape.yaml"])
def test_text_report_shows_control_characters_inertly(name: str) -> None:
    # A spec from a pull request must not be able to drive the reader's terminal.
    assert re.findall(r"[\x00-\x08\x0b-\x1f\x7f]", text_of(name)) == []


def test_unknown_timezone_text() -> None:
    name = "unknown-timezone.yaml"

    assert text_of(name) == (
        f"{name}:11:13: error[unknown-timezone]: "
        "`Mars/Olympus` is not a time zone of the IANA tz database\n"
        " 11 |   timezone: Mars/Olympus\n"
        "    |             ^^^^^^^^^^^^\n"
        "  hint: write an IANA name such as `UTC`, `Europe/Berlin` or `Asia/Tokyo`\n"
        f"{name}:35:15: error[unknown-timezone]: "
        "`Asia/Tokio` is not a time zone of the IANA tz database\n"
        " 35 |     timezone: Asia/Tokio\n"
        "    |               ^^^^^^^^^^\n"
        "  hint: did you mean `Asia/Tokyo`?\n"
        "2 errors\n"
    )


def test_plain_secret_in_secrets_address_text() -> None:
    name = "plain-secret-url-in-secrets-address.yaml"

    assert text_of(name) == (
        f"{name}:33:19: error[plain-secret]: this looks like a secret value "
        "(it contains a URL with a password); secrets may only be references\n"
        " 33 |     address: https://root:hunter2@vault.example.com:8200\n"
        "    |                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  hint: declare it under configuration_management.secrets_management.secrets "
        "(`- {name: orders-db-password, provider: vault, path: shop/orders/db, "
        "key: password}`) and refer to it with `secret: orders-db-password`\n"
        "1 error\n"
    )


def test_bidi_control_text_shows_it_escaped() -> None:
    name = "bidi-control-command.yaml"

    assert text_of(name) == (
        f"{name}:17:32: error[bidi-control]: this value contains U+202E (right-to-left "
        "override), so it would read differently from what it is\n"
        " 17 |     build_command: make release\\u202e && echo done\n"
        "    |                                ^^^^^^^^^^^^^^^^^^^\n"
        "  hint: remove the character: names, references, paths and commands are plain text\n"
        "1 error\n"
    )


def test_value_too_long_text() -> None:
    name = "value-too-long.yaml"

    report = text_of(name)

    # The 70,000-character line is shown clipped, not whole.
    assert len(report) < 700
    assert report.startswith(
        f"{name}:12:18: error[value-too-long]: "
        "this value is 70,006 bytes; one value may hold at most 64 KiB\n"
        " 12 |     description: Long. xxx"
    )
    assert report.endswith(
        "  hint: keep long prose in a page of the docs site and link it; "
        "a spec holds descriptions of a paragraph or a few\n"
        "1 error\n"
    )


def test_json_output_writes_invisible_characters_as_escapes() -> None:
    from generator.diagnostics import Diagnostic, Location
    from generator.report import format_json

    hostile = "name `a\u202eb` \x85"
    text = format_json([Diagnostic("x", hostile, Location("spec\u2066.yaml", 1, 2))])
    assert "\u202e" not in text and "\u2066" not in text and "\x85" not in text
    assert "\\u202e" in text
    loaded = json.loads(text)
    assert loaded[0]["message"] == hostile
    assert loaded[0]["file"] == "spec\u2066.yaml"


def test_missing_spec_suggests_init_or_naming_the_spec(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "validate")

    assert result.exit_code == 1
    assert result.stderr == (
        "specs/deployplan.yaml:1:1: error[unreadable]: cannot read the spec: "
        "No such file or directory\n"
        "  hint: create one with `deployplan init`, or name the spec to read: the SPEC "
        "argument (`deployplan validate path/to/spec.yaml`), or `--spec PATH` for `sync` "
        "and `docs`\n"
        "1 error\n"
    )


def test_missing_spec_suggests_a_file_of_a_similar_name(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "deployplan.yml").write_text("project: {}\n")

    result = run_cli(tmp_path, "validate")

    assert result.stderr.splitlines()[1] == "  hint: did you mean `specs/deployplan.yml`?"


def test_unquoted_number_where_a_name_belongs_text() -> None:
    name = "unquoted-number-enum.yaml"

    assert text_of(name) == (
        f"{name}:21:19: error[wrong-type]: `services[0].targets.production.strategy` must be "
        "a string, but YAML reads the unquoted `1.2` as a number; expected one of: "
        "`rolling`, `blue_green`, `canary`, `recreate`\n"
        " 21 |         strategy: 1.2\n"
        "    |                   ^^^\n"
        '  hint: quote it to write it as a string: `"1.2"`\n'
        "1 error\n"
    )


def test_missing_colon_text() -> None:
    name = "yaml-missing-colon.yaml"

    assert text_of(name) == (
        f"{name}:21:9: error[yaml-syntax]: invalid YAML: `strategy canary` is not a "
        "`key: value` pair; the colon is missing\n"
        " 21 |         strategy canary\n"
        "    |         ^^^^^^^^^^^^^^^\n"
        "  hint: write `strategy: canary`\n"
        "1 error\n"
    )

"""Hostile values in the spec never execute: the generated scripts are run, and a marker
file that any evaluation of ``$(…)``, backticks or ``; cmd`` would create never appears.

Every free-text value that reaches a script carries ``$(touch MARKER)``, backticks,
quotes, ``;`` and newlines: the service description, stage and gate commands, a gate's
URL and expected text, health probes, test scenarios, validation criteria, a freeze
window's reason, variable values, a chart reference and a managed service. Commands are
shell by design: they run once, so their hostile parts are single-quoted and must come out
as text. Names are DNS labels or identifiers; hostile names are rejected by validation.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.validate import validate_file
from tests.e2e.helpers import HERE, audit, environment, free_port, generate, python, run, spec

#: 2026-01-01T01:00:00Z, inside the freeze window below.
NOW = "1767229200"


def hostile(marker: Path) -> str:
    """Text that creates ``marker`` wherever a shell evaluates it."""
    return (
        f'$(touch {marker}) `touch {marker}` it\'s "quoted"; touch {marker}\n'
        f"touch {marker} # second line"
    )


def one_line(marker: Path) -> str:
    """The same without whitespace, for URLs and paths: ``$IFS`` stands for the spaces."""
    return f"$(touch$IFS{marker})`touch$IFS{marker}`'\";touch$IFS{marker}"


def in_url(marker: Path) -> str:
    """The same as a URL may hold it: no backtick, double quote or backslash."""
    return f"$(touch$IFS{marker})';touch$IFS{marker}"


def quoted(*words: str) -> str:
    """``words`` as the scripts print a command in a dry run (bash's ``printf %q``)."""
    result = subprocess.run(
        ["bash", "-c", 'printf " %q" "$@"', "quote", *words],
        capture_output=True,
        text=True,
        check=True,
    )
    return "+" + result.stdout


def document(root: Path, port: int) -> dict[str, Any]:
    marker = root / "pwned"
    text, bare = hostile(marker), one_line(marker)
    said = f"printf '%s\\n' {shlex.quote(text)} >>\"$E2E_DIR/said\""
    web = {
        "name": "web",
        "description": text,
        "kind": "web",
        "owner": "ops",
        "port": port,
        "start_command": f"exec {python()} app.py {port} {shlex.quote(text)}",
        "targets": {"staging": {"engine": "local", "release_dir": str(root / "web")}},
    }
    chart = {
        "name": "chart",
        "description": text,
        "kind": "api",
        "owner": "ops",
        "image": "registry.example.com/chart",
        "targets": {"staging": {"engine": "helm", "chart": f"oci://charts.example.com/{bare}"}},
    }
    bucket = {
        "name": "bucket",
        "description": text,
        "kind": "object_storage",
        "owner": "ops",
        "targets": {"staging": {"engine": "managed", "managed_service": text}},
    }
    return spec(
        [web, chart, bucket],
        deployment_flow={
            "stages": [
                {"name": "prep", "action": "migrate", "description": text, "command": said},
                {"name": "deploy", "action": "deploy", "depends_on": ["prep"]},
            ],
            "validation_points": [
                {
                    "name": "answers",
                    "after_stage": "deploy",
                    "services": ["web"],
                    "check": {
                        "type": "http",
                        "url": f"http://127.0.0.1:{port}/health?q={in_url(marker)}",
                        "contains": f"ok {bare}",
                    },
                    "retries": 50,
                    "interval": "100ms",
                    "deadline": "20s",
                },
                {
                    "name": "says",
                    "after_stage": "deploy",
                    "check": {"type": "command", "command": f"test -n {shlex.quote(text)}"},
                    "retries": 0,
                },
                {
                    "name": "measured",
                    "after_stage": "deploy",
                    "check": {"type": "metric", "query": f'up{{job="{text}"}}'}
                    | {"operator": ">", "threshold": 0},
                    "retries": 0,
                    "on_failure": "continue",
                },
            ],
        },
        version_management={
            "version_scheme": {"type": "semver"},
            "branching_strategy": {"model": "trunk"},
            "release_policy": {
                "freeze_windows": [
                    {
                        "name": "holidays",
                        "start": "2026-01-01T00:00:00+00:00",
                        "end": "2026-01-02T00:00:00+00:00",
                        "environments": ["staging"],
                        "reason": text,
                    }
                ]
            },
        },
        configuration_management={
            "environment_variables": [{"name": "GREETING", "value": bare, "services": ["chart"]}]
        },
        deployment_testing={
            "test_scenarios": [
                {
                    "name": "smoke",
                    "type": "smoke",
                    "services": ["web"],
                    "environments": ["staging"],
                    "command": said.replace("said", "scenario-said"),
                }
            ],
            "validation_criteria": {"error_rate_query": f'rate(errors{{text="{text}"}}[5m])'},
        },
        health_check={
            "health_indicators": [
                {"name": "page", "service": "web", "type": "http", "path": f"/{bare}"},
                {
                    "name": "says",
                    "service": "web",
                    "type": "command",
                    "command": f"test -n {shlex.quote(text)}",
                },
            ]
        },
    )


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("hostile")
    port = free_port()
    (folder / "port").write_text(str(port))
    generate(document(folder, port), folder)
    release = folder / "release"
    release.mkdir()
    shutil.copy(HERE / "app.py", release / "app.py")
    # the app answers `ok <this text>`, which the gate's `contains` expects
    (release / "version").write_text(one_line(folder / "pwned"))
    yield folder
    for pid_file in folder.glob("web/run/*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)


@pytest.fixture(autouse=True)
def never_pwned(root: Path) -> Iterator[None]:
    yield
    assert not (root / "pwned").exists()


def script(root: Path, service: str, name: str) -> Path:
    return root / "output" / "services" / service / "deploy" / "staging" / name


def env(root: Path, **extra: str) -> dict[str, str]:
    return environment(root, DEPLOYPLAN_NOW=NOW, **extra)


def test_hostile_names_are_rejected_before_anything_is_generated(tmp_path: Path) -> None:
    for pattern in ("stages", "validation_points"):
        flow = document(tmp_path, 1)
        flow["deployment_flow"][pattern][0]["name"] = "x$(touch pwned)"
        (tmp_path / "spec.yaml").write_text(yaml.safe_dump(flow))
        assert validate_file(tmp_path / "spec.yaml", "spec.yaml").errors


def test_help_prints_the_description_as_written(root: Path) -> None:
    result = run(script(root, "web", "deploy.sh"), "--help", env=env(root))
    assert result.returncode == 0, result.stderr
    assert f"Deploys web ({hostile(root / 'pwned')}) to staging (staging)" in result.stdout
    for name in ("preflight.sh", "healthcheck.sh", "verify.sh", "rollback.sh", "prepare.sh"):
        assert run(script(root, "web", name), "--help", env=env(root)).returncode == 0


def test_a_dry_run_prints_every_hostile_command_and_runs_none(root: Path) -> None:
    text = hostile(root / "pwned")
    reason = f"hotfix {text}"
    result = run(
        script(root, "web", "deploy.sh"),
        *("--dry-run", "--version", "v1", "--artifact", str(root / "release")),
        *("--override-freeze", reason),
        env=env(root, DEPLOYPLAN_PROMETHEUS_URL="http://127.0.0.1:9"),
    )
    assert result.returncode == 0, result.stderr
    said = f"printf '%s\\n' {shlex.quote(text)} >>\"$E2E_DIR/said\""
    port = (root / "port").read_text()
    url = f"http://127.0.0.1:{port}/health?q={in_url(root / 'pwned')}"
    for command in (
        quoted("bash", "-c", said),
        quoted("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", url),
        quoted("bash", "-c", f"test -n {shlex.quote(text)}"),
        quoted("curl", "-fsS", "--max-time", "30", "--get", "--data-urlencode")
        + quoted(f'query=up{{job="{text}"}}', "http://127.0.0.1:9/api/v1/query")[1:],
        quoted("setsid", "bash", "-c", f"exec {python()} app.py {port} {shlex.quote(text)}"),
    ):
        assert command + "\n" in result.stdout
    assert f"staging is frozen by the release policy's window holidays: {text}\n" in result.stderr
    assert f"freeze overridden: {reason}\n" in result.stderr
    assert not (root / "said").exists()
    assert not (root / "web").exists()


def test_dry_runs_of_helm_and_managed_targets_print_the_values_as_text(root: Path) -> None:
    text, bare = hostile(root / "pwned"), one_line(root / "pwned")
    args = ("--dry-run", "--version", "v1", "--override-freeze", "test")
    chart = run(script(root, "chart", "deploy.sh"), *args, env=env(root))
    assert chart.returncode == 0, chart.stderr
    helm = ("helm", "--namespace", "e2e", "upgrade", "--install", "chart")
    values_file = str(script(root, "chart", "values.yaml"))
    upgrade = quoted(*helm, f"oci://charts.example.com/{bare}", "--values", values_file,
                     "--description", "deployplan v1")  # fmt: skip
    assert upgrade + " --set-string image.tag=v1 --atomic --wait --timeout 600s\n" in chart.stdout
    values = yaml.safe_load(script(root, "chart", "values.yaml").read_text())
    assert values["env"] == [{"name": "GREETING", "value": bare}]
    bucket = run(script(root, "bucket", "deploy.sh"), *args, env=env(root))
    assert bucket.returncode == 0, bucket.stderr
    assert f"bucket is managed by the provider ({text}): no rollout" in bucket.stderr


def test_preflight_healthcheck_and_verify_dry_runs_run_nothing(root: Path) -> None:
    preflight = run(script(root, "web", "preflight.sh"), env=env(root))
    assert preflight.returncode == 0, preflight.stderr
    health = run(script(root, "web", "healthcheck.sh"), "--dry-run", env=env(root))
    assert health.returncode == 0, health.stderr
    assert quoted("bash", "-c", f"test -n {shlex.quote(hostile(root / 'pwned'))}") in health.stdout
    verify = run(
        script(root, "web", "verify.sh"),
        "--dry-run",
        env=env(root, DEPLOYPLAN_PROMETHEUS_URL="http://127.0.0.1:9"),
    )
    assert verify.returncode == 0, verify.stderr
    query = f'query=rate(errors{{text="{hostile(root / "pwned")}"}}[5m])'
    assert quoted(query)[1:] in verify.stdout
    assert not (root / "scenario-said").exists()


def test_a_real_deploy_runs_each_command_once(root: Path) -> None:
    text = hostile(root / "pwned")
    reason = f"hotfix {text}"
    result = run(
        script(root, "web", "deploy.sh"),
        *("--version", "v1", "--artifact", str(root / "release"), "--override-freeze", reason),
        env=env(root),
    )
    assert result.returncode == 0, result.stderr
    assert (root / "said").read_text() == text + "\n"
    [record] = audit(root)
    assert (record["result"], record["freeze_override"]) == ("succeeded", reason)
    assert [(g["name"], g["result"]) for g in record["gates"]] == [
        ("answers", "passed"),
        ("says", "passed"),
        ("measured", "failed_continued"),
    ]
    health = run(script(root, "web", "healthcheck.sh"), env=env(root))
    assert health.returncode == 0, health.stderr
    verify = run(script(root, "web", "verify.sh"), "--version", "v1", env=env(root))
    assert (root / "scenario-said").read_text() == text + "\n"
    # the criterion cannot be measured without Prometheus: verify says so and fails
    assert verify.returncode == 1

"""End to end on this host: the `local` engine deploys, gates, rolls back and locks, for real."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    HERE,
    audit,
    environment,
    free_port,
    generate,
    python,
    run,
    spec,
    wait_for,
)

# A stage that waits, when asked to, until the test lets it go: deploys can be caught mid-stage.
HOLD = (
    'if [ -e "$E2E_DIR/hold" ]; then touch "$E2E_DIR/holding";'
    ' while [ ! -e "$E2E_DIR/go" ]; do sleep 0.05; done; fi'
)


def service(root: Path, name: str, port: int, env: str = "staging") -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name}, a tiny HTTP app.",
        "kind": "web",
        "owner": "ops",
        "port": port,
        "health_path": "/health",
        "start_command": f"exec {python()} app.py {port}",
        "targets": {env: {"engine": "local", "release_dir": str(root / name)}},
    }


def flow(ports: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "stages": [
            {"name": "deploy", "action": "deploy", "timeout": "30s"},
            {"name": "hold", "action": "verify", "command": HOLD, "depends_on": ["deploy"]},
        ],
        "validation_points": [
            {
                "name": f"{name}_health",
                "after_stage": "deploy",
                "services": [name],
                "check": {"type": "http", "url": f"http://127.0.0.1:{port}/health"}
                | {"contains": "ok"},
                "retries": 15,
                "interval": "100ms",
                "deadline": "20s",
            }
            for name, port in ports.items()
        ],
        "rollback": {"automatic": True, "keep_releases": 3},
        **extra,
    }


def release(root: Path, name: str, version: str, status: int = 200) -> Path:
    """A release folder of the app: its code, its version, how its health check answers."""
    folder = root / "artifacts" / name / version
    folder.mkdir(parents=True)
    shutil.copy(HERE / "app.py", folder / "app.py")
    (folder / "version").write_text(version)
    (folder / "health_status").write_text(str(status))
    return folder


def answer(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
            return reply.status, reply.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()


def _stop_apps(root: Path) -> None:
    for pid_file in root.glob("*/run/*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)


@pytest.fixture
def one(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """One service `web` on a free port, generated; its apps are stopped afterwards."""
    port = free_port()
    generate(spec([service(tmp_path, "web", port)], deployment_flow=flow({"web": port})), tmp_path)
    yield tmp_path, port
    _stop_apps(tmp_path)


def scripts(root: Path, name: str = "web") -> Path:
    return root / "output" / "services" / name / "deploy" / "staging"


def deploy(root: Path, version: str, name: str = "web") -> subprocess.CompletedProcess[str]:
    artifact = root / "artifacts" / name / version
    return run(
        scripts(root, name) / "deploy.sh",
        *("--version", version, "--artifact", str(artifact)),
        env=environment(root),
    )


def test_v1_serves_and_v2_with_a_failing_health_check_rolls_back_to_v1(
    one: tuple[Path, int],
) -> None:
    root, port = one
    release(root, "web", "v1")
    release(root, "web", "v2", status=500)
    first = deploy(root, "v1")
    assert first.returncode == 0, first.stderr
    assert answer(port) == (200, "ok v1")

    second = deploy(root, "v2")
    assert second.returncode == 1, second.stderr
    assert "web/staging: a gate after stage deploy failed: rolling back to v1\n" in second.stderr
    assert answer(port) == (200, "ok v1")
    assert (root / "web" / "current").readlink() == Path("releases/v1")
    assert (root / "state" / "web" / "staging" / "current").read_text() == "v1\n"

    records = audit(root)
    assert [(r["event"], r["version"], r["result"]) for r in records] == [
        ("deploy", "v1", "succeeded"),
        ("deploy", "v2", "failed"),
    ]
    assert records[1]["previous_version"] == "v1"
    assert records[1]["actor"] == "tester"
    assert records[1]["rollback"] == {"performed": True, "to": "v1", "result": "succeeded"}
    assert [(s["name"], s["result"]) for s in records[1]["stages"]] == [("deploy", "passed")]
    assert [(g["name"], g["result"]) for g in records[1]["gates"]] == [("web_health", "failed")]
    assert records[0]["rollback"] == {"performed": False, "to": None, "result": ""}


def test_sigterm_mid_stage_rolls_back(one: tuple[Path, int]) -> None:
    root, port = one
    release(root, "web", "v1")
    release(root, "web", "v2")
    assert deploy(root, "v1").returncode == 0
    (root / "hold").touch()
    artifact = str(root / "artifacts" / "web" / "v2")
    running = subprocess.Popen(
        [scripts(root) / "deploy.sh", "--version", "v2", "--artifact", artifact],
        env=environment(root),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(root / "holding")
    assert answer(port) == (200, "ok v2")
    running.send_signal(signal.SIGTERM)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 6, stderr
    assert "received SIGTERM: stopping" in stderr
    assert answer(port) == (200, "ok v1")
    last = audit(root)[-1]
    assert (last["version"], last["result"]) == ("v2", "interrupted")
    assert last["rollback"] == {"performed": True, "to": "v1", "result": "succeeded"}
    assert [(s["name"], s["result"]) for s in last["stages"]] == [
        ("deploy", "passed"),
        ("hold", "failed"),
    ]


def test_a_second_deploy_during_the_first_is_refused_by_the_lock(one: tuple[Path, int]) -> None:
    root, port = one
    release(root, "web", "v1")
    (root / "hold").touch()
    first = subprocess.Popen(
        [
            scripts(root) / "deploy.sh",
            "--version",
            "v1",
            "--artifact",
            str(root / "artifacts/web/v1"),
        ],
        env=environment(root),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(root / "holding")
    second = deploy(root, "v1")
    assert second.returncode == 4
    assert second.stderr == (
        "deployplan web/staging: error: another deploy or rollback of web in staging is running\n"
    )
    (root / "go").touch()
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 0, stderr
    assert answer(port) == (200, "ok v1")
    assert [r["result"] for r in audit(root)] == ["locked", "succeeded"]


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Path, int, int]]:
    """`web` requires `api`; both local."""
    api, web = free_port(), free_port()
    document = spec(
        [service(tmp_path, "web", web), service(tmp_path, "api", api)],
        deployment_flow=flow(
            {"web": web, "api": api}, dependencies=[{"service": "web", "requires": "api"}]
        ),
    )
    generate(document, tmp_path)
    yield tmp_path, api, web
    _stop_apps(tmp_path)


def deploy_all(root: Path, version: str) -> subprocess.CompletedProcess[str]:
    return run(
        root / "output" / "environments" / "staging" / "deploy-all.sh",
        *("--version", version),
        *("--artifact", f"api={root / 'artifacts' / 'api' / version}"),
        *("--artifact", f"web={root / 'artifacts' / 'web' / version}"),
        env=environment(root),
    )


def test_deploy_all_deploys_in_dependency_order_and_undoes_the_first_when_the_second_fails(
    two: tuple[Path, int, int],
) -> None:
    root, api, web = two
    for name in ("api", "web"):
        release(root, name, "v1")
    release(root, "api", "v2")
    release(root, "web", "v2", status=503)
    first = deploy_all(root, "v1")
    assert first.returncode == 0, first.stderr
    assert (answer(api), answer(web)) == ((200, "ok v1"), (200, "ok v1"))

    second = deploy_all(root, "v2")
    assert second.returncode == 1, second.stderr
    assert "deployplan staging: web failed (exit 1): undoing api\n" in second.stderr
    assert (answer(api), answer(web)) == ((200, "ok v1"), (200, "ok v1"))
    assert [summary(r) for r in audit(root)] == [
        ("deploy", "api", "v1", "succeeded"),
        ("deploy", "web", "v1", "succeeded"),
        ("deploy-all", "", "v1", "succeeded"),
        ("deploy", "api", "v2", "succeeded"),
        ("deploy", "web", "v2", "failed"),
        ("rollback", "api", "v2", "succeeded"),
        ("deploy-all", "web", "v2", "failed"),
    ]
    assert audit(root)[-2]["rollback"] == {"performed": True, "to": "v1", "result": "succeeded"}
    assert audit(root)[-1] | {"started_at": "", "finished_at": "", "host": ""} == {
        "event": "deploy-all",
        "project": "e2e",
        "environment": "staging",
        "version": "v2",
        "actor": "tester",
        "host": "",
        "started_at": "",
        "finished_at": "",
        "result": "failed",
        "stopped_at": "web",
        "deployed": {"api": "v2"},
        "rolled_back": {"api": "v2"},
        "freeze_override": None,
    }


def test_deploy_all_undoing_a_first_deploy_stops_it_and_succeeds(
    two: tuple[Path, int, int],
) -> None:
    root, api, _ = two
    release(root, "api", "v1")
    release(root, "web", "v1", status=503)
    result = deploy_all(root, "v1")
    assert result.returncode == 1, result.stderr
    assert "deployplan staging: web failed (exit 1): undoing api\n" in result.stderr
    assert "deployplan api/staging: removed v1: nothing of api runs from this deploy\n" in (
        result.stderr
    )
    with pytest.raises(urllib.error.URLError):
        answer(api)
    assert [summary(r) for r in audit(root)] == [
        ("deploy", "api", "v1", "succeeded"),
        ("deploy", "web", "v1", "failed"),
        ("rollback", "api", "v1", "succeeded"),
        ("deploy-all", "web", "v1", "failed"),
    ]
    assert audit(root)[-1]["rolled_back"] == {"api": "v1"}


def summary(record: dict[str, Any]) -> tuple[str, str, str, str]:
    """event, service (deploy-all: where it stopped), version, result of an audit record."""
    where = record["service"] if "service" in record else record["stopped_at"] or ""
    return record["event"], where, record["version"], record["result"]


def process_environment(root: Path, name: str = "web") -> dict[str, str]:
    pid = (root / name / "run" / f"{name}.pid").read_text().strip()
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if p)


# Characters a naive env file or a shell would mangle.
SECRET = 'p@ss "w$rd" `x` \\ end'


# A stage command that writes the variables it was given to $E2E_DIR/{file}.
RECORD = 'printf "%s|%s|%s" "$LOG_LEVEL" "$FEATURE_FLAGS" "$DB_PASSWORD" >"$E2E_DIR/{file}"'


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """`web` with a plain variable (overridden in staging), one the service does not get,
    and a secret from the CI provider."""
    port = free_port()
    stages = flow({"web": port})
    stages["stages"] += [
        {"name": "migrate", "action": "migrate", "command": RECORD.format(file="migrate-env")},
        {"name": "record", "action": "notify", "command": RECORD.format(file="stage-env"),
         "depends_on": ["deploy"]},
    ]  # fmt: skip
    stages["stages"][0]["depends_on"] = ["migrate"]
    document = spec(
        [service(tmp_path, "web", port)],
        deployment_flow=stages,
        configuration_management={
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info", "overrides": {"staging": "debug"}},
                {"name": "FEATURE_FLAGS", "value": "a,b c"},
                {"name": "OTHER_ONLY", "value": "x", "services": ["other"]},
                {"name": "DB_PASSWORD", "secret": "db"},
            ],
            "secrets_management": {"provider": "ci", "secrets": [{"name": "db", "path": "E2E_DB"}]},
        },
    )
    document["services"].append(service(tmp_path, "other", free_port()))
    generate(document, tmp_path, "deploy", "configuration")
    yield tmp_path, port
    _stop_apps(tmp_path)


def test_every_declared_variable_reaches_the_running_process(
    configured: tuple[Path, int],
) -> None:
    root, port = configured
    release(root, "web", "v1")
    release(root, "web", "v2")
    for version in ("v1", "v2"):
        artifact = str(root / "artifacts" / "web" / version)
        result = run(scripts(root) / "deploy.sh", "--version", version, "--artifact", artifact,
                     env=environment(root, E2E_DB=SECRET))  # fmt: skip
        assert result.returncode == 0, result.stderr
    running = process_environment(root)
    assert (running["LOG_LEVEL"], running["FEATURE_FLAGS"]) == ("debug", "a,b c")
    assert (running["DB_PASSWORD"], running["VERSION"], running["PORT"]) == (
        SECRET,
        "v2",
        str(port),
    )
    assert "OTHER_ONLY" not in running
    # the stage commands, a migration among them, get the same variables
    for name in ("migrate-env", "stage-env"):
        assert (root / name).read_text() == f"debug|a,b c|{SECRET}"
    # rollback.sh starts the previous release with the same variables and secrets
    back = run(scripts(root) / "rollback.sh", env=environment(root, E2E_DB=SECRET))
    assert back.returncode == 0, back.stderr
    assert answer(port) == (200, "ok v1")
    running = process_environment(root)
    assert (running["LOG_LEVEL"], running["DB_PASSWORD"], running["VERSION"]) == (
        "debug",
        SECRET,
        "v1",
    )


def releases(root: Path, name: str = "web") -> set[str]:
    return {p.name for p in (root / name / "releases").iterdir()}


def test_pruning_follows_deploy_order_and_keeps_the_current_and_previous_release(
    one: tuple[Path, int],
) -> None:
    root, port = one
    for version in ("v1", "v2", "v3", "v4", "v5", "v6", "v7"):
        release(root, "web", version, status=500 if version == "v3" else 200)
    for version in ("v1", "v2"):
        assert deploy(root, version).returncode == 0
    # a release that fails its gate is rolled back and never counts among the kept ones
    assert deploy(root, "v3").returncode == 1
    assert releases(root) == {"v1", "v2", "v3"}
    for version in ("v4", "v5", "v6"):
        assert deploy(root, version).returncode == 0
    # keep_releases is 3: the newest three deploys that succeeded
    assert releases(root) == {"v4", "v5", "v6"}
    assert (root / "web" / "history").read_text() == "v1\nv2\nv4\nv5\nv6\n"
    # back to v4, older than the kept v5: after the next deploy v4 is the previous release
    # and stays, although v5 and v6 are newer in deploy order and on disk
    back = run(scripts(root) / "rollback.sh", "--to", "v4", env=environment(root))
    assert back.returncode == 0, back.stderr
    assert deploy(root, "v7").returncode == 0
    assert answer(port) == (200, "ok v7")
    assert (root / "state" / "web" / "staging" / "previous").read_text() == "v4\n"
    assert releases(root) == {"v4", "v5", "v6", "v7"}


def test_a_rollback_whose_release_is_gone_leaves_the_service_serving(
    one: tuple[Path, int],
) -> None:
    root, port = one
    for version in ("v1", "v2"):
        release(root, "web", version)
        assert deploy(root, version).returncode == 0
    shutil.rmtree(root / "web" / "releases" / "v1")
    result = run(scripts(root) / "rollback.sh", env=environment(root))
    assert result.returncode == 5, result.stderr
    assert result.stderr.splitlines()[-2:] == [
        "deployplan web/staging: release v1 is no longer on this host: nothing was stopped",
        "deployplan web/staging: error: the rollback to v1 failed: "
        "web in staging needs a person now",
    ]
    assert answer(port) == (200, "ok v2")
    assert (root / "web" / "current").readlink() == Path("releases/v2")
    last = audit(root)[-1]
    assert (last["event"], last["version"], last["result"]) == ("rollback", "v2", "failed")
    assert last["rollback"] == {"performed": True, "to": "v1", "result": "failed"}


FROZEN = str(1893456000 + 3600)  # 2030-01-01T01:00Z, inside the window below


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """`web` requires `api`, both local, in production (deploys ask for confirmation),
    frozen on 2030-01-01."""
    api, web = free_port(), free_port()
    document = spec(
        [service(tmp_path, "web", web, "production"), service(tmp_path, "api", api, "production")],
        env="production",
        deployment_flow=flow(
            {"web": web, "api": api}, dependencies=[{"service": "web", "requires": "api"}]
        ),
        version_management={
            "version_scheme": {"type": "semver"},
            "branching_strategy": {"model": "trunk"},
            "release_policy": {
                "hotfixes_during_freeze": False,
                "freeze_windows": [
                    {
                        "name": "new_year",
                        "start": "2030-01-01T00:00:00+00:00",
                        "end": "2030-01-02T00:00:00+00:00",
                        "environments": ["production"],
                        "reason": "Year-end close.",
                    }
                ],
            },
        },
    )
    generate(document, tmp_path)
    for name in ("api", "web"):
        release(tmp_path, name, "v1")
    yield tmp_path, api
    _stop_apps(tmp_path)


def production(root: Path, name: str) -> Path:
    return root / "output" / "services" / name / "deploy" / "production" / "deploy.sh"


def test_a_refused_deploy_leaves_an_audit_record(guarded: tuple[Path, int]) -> None:
    root, _ = guarded
    artifact = ("--artifact", str(root / "artifacts" / "api" / "v1"))
    unconfirmed = run(production(root, "api"), "--version", "v1", *artifact,
                      env=environment(root))  # fmt: skip
    assert unconfirmed.returncode == 3
    assert unconfirmed.stderr == (
        "deployplan api/production: error: production is production: "
        "confirm on a terminal, or pass --yes\n"
    )
    frozen = run(production(root, "api"), "--yes", "--version", "v1", *artifact,
                 env=environment(root, DEPLOYPLAN_NOW=FROZEN))  # fmt: skip
    assert frozen.returncode == 3
    assert frozen.stderr.endswith(
        "error: refusing to change production during the freeze window new_year "
        "(--override-freeze REASON for a hotfix)\n"
    )
    assert [summary(r) for r in audit(root)] == [
        ("deploy", "api", "v1", "refused_confirmation"),
        ("deploy", "api", "v1", "refused_freeze"),
    ]
    assert not (root / "api" / "current").exists()


def deploy_all_production(
    root: Path, *args: str, version: str = "v1", **extra: str
) -> subprocess.CompletedProcess[str]:
    return run(
        root / "output" / "environments" / "production" / "deploy-all.sh",
        *("--version", version, *args),
        *("--artifact", f"api={root / 'artifacts' / 'api' / version}"),
        *("--artifact", f"web={root / 'artifacts' / 'web' / version}"),
        env=environment(root, **extra),
    )


def test_a_refused_deploy_all_leaves_an_audit_record(guarded: tuple[Path, int]) -> None:
    root, _ = guarded
    unconfirmed = deploy_all_production(root)
    assert unconfirmed.returncode == 3
    assert unconfirmed.stderr == (
        "deployplan production: error: confirm on a terminal, or pass --yes\n"
    )
    frozen = deploy_all_production(root, "--yes", DEPLOYPLAN_NOW=FROZEN)
    assert frozen.returncode == 3
    records = audit(root)
    assert [summary(r) for r in records] == [
        ("deploy-all", "", "v1", "refused_confirmation"),
        ("deploy", "api", "v1", "refused_freeze"),
        ("deploy-all", "api", "v1", "refused"),
    ]
    assert (records[0]["deployed"], records[2]["deployed"]) == ({}, {})
    assert not (root / "api" / "current").exists()


def test_a_deploy_all_refused_by_a_running_deploy_undoes_what_it_did(
    guarded: tuple[Path, int],
) -> None:
    root, api = guarded
    release(root, "api", "v2")
    first = run(production(root, "api"), "--yes", "--version", "v1", "--artifact",
                str(root / "artifacts" / "api" / "v1"), env=environment(root))  # fmt: skip
    assert first.returncode == 0, first.stderr
    (root / "hold").touch()
    artifact = str(root / "artifacts" / "web" / "v1")
    held = subprocess.Popen(
        [production(root, "web"), "--yes", "--version", "v1", "--artifact", artifact],
        env=environment(root), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_for(root / "holding")
    (root / "hold").unlink()
    locked = deploy_all_production(root, "--yes", version="v2")
    assert locked.returncode == 4, locked.stderr
    assert "deployplan production: web failed (exit 4): undoing api\n" in locked.stderr
    (root / "go").touch()
    _, stderr = held.communicate(timeout=60)
    assert held.returncode == 0, stderr
    records = audit(root)
    assert [summary(r) for r in records] == [
        ("deploy", "api", "v1", "succeeded"),
        ("deploy", "api", "v2", "succeeded"),
        ("deploy", "web", "v2", "locked"),
        ("rollback", "api", "v2", "succeeded"),
        ("deploy-all", "web", "v2", "locked"),
        ("deploy", "web", "v1", "succeeded"),
    ]
    assert (records[4]["deployed"], records[4]["rolled_back"]) == ({"api": "v2"}, {"api": "v2"})
    assert answer(api) == (200, "ok v1")


@pytest.fixture
def two_environments(tmp_path: Path) -> Iterator[tuple[Path, dict[str, tuple[str, int]]]]:
    """`web` on its own address and port in staging and in production. Its health
    indicator names the service's port, as the example spec does: in each environment the
    probe takes that environment's port instead."""
    where = {"staging": ("127.0.0.1", free_port()), "production": ("127.0.0.2", free_port())}
    web = service(tmp_path, "web", 8000)
    web["start_command"] = f'exec {python()} app.py "$PORT"'
    web["targets"] = {
        env: {"engine": "local", "release_dir": str(tmp_path / env / "web"), "port": port}
        | {"address": address}
        for env, (address, port) in where.items()
    }
    document = spec(
        [web],
        deployment_flow={
            "stages": [{"name": "deploy", "action": "deploy", "timeout": "30s"}],
            "validation_points": [
                {
                    "name": "answers",
                    "after_stage": "deploy",
                    "check": {"type": "http", "url": "http://{host}:{port}/health"},
                    "retries": 15,
                    "interval": "100ms",
                }
            ],
        },
        health_check={
            "health_indicators": [
                {"name": "web_http", "service": "web", "type": "http", "path": "/health"}
                | {"port": 8000},
                {"name": "web_port", "service": "web", "type": "tcp"},
            ]
        },
        configuration_management={
            "environment_variables": [
                {"name": "BIND_ADDRESS", "value": "127.0.0.1"}
                | {"overrides": {"production": "127.0.0.2"}}
            ]
        },
    )
    document["environments"]["production"] = {
        **document["environments"]["staging"],
        "environment_type": "production",
    }
    generate(document, tmp_path, "deploy", "configuration")
    yield tmp_path, where
    for env in where:
        _stop_apps(tmp_path / env)


def test_each_environment_is_probed_on_its_own_address_and_port(
    two_environments: tuple[Path, dict[str, tuple[str, int]]],
) -> None:
    root, where = two_environments
    release(root, "web", "v1")
    for env in where:
        script = root / "output" / "services" / "web" / "deploy" / env / "deploy.sh"
        result = run(script, "--yes", "--version", "v1", "--artifact",
                     str(root / "artifacts" / "web" / "v1"), env=environment(root))  # fmt: skip
        assert result.returncode == 0, result.stderr
    staging, production = (
        root / "output" / "services" / "web" / "deploy" / env / "healthcheck.sh"
        for env in ("staging", "production")
    )
    address, port = where["production"]
    assert run(production, "--dry-run", env=environment(root)).stdout.splitlines() == [
        f"would probe web_http: GET http://{address}:{port}/health, expecting HTTP 200 within 5s",
        f"  + curl -sS -o /dev/null -w %\\{{http_code\\}} --max-time 5 http://{address}:{port}/health",
        f"would probe web_port: TCP connection to {address}:{port} within 5s",
        f'  + bash -c :\\ \\>\\"/dev/tcp/\\$1/\\$2\\" tcp {address} {port}',
    ]
    # staging goes down: production's probes do not notice, staging's do
    _stop_apps(root / "staging")
    healthy = run(production, env=environment(root))
    assert healthy.returncode == 0, healthy.stderr
    assert healthy.stderr == (
        "deployplan web/production: healthy: web_http (127.0.0.2)\n"
        "deployplan web/production: healthy: web_port (127.0.0.2)\n"
    )
    down = run(staging, env=environment(root))
    assert down.returncode == 1
    assert "deployplan web/staging: UNHEALTHY: web_http (127.0.0.1)\n" in down.stderr

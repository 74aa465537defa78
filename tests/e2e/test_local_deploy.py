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


def service(root: Path, name: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name}, a tiny HTTP app.",
        "kind": "web",
        "owner": "ops",
        "port": port,
        "health_path": "/health",
        "start_command": f"exec {python()} app.py {port}",
        "targets": {"staging": {"engine": "local", "release_dir": str(root / name)}},
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
    history = [(r["event"], r["service"], r["version"], r["result"]) for r in audit(root)]
    assert history == [
        ("deploy", "api", "v1", "succeeded"),
        ("deploy", "web", "v1", "succeeded"),
        ("deploy", "api", "v2", "succeeded"),
        ("deploy", "web", "v2", "failed"),
        ("rollback", "api", "v2", "succeeded"),
    ]
    assert audit(root)[-1]["rollback"] == {"performed": True, "to": "v1", "result": "succeeded"}

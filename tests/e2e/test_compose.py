"""The compose engine for real: podman and podman-compose on this machine, with images
built here from Debian's static busybox (its httpd serves the release, its wget is the
container's health check).

A first deploy that fails leaves nothing running and no "ROLLBACK FAILED"; a good release
serves with every declared variable in its process environment, its config file mounted
and its port bound to loopback only; its data outlives the next release; a bad release
fails its gate and the previous one serves again; a runner with no state of its own rolls
back from the labels on the container. Docker's engine cannot run here, so Docker Compose
v2 is covered by the same script through detection only (``test_detection_…``).
Podman runs with runc and explicit ulimits from the test's own containers.conf.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import audit, environment, free_port, generate, run, spec

SECRET = 'p@ss "w$rd" `x` \\ end'
PROJECT = "e2e-staging"
CONTAINER = f"{PROJECT}-web"
IMAGE = "localhost/e2e-web"


def podman(*args: str, conf: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF": str(conf)},
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def _build(root: Path, conf: Path, version: str, healthy: bool) -> None:
    context = root / f"image-{version}"
    (context / "www").mkdir(parents=True)
    shutil.copy("/bin/busybox", context / "busybox")
    (context / "www" / "version").write_text(f"{version}\n")
    if healthy:
        (context / "www" / "health").write_text(f"ok {version}\n")
    (context / "Containerfile").write_text(
        "FROM scratch\nCOPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY www /www\n'
        # as PID 1 the shell must stop on SIGTERM itself, or every recreate waits 10 s
        'CMD ["/bin/sh", "-c", "httpd -f -p \\"$PORT\\" -h /www & '
        "trap 'kill $!; exit 0' TERM; wait\"]\n"
    )
    podman("build", "--quiet", "--tag", f"{IMAGE}:{version}", str(context), conf=conf)


def document(port: int) -> dict[str, Any]:
    web = {
        "name": "web",
        "description": "A busybox httpd in a container.",
        "kind": "web",
        "owner": "ops",
        "image": IMAGE,
        "port": port,
        "health_path": "/health",
        "exposure": "private",
        "stores_data": True,
        "targets": {
            "staging": {
                "engine": "compose",
                "config_dir": "/etc/web",
                # $1, $2 and $! are the container shell's; ${…} are the service's variables
                "container_command": [
                    "/bin/sh",
                    "-c",
                    'httpd -f -p "$1" -h /www -r "$2" & trap \'kill $!; exit 0\' TERM; wait',
                    "sh",
                    "${PORT}",
                    "${DB_PASSWORD}",
                ],
            }
        },
    }
    return spec(
        [web],
        deployment_flow={
            "stages": [{"name": "deploy", "action": "deploy", "timeout": "10s"}],
            "validation_points": [
                {
                    "name": "serves",
                    "after_stage": "deploy",
                    "check": {"type": "http", "url": f"http://127.0.0.1:{port}/health"},
                    "retries": 3,
                    "interval": "1s",
                }
            ],
        },
        configuration_management={
            "config_files": [
                {"name": "web", "service": "web", "path": "web.env", "format": "env",
                 "values": {"GREETING": "hello"}},
            ],
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_PASSWORD", "secret": "db"},
            ],
            "secrets_management": {"provider": "ci", "secrets": [{"name": "db", "path": "E2E_DB"}]},
        },
    )  # fmt: skip


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, dict[str, str], int]]:
    root = tmp_path_factory.mktemp("compose")
    conf = root / "containers.conf"
    conf.write_text(
        '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
        '[engine]\nruntime = "runc"\n'
    )
    for version, healthy in (("v1", True), ("v2", True), ("v3", False)):
        _build(root, conf, version, healthy)
    port = free_port()
    out = generate(document(port), root, "deploy", "configuration")
    env = environment(
        root,
        CONTAINERS_CONF=str(conf),
        DEPLOYPLAN_CONFIG_HOME=str(root / "host-config"),
        DEPLOYPLAN_COMPOSE="podman",
        E2E_DB=SECRET,
        # podman-compose comes with the test extras, next to this Python
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    try:
        yield out / "services" / "web" / "deploy" / "staging", env, port
    finally:
        podman("rm", "--force", CONTAINER, conf=conf, check=False)
        podman("volume", "rm", "--force", f"{PROJECT}-web-data", conf=conf, check=False)
        podman("rmi", "--force", *(f"{IMAGE}:{v}" for v in ("v1", "v2", "v3")), conf=conf,
               check=False)  # fmt: skip


def _get(port: int, path: str) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return str(response.read().decode())
    except (urllib.error.URLError, OSError) as error:
        return f"unreachable: {error}"


def _conf(env: dict[str, str]) -> Path:
    return Path(env["CONTAINERS_CONF"])


def _exec(env: dict[str, str], *command: str) -> str:
    return podman("exec", CONTAINER, *command, conf=_conf(env)).stdout


def _labels(env: dict[str, str]) -> dict[str, str]:
    inspect = podman("inspect", CONTAINER, conf=_conf(env))
    labels: dict[str, str] = json.loads(inspect.stdout)[0]["Config"]["Labels"]
    return labels


def test_a_failed_first_deploy_leaves_nothing_running(
    deployment: tuple[Path, dict[str, str], int],
) -> None:
    folder, env, _ = deployment
    result = run(folder / "deploy.sh", "--yes", "--version", "v3", env=env)
    assert result.returncode == 1, result.stderr
    assert "ROLLBACK FAILED" not in result.stderr
    assert "no release before v3: removing the failed container" in result.stderr, result.stderr
    assert podman("container", "exists", CONTAINER, conf=_conf(env), check=False).returncode == 1
    assert audit(Path(env["E2E_DIR"]))[-1]["rollback"]["result"] == "succeeded"


def test_a_good_release_serves_with_its_variables_config_and_loopback_port(
    deployment: tuple[Path, dict[str, str], int],
) -> None:
    folder, env, port = deployment
    result = run(folder / "deploy.sh", "--yes", "--version", "v1", env=env)
    assert result.returncode == 0, result.stderr
    assert _get(port, "/version") == "v1\n"
    environ = dict(
        entry.split("=", 1) for entry in _exec(env, "cat", "/proc/1/environ").split("\0") if entry
    )
    assert (environ["LOG_LEVEL"], environ["DB_PASSWORD"], environ["PORT"]) == (
        "info", SECRET, str(port),
    )  # fmt: skip
    assert _exec(env, "cat", "/etc/web/web.env").endswith("\nGREETING=hello\n")
    assert _exec(env, "cat", "/proc/1/cmdline").split("\0")[3:6] == ["sh", str(port), SECRET]
    bindings = json.loads(podman("inspect", CONTAINER, conf=_conf(env)).stdout)[0]["HostConfig"][
        "PortBindings"
    ]
    assert bindings == {f"{port}/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
    assert _labels(env)["io.deployplan.history"] == "v1"
    # the secret never reached the disk of the deploy machine
    state = Path(env["E2E_DIR"])
    assert not [p for p in state.rglob("*") if p.is_file() and SECRET in p.read_text("latin-1")]


def test_data_outlives_a_release_and_a_bad_release_is_rolled_back(
    deployment: tuple[Path, dict[str, str], int],
) -> None:
    folder, env, port = deployment
    _exec(env, "sh", "-c", "echo kept >/data/marker")
    result = run(folder / "deploy.sh", "--yes", "--version", "v2", env=env)
    assert result.returncode == 0, result.stderr
    assert (_get(port, "/version"), _exec(env, "cat", "/data/marker")) == ("v2\n", "kept\n")
    assert _labels(env)["io.deployplan.history"] == "v2 v1"

    result = run(folder / "deploy.sh", "--yes", "--version", "v3", env=env)
    assert result.returncode == 1, result.stderr
    assert "returning to v2" in result.stderr
    assert _get(port, "/version") == "v2\n"
    assert _labels(env)["io.deployplan.history"] == "v2 v1"


def test_a_fresh_runner_rolls_back_from_the_containers_labels(
    deployment: tuple[Path, dict[str, str], int],
) -> None:
    folder, env, port = deployment
    fresh = {**env, "DEPLOYPLAN_STATE_DIR": str(Path(env["E2E_DIR"]) / "fresh-state")}
    listed = run(folder / "rollback.sh", "--list", env=fresh)
    assert listed.stdout == "this machine: v2 v1\n", listed.stderr
    result = run(folder / "rollback.sh", "--yes", env=fresh)
    assert result.returncode == 0, result.stderr
    assert _get(port, "/version") == "v1\n"
    assert _labels(env)["io.deployplan.history"] == "v1"


def test_detection_refuses_without_a_compose_tool(
    deployment: tuple[Path, dict[str, str], int], tmp_path: Path
) -> None:
    folder, env, _ = deployment
    # every command of this machine but the container tools
    for found in Path("/usr/bin").iterdir():
        if found.name not in ("docker", "podman", "podman-compose", "docker-compose"):
            (tmp_path / found.name).symlink_to(found)
    result = run(
        folder / "preflight.sh", env={**env, "PATH": str(tmp_path), "DEPLOYPLAN_COMPOSE": ""}
    )
    assert result.returncode != 0
    assert "no compose tool: install Docker Compose v2" in result.stderr, result.stderr


# ── Remote hosts ─────────────────────────────────────────────────────────────────────
# No Docker engine runs here and podman's remote service over ssh needs a systemd socket,
# so the rollout over hosts runs against a stand-in `docker` that keeps each host's
# container state (its release and history labels) in files and records DOCKER_HOST with
# every call; `ssh` records the config delivery. Everything the script decides is real.
STANDIN_DOCKER = r"""#!/usr/bin/env bash
set -euo pipefail
host=${DOCKER_HOST:-}
host=${host#ssh://}
printf '%s %s\n' "$host" "$*" >>"$STANDIN_DIR/calls"
box=$STANDIN_DIR/${host:-local}
case "$*" in
    "compose version") exit 0 ;;
    *" up -d --no-deps --force-recreate "*)
        printf '%s' "$DEPLOYPLAN_RELEASE" >"$box.release"
        printf '%s' "$DEPLOYPLAN_HISTORY" >"$box.history" ;;
    "inspect --format {{.State.Status}}"*) [ -f "$box.release" ] && echo running || exit 1 ;;
    "inspect --format {{.State.Health.Status}}"*)
        if [ "$(cat "$box.release")@$host" = "$STANDIN_BAD" ]; then
            echo unhealthy
        else echo healthy; fi ;;
    *"io.deployplan.history"*) [ ! -f "$box.history" ] || cat "$box.history" ;;
    *"io.deployplan.release"*) [ ! -f "$box.release" ] || cat "$box.release" ;;
esac
"""
STANDIN_SSH = r"""#!/usr/bin/env bash
printf 'ssh %s\n' "$*" >>"$STANDIN_DIR/calls"
cat >/dev/null
"""


@pytest.fixture()
def fleet(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    document_ = document(8080)
    target = document_["services"][0]["targets"]["staging"]
    target.update(hosts=["app-1", "app-2"], ssh_user="deploy")
    document_["deployment_flow"]["validation_points"] = []
    out = generate(document_, tmp_path, "deploy", "configuration")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for name, text in (("docker", STANDIN_DOCKER), ("ssh", STANDIN_SSH)):
        (bin_ / name).write_text(text)
        (bin_ / name).chmod(0o755)
    env = environment(tmp_path, STANDIN_DIR=str(tmp_path), E2E_DB=SECRET, STANDIN_BAD="",
                      PATH=f"{bin_}:{os.environ['PATH']}", DEPLOYPLAN_COMPOSE="docker")  # fmt: skip
    return out / "services" / "web" / "deploy" / "staging", env


def _calls(env: dict[str, str]) -> list[str]:
    """Config deliveries and container starts, in order, with the noise taken out."""
    path = Path(env["STANDIN_DIR"]) / "calls"
    lines = path.read_text().splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    calls = []
    for line in lines:
        if line.startswith("ssh ") and "tar" in line:
            host, dest = re.search(r"-- (\S+) .* config (\S+)$", line).groups()  # type: ignore[union-attr]
            calls.append(f"ssh -l deploy -- {host} tar into {dest}")
        elif " up -d --no-deps --force-recreate " in line:
            calls.append(f"{line.split()[0]} up {line.split()[-1]}")
        elif " rm " in line:
            calls.append(f"{line.split()[0]} rm")
    return calls


def test_hosts_are_rolled_out_in_turn_and_rolled_back_last_first(
    fleet: tuple[Path, dict[str, str]],
) -> None:
    folder, env = fleet
    assert run(folder / "deploy.sh", "--yes", "--version", "v1", env=env).returncode == 0
    assert _calls(env) == [
        "ssh -l deploy -- app-1 tar into /var/lib/deployplan/e2e/web/staging/config/v1",
        "deploy@app-1 up web",
        "ssh -l deploy -- app-2 tar into /var/lib/deployplan/e2e/web/staging/config/v1",
        "deploy@app-2 up web",
    ]
    # v2 is healthy on app-1 but not on app-2: app-2 goes back first, then app-1
    failed = run(folder / "deploy.sh", "--yes", "--version", "v2",
                 env={**env, "STANDIN_BAD": "v2@deploy@app-2"})  # fmt: skip
    assert failed.returncode == 1, failed.stderr
    ups = [c for c in _calls(env) if " up " in c]
    assert ups == ["deploy@app-1 up web", "deploy@app-2 up web", "deploy@app-2 up web",
                   "deploy@app-1 up web"]  # fmt: skip
    assert "app-2: returning to v1\ndeployplan web/staging: app-1: returning to v1" in failed.stderr
    listed = run(folder / "rollback.sh", "--list", env=env)
    assert listed.stdout == "app-1: v1\napp-2: v1\n", listed.stderr

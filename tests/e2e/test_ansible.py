"""The Ansible rollout for real: ansible-playbook against three hosts over SSH on 127.0.0.1.

A good release reaches every host, installed and migrated as the service user (www-data),
with config files and secrets that user reads; a bad one fails the first host's own health
check, or the text a gate expects within the gate's retries, stops there and is rolled
back on that host while the others keep serving; pruning keeps
the releases deploy order says; a runner with no state of its own rolls back from the
hosts' records. See ``vm_hosts`` for what is real (all of it but systemd as PID 1).
"""

from __future__ import annotations

import json
import pwd
import shutil
import stat
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import HERE, audit, environment, generate, python, spec
from tests.e2e.vm_hosts import Host, ansible_settings, inventory, started

NAMES = ["app-1", "app-2", "app-3"]
# Characters that a naive env file or a shell would mangle.
SECRET = 'p@ss "w$rd" `x` \\ end'


def document(root: Path) -> dict[str, Any]:
    web = {
        "name": "web",
        "description": "A tiny HTTP app on three VMs.",
        "kind": "web",
        "owner": "ops",
        "port": 8000,
        "health_path": "/health",
        "user": "www-data",
        "install_command": 'printf \'installed %s by %s\\n\' "$VERSION" "$(id -un)" >installed.txt',
        "start_command": f'exec {python()} app.py "$PORT"',
        "targets": {
            "production": {
                "engine": "ansible",
                "hosts": NAMES,
                "release_dir": "/srv/web",
                "port": 8000,
            }
        },
    }
    return spec(
        [web],
        env="production",
        deployment_flow={
            "stages": [
                {"name": "migrate", "action": "migrate", "command": "touch migrated-$VERSION"},
                {"name": "deploy", "action": "deploy", "depends_on": ["migrate"]},
            ],
            "validation_points": [
                {
                    "name": "each-host",
                    "after_stage": "deploy",
                    "check": {"type": "http", "url": "http://{host}:{port}/health"}
                    | {"contains": "ok v"},
                    "retries": 1,
                    "interval": "1s",
                }
            ],
            "rollback": {"keep_releases": 2},
        },
        configuration_management={
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_PASSWORD", "secret": "db"},
            ],
            "secrets_management": {"provider": "ci", "secrets": [{"name": "db", "path": "E2E_DB"}]},
        },
    )


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Host]]]:
    root = tmp_path_factory.mktemp("ansible")
    generate(document(root), root, "deploy", "configuration")
    with started(root / "hosts", NAMES) as (hosts, key):
        generated = scripts(root) / "inventory.ini"
        (root / "inventory.ini").write_text(inventory(generated, hosts, key, "web"))
        yield root, hosts


def scripts(root: Path) -> Path:
    return root / "output" / "services" / "web" / "deploy" / "production"


def release(root: Path, version: str, status: int = 200) -> Path:
    folder = root / "artifacts" / version
    if not folder.exists():
        folder.mkdir(parents=True)
        shutil.copy(HERE / "app.py", folder / "app.py")
        (folder / "version").write_text(version)
        (folder / "health_status").write_text(str(status))
    return folder


def env(root: Path, state: str = "state") -> dict[str, str]:
    return environment(
        root,
        DEPLOYPLAN_INVENTORY=str(root / "inventory.ini"),
        DEPLOYPLAN_STATE_DIR=str(root / state),
        E2E_DB=SECRET,
        # a release that never turns healthy fails after 10 attempts, not the default 30
        DEPLOYPLAN_PROBE_SECONDS="10",
        **ansible_settings(root),
    )


def run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A script run; rollouts over SSH take longer than the local engine's."""
    return subprocess.run([str(script), *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip


def deploy(root: Path, version: str, status: int = 200) -> subprocess.CompletedProcess[str]:
    artifact = release(root, version, status)
    return run(scripts(root) / "deploy.sh", "--yes", "--version", version,
               "--artifact", str(artifact), env=env(root))  # fmt: skip


def answer(host: Host) -> tuple[int, str]:
    try:
        url = f"http://127.0.0.1:{host.app_port}/health"
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()
    except OSError:
        return 0, "no answer"


def records(host: Host) -> dict[str, Any]:
    return dict(json.loads((host.release_dir("web") / "releases.json").read_text()))


def releases(host: Host) -> set[str]:
    return {p.name for p in (host.release_dir("web") / "releases").iterdir()}


def owner(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


def as_user(user: str, *command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    setpriv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]
    return subprocess.run([*setpriv, *command], cwd=cwd, capture_output=True, text=True,
                          check=False)  # fmt: skip


def process_environment(host: Host) -> dict[str, str]:
    pid = (host.root / "run" / "web.service.pid").read_text()
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if p)


def test_a_good_release_reaches_every_host_with_its_config_and_secrets(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    result = deploy(root, "v1")
    assert result.returncode == 0, result.stderr + result.stdout
    assert [answer(h) for h in hosts] == [(200, "ok v1")] * 3
    for host in hosts:
        folder = host.release_dir("web")
        assert (folder / "current").readlink() == Path("releases/v1")
        assert (folder / "current" / "installed.txt").read_text() == "installed v1 by www-data\n"
        assert owner(folder / "releases/v1") == owner(folder / "shared/data") == "www-data"
        assert stat.S_IMODE((folder / "shared/data").stat().st_mode) == 0o750
        # the service user reads the config files (its group's) and the secrets (its own)
        read = as_user(
            "www-data", "cat", "shared/config/variables.env", "shared/secrets.env", cwd=folder
        )
        assert (read.returncode, read.stderr) == (0, "")
        assert records(host) == {"current": "v1", "previous": "", "history": ["v1"]}
        secrets = folder / "shared" / "secrets.env"
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
        running = process_environment(host)
        assert (running["LOG_LEVEL"], running["DB_PASSWORD"]) == ("info", SECRET)
        assert (running["PORT"], running["VERSION"]) == (str(host.app_port), "v1")
        assert (running["SERVICE"], running["ENVIRONMENT"]) == ("web", "production")
    # the migration ran once, on the first host, in the new release
    migrated = [
        h.name for h in hosts if (h.release_dir("web") / "releases/v1/migrated-v1").exists()
    ]
    assert migrated == ["app-1"]
    assert owner(hosts[0].release_dir("web") / "releases/v1/migrated-v1") == "www-data"


def test_a_bad_release_stops_at_the_first_host_and_is_rolled_back_there(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # the tests of this module are one rollout history, in order
    assert records(hosts[0])["current"] == "v1", "runs after the first deploy, v1"
    result = deploy(root, "v2", status=500)
    assert result.returncode == 1, result.stderr + result.stdout
    assert "app-1: the deploy of v2 failed and the host is back on v1" in result.stdout
    assert [answer(h) for h in hosts] == [(200, "ok v1")] * 3
    assert all(records(h)["current"] == "v1" for h in hosts)
    # the other hosts never saw v2
    assert [("v2" in releases(h)) for h in hosts] == [True, False, False]
    last = audit(root)[-1]
    assert (last["version"], last["result"]) == ("v2", "failed")
    assert last["rollback"]["performed"] is True


def test_a_gate_on_each_host_checks_its_text_within_its_retries(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # x1 answers 200 with "ok x1": the gate expects "ok v", and retries once
    result = deploy(root, "x1")
    assert result.returncode == 1, result.stderr + result.stdout
    assert "app-1: the deploy of x1 failed and the host is back on v1" in result.stdout
    retrying = "FAILED - RETRYING: [app-1]: This host answers each-host"
    assert result.stdout.count(retrying) == 1, result.stdout
    assert [answer(h) for h in hosts] == [(200, "ok v1")] * 3


def test_pruning_keeps_current_previous_and_the_newest_in_deploy_order(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    for version in ("v3", "v4"):
        result = deploy(root, version)
        assert result.returncode == 0, result.stderr + result.stdout
    # v2 failed and v1 is older than the two kept: both are gone
    assert all(releases(h) == {"v3", "v4"} for h in hosts)
    assert records(hosts[2]) == {"current": "v4", "previous": "v3", "history": ["v1", "v3", "v4"]}


def test_a_fresh_runner_rolls_back_from_the_hosts_records(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    listing = run(scripts(root) / "rollback.sh", "--list", env=env(root, "fresh"))
    assert listing.returncode == 0, listing.stderr
    assert '"msg": "app-2: current v4, previous v3, deploy order v1 v3 v4"' in listing.stdout
    back = run(scripts(root) / "rollback.sh", "--yes", env=env(root, "fresh"))
    assert back.returncode == 0, back.stderr + back.stdout
    assert [answer(h) for h in hosts] == [(200, "ok v3")] * 3
    assert all(records(h)["current"] == "v3" for h in hosts)
    # v1, before v3 in deploy order, was pruned: the rollback refuses before it stops anything
    again = run(scripts(root) / "rollback.sh", "--yes", env=env(root, "fresh"))
    assert again.returncode == 5, again.stderr + again.stdout
    assert "app-1: release v1 is not installed: nothing was changed" in again.stdout
    assert [answer(h) for h in hosts] == [(200, "ok v3")] * 3

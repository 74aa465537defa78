"""The systemd engine for real: deploy.sh and rollback.sh over SSH to two hosts on
127.0.0.1 (Debian's sshd, see ``vm_hosts``), each with its own /srv and
/etc/systemd/system. Only systemd as PID 1 is a stand-in (``tests/e2e/bin/systemctl``
runs the unit's ExecStart); the connection, the files and the apps are real.

An app: the release reaches both hosts with the environment's config files and its
secrets, the migration runs once, on the first host, in the new release before any switch
and under its own lock; a host that fails its own health check, or a gate's expected text
within the gate's attempts, stops the rollout and every switched host returns, newest
first; each host prunes in deploy order and keeps its current and previous release; a
runner with no state lists and rolls back from the hosts' records. A worker (no port):
a release whose unit does not stay active, or whose command indicator fails on the host,
is returned. A data store: its host's own unit is kept, it is confirmed, backed up first
(restic, for real), and its replica goes first.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import HERE, audit, environment, free_port, generate, python, spec
from tests.e2e.vm_hosts import Host, ssh_config, started

# host names are the addresses each host's apps listen on (loopback, all on this machine)
NAMES = ["127.0.0.11", "127.0.0.12"]
PASSWORD = "restic repository password"
# Characters that a naive env file or a shell would mangle.
SECRET = "p@ss \"w$rd\" `x` \\ end 'quoted'"
# each host's app listens on the host's own address, kept in its data folder
BIND = "BIND_ADDRESS=$(cat ../../shared/data/address)"
# the migration checks that no host runs the new release yet, and says where it ran
MIGRATE = (
    'test "$(readlink ../../current)" != "releases/$VERSION"'
    ' && touch "migrated-$VERSION" && echo "$VERSION" >>../../migrations.log'
)


def document(root: Path, web_port: int, db_port: int) -> dict[str, Any]:
    hosts = {"engine": "systemd", "hosts": NAMES}
    web = {
        "name": "web",
        "description": "A tiny HTTP app on two VMs.",
        "kind": "web",
        "owner": "ops",
        "port": web_port,
        "health_path": "/health",
        "user": "root",
        "install_command": "printf 'installed %s\\n' \"$VERSION\" >installed.txt",
        "start_command": f'{BIND} exec {python()} app.py "$PORT"',
        "targets": {"production": hosts | {"release_dir": "/srv/web"}},
    }
    worker = {
        "name": "worker",
        "description": "A worker with no port: it crashes where its release has `crash`.",
        "kind": "worker",
        "owner": "ops",
        "user": "root",
        "start_command": "if [ -f crash ]; then sleep 2; exit 1; fi; exec sleep 3600",
        "targets": {"production": hosts | {"release_dir": "/srv/worker"}},
    }
    db = {
        "name": "db",
        "description": "A data store on a primary and a replica.",
        "kind": "database",
        "owner": "ops",
        "port": db_port,
        "stores_data": True,
        # as the example's PostgreSQL: the host's own unit runs it
        "start_command": "exec postgres -D /var/lib/db",
        "targets": {"production": hosts | {"release_dir": "/srv/db", "unit": "db.service"}},
    }
    return spec(
        [web, worker, db],
        env="production",
        deployment_flow={
            "stages": [
                {"name": "migrate", "action": "migrate", "command": MIGRATE},
                {"name": "deploy", "action": "deploy", "depends_on": ["migrate"]},
            ],
            "validation_points": [
                {
                    "name": "each-host",
                    "after_stage": "deploy",
                    "services": ["web"],
                    "check": {"type": "http", "url": "http://{host}:{port}/health"}
                    | {"contains": "ok v"},
                    "retries": 2,
                    "interval": "1s",
                }
            ],
            "rollback": {"keep_releases": 2},
        },
        health_check={
            "health_indicators": [
                {"name": "db_answers", "service": "db", "type": "http", "path": "/health"}
                | {"port": db_port},
                # on the host, in the running release, with the unit's variables and secrets
                {"name": "worker_ready", "service": "worker", "type": "command"}
                | {
                    "command": 'test ! -f bad && test "$LOG_LEVEL" = info && test -n "$DB_PASSWORD"'
                },
            ]
        },
        backup_strategy={
            "backup_types": [
                {
                    "name": "db_files",
                    "kind": "snapshot",
                    "engine": "restic",
                    "service": "db",
                    "environments": ["production"],
                    "source": str(root / "db-data"),
                    "repository": str(root / "restic"),
                    "encryption_key": "restic-password",
                }
            ]
        },
        configuration_management={
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info", "services": ["web", "worker"]},
                {"name": "DB_PASSWORD", "secret": "db", "services": ["web", "worker"]},
            ],
            "secrets_management": {
                "provider": "ci",
                "secrets": [
                    {"name": "restic-password", "path": "E2E_RESTIC"},
                    {"name": "db", "path": "E2E_DB"},
                ],
            },
        },
    )


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Host]]]:
    root = tmp_path_factory.mktemp("systemd")
    web_port, db_port = free_port(), free_port()
    generate(document(root, web_port, db_port), root, "deploy", "configuration", "backups")
    (root / "db-data").mkdir()
    (root / "db-data" / "table").write_text("rows\n")
    mounts = ("/srv", "/etc/systemd/system")
    with started(root / "hosts", NAMES, mounts) as (hosts, key):
        (root / "ssh_config").write_text(ssh_config(hosts, key))
        for host in hosts:
            # what each host has of its own: its address for the app, its database unit
            data = host.release_dir("web") / "shared" / "data"
            data.mkdir(parents=True)
            (data / "address").write_text(f"{host.name}\n")
            units = host.root / "etc" / "systemd" / "system"
            units.mkdir(parents=True)
            (units / "db.service").write_text(db_unit(host, db_port))
        yield root, hosts


def db_unit(host: Host, port: int) -> str:
    return (
        "[Service]\nWorkingDirectory=/srv/db/current\n"
        f"Environment=BIND_ADDRESS={host.name}\n"
        f'ExecStart=/bin/bash -c "exec {python()} app.py {port}"\n'
    )


def scripts(root: Path, service: str = "web") -> Path:
    return root / "output" / "services" / service / "deploy" / "production"


def env(root: Path, state: str = "state", **extra: str) -> dict[str, str]:
    settings = {
        "DEPLOYPLAN_SSH_CONFIG": str(root / "ssh_config"),
        "DEPLOYPLAN_STATE_DIR": str(root / state),
        "DEPLOYPLAN_PROBE_SECONDS": "5",
        "E2E_RESTIC": PASSWORD,
        "E2E_DB": SECRET,
    }
    return environment(root, **(settings | extra))


def release(root: Path, version: str, *marks: str) -> Path:
    """The artifact of ``version``, with empty files named ``marks`` (``crash``, ``bad``)."""
    folder = root / "artifacts" / version
    if not folder.exists():
        folder.mkdir(parents=True)
        shutil.copy(HERE / "app.py", folder / "app.py")
        (folder / "version").write_text(version)
        for mark in marks:
            (folder / mark).touch()
    return folder


def run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def deploy(
    root: Path, version: str, service: str = "web", *marks: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    artifact = str(release(root, version, *marks))
    return run(scripts(root, service) / "deploy.sh", "--yes", "--version", version,
               "--artifact", artifact, env=env(root, **extra))  # fmt: skip


def answer(host: Host, port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{host.name}:{port}/health", timeout=5) as reply:
            return reply.status, reply.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()
    except OSError:
        return 0, "no answer"


def port(root: Path, service: str) -> int:
    for line in (scripts(root, service) / "lib.sh").read_text().splitlines():
        if line.startswith("SERVICE_PORT="):
            return int(line.split("=")[1])
    raise AssertionError("no SERVICE_PORT")


def current(host: Host, service: str = "web") -> str:
    return (host.release_dir(service) / "current").readlink().name


def releases(host: Host, service: str = "web") -> set[str]:
    return {p.name for p in (host.release_dir(service) / "releases").iterdir()}


def migrations(host: Host) -> str:
    log = host.release_dir("web") / "migrations.log"
    return log.read_text() if log.exists() else ""


def history(host: Host, service: str = "web") -> list[str]:
    return (host.release_dir(service) / "history").read_text().split()


def process_environment(host: Host, unit: str = "web.service") -> dict[str, str]:
    pid = (host.root / "run" / f"{unit}.pid").read_text()
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if p)


def on_disk_here(root: Path, text: str) -> list[Path]:
    """Files of the deploy machine (not of the hosts) that hold ``text``."""
    hosts = root / "hosts"
    return [
        p for p in root.rglob("*")
        if p.is_file() and hosts not in p.parents and text.encode() in p.read_bytes()
    ]  # fmt: skip


def test_a_release_reaches_both_hosts_after_one_migration(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    result = deploy(root, "v1")
    assert result.returncode == 0, result.stderr
    web = port(root, "web")
    assert [answer(h, web) for h in hosts] == [(200, "ok v1")] * 2
    for host in hosts:
        folder = host.release_dir("web")
        assert current(host) == "v1"
        assert (folder / "current" / "installed.txt").read_text() == "installed v1\n"
        assert (folder / "shared" / "deploy.env").read_text() == f"PORT={web}\nVERSION=v1\n"
        assert history(host) == ["v1"]
        # the environment's config files and the secrets, as the unit reads them
        config = folder / "shared" / "config"
        assert (config / "variables.env").read_bytes() == (
            root / "output/services/web/config/production/variables.env"
        ).read_bytes()
        assert stat.S_IMODE((config / "variables.env").stat().st_mode) == 0o640
        assert stat.S_IMODE(config.stat().st_mode) == 0o750
        assert stat.S_IMODE((folder / "shared/secrets.env").stat().st_mode) == 0o600
        assert stat.S_IMODE((folder / "shared/data").stat().st_mode) == 0o750
        running = process_environment(host)
        assert (running["LOG_LEVEL"], running["DB_PASSWORD"]) == ("info", SECRET)
        assert running["BIND_ADDRESS"] == host.name
        # the generated unit, installed on the host
        assert (host.root / "etc/systemd/system/web.service").read_text() == (
            scripts(root) / "web.service"
        ).read_text()
    # once, on the first host, in the new release, before any host ran it
    assert [migrations(h) for h in hosts] == ["v1\n", ""]
    assert (hosts[0].release_dir("web") / "releases/v1/migrated-v1").exists()
    # the secret went over ssh only: no file of the deploy machine holds it
    assert on_disk_here(root, SECRET) == []


def test_a_running_migration_keeps_a_second_one_out(fleet: tuple[Path, list[Host]]) -> None:
    root, hosts = fleet
    lock = hosts[0].release_dir("web") / "migrate.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = deploy(root, "v2")
    assert result.returncode == 1, result.stderr
    assert (
        "deployplan web/production: 127.0.0.11: another migration holds /srv/web/migrate.lock\n"
        in (result.stderr)
    )
    assert "switching" not in result.stderr
    assert [current(h) for h in hosts] == ["v1", "v1"]
    assert [migrations(h) for h in hosts] == ["v1\n", ""]


def test_a_host_failing_its_health_check_returns_every_switched_host(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # v3 answers 500 on the second host only
    (hosts[1].release_dir("web") / "unhealthy-v3").touch()
    result = deploy(root, "v3")
    assert result.returncode == 1, result.stderr
    lines = [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    assert "127.0.0.11: switching to v3" in lines, result.stderr
    assert lines[lines.index("127.0.0.11: switching to v3") :] == [
        "127.0.0.11: switching to v3",
        "127.0.0.12: switching to v3",
        "127.0.0.12: unhealthy after 5s: health",
        "127.0.0.12: the deploy of v3 failed; the rollout stops here",
        "stage deploy failed: returning the switched hosts to their previous release",
        "returning the hosts switched before the failure: 127.0.0.12 127.0.0.11",
        "127.0.0.12: back on v1",
        "127.0.0.11: back on v1",
        "rolled back to v1",
    ]
    web = port(root, "web")
    assert [answer(h, web) for h in hosts] == [(200, "ok v1")] * 2
    assert [history(h) for h in hosts] == [["v1"], ["v1"]]
    last = audit(root)[-1]
    assert (last["version"], last["result"], last["rollback"]["result"]) == (
        "v3",
        "failed",
        "succeeded",
    )


def test_a_gate_on_each_host_checks_its_text_within_its_attempts(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # x1 answers 200 with "ok x1": the gate expects "ok v", three attempts a second apart
    result = deploy(root, "x1")
    assert result.returncode == 1, result.stderr
    lines = [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    assert lines[lines.index("127.0.0.11: switching to x1") :][:4] == [
        "127.0.0.11: switching to x1",
        "127.0.0.11: gate each-host failed after 3 attempts",
        "127.0.0.11: the deploy of x1 failed; the rollout stops here",
        "stage deploy failed: returning the switched hosts to their previous release",
    ]
    web = port(root, "web")
    assert [answer(h, web) for h in hosts] == [(200, "ok v1")] * 2


def test_pruning_follows_deploy_order_and_keeps_the_previous_release(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    for version in ("v4", "v5"):
        result = deploy(root, version)
        assert result.returncode == 0, result.stderr
    # keep_releases 2; v2 and v3 failed and never counted
    assert [releases(h) for h in hosts] == [{"v4", "v5"}] * 2
    assert history(hosts[0]) == ["v1", "v4", "v5"]
    # back to v4 from a runner with no state of its own: the hosts' records say where
    listing = run(scripts(root) / "rollback.sh", "--list", env=env(root, "fresh"))
    assert listing.stdout.splitlines() == [
        f"{name}: current v5, previous v4, deploy order v1 v4 v5" for name in NAMES
    ]
    back = run(scripts(root) / "rollback.sh", "--yes", env=env(root, "fresh"))
    assert back.returncode == 0, back.stderr
    assert [current(h) for h in hosts] == ["v4", "v4"]
    # v4 ran until v6: the previous release, kept although v5 is newer in deploy order
    # and on disk
    result = deploy(root, "v6")
    assert result.returncode == 0, result.stderr
    assert [releases(h) for h in hosts] == [{"v4", "v5", "v6"}] * 2
    assert (hosts[1].release_dir("web") / "previous").read_text() == "v4\n"
    # v1, before v4 in deploy order, is gone: a rollback to it changes nothing
    again = run(scripts(root) / "rollback.sh", "--yes", "--to", "v1", env=env(root, "fresh"))
    assert again.returncode == 5, again.stderr
    assert "127.0.0.11: release v1 is not installed: nothing was changed" in again.stderr
    web = port(root, "web")
    assert [answer(h, web) for h in hosts] == [(200, "ok v6")] * 2


def test_a_data_store_keeps_its_own_unit_is_backed_up_first_and_its_replica_goes_first(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    assert not list(scripts(root, "db").glob("*.service"))
    units = [(h.root / "etc/systemd/system/db.service").read_text() for h in hosts]
    refused = run(scripts(root, "db") / "deploy.sh", "--version", "v1", env=env(root))
    assert refused.returncode == 3, refused.stderr
    result = deploy(root, "v1", "db")
    assert result.returncode == 0, result.stderr
    lines = [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    order = [line for line in lines if "backup" in line or "switching" in line]
    assert order == [
        "backup db_files before anything changes",
        "127.0.0.12: switching to v1",
        "127.0.0.11: switching to v1",
    ]
    snapshots = subprocess.run(
        ["restic", "-r", str(root / "restic"), "snapshots", "--json"],
        env={"RESTIC_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert [s["paths"] for s in json.loads(snapshots.stdout)] == [[str(root / "db-data")]]
    db = port(root, "db")
    assert [answer(h, db) for h in hosts] == [(200, "ok v1")] * 2
    # the hosts' own units run it, untouched
    assert [(h.root / "etc/systemd/system/db.service").read_text() for h in hosts] == units
    stages = [(s["name"], s["result"]) for s in audit(root)[-1]["stages"]]
    assert stages[0] == ("backup", "passed")


def test_a_failed_backup_stops_a_data_store_change_before_anything_changes(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    result = deploy(root, "v2", "db", E2E_RESTIC="not the password")
    assert result.returncode == 1, result.stderr
    assert result.stderr.endswith(
        "deployplan db/production: a backup before the change failed: nothing was changed\n"
    )
    assert [current(h, "db") for h in hosts] == ["v1", "v1"]
    assert [releases(h, "db") for h in hosts] == [{"v1"}] * 2
    last = audit(root)[-1]
    assert (last["version"], last["result"], last["rollback"]["performed"]) == (
        "v2",
        "failed",
        False,
    )


def test_a_worker_that_does_not_stay_active_is_returned(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    result = deploy(root, "w1", "worker")
    assert result.returncode == 0, result.stderr
    assert [current(h, "worker") for h in hosts] == ["w1", "w1"]
    running = process_environment(hosts[0], "worker.service")
    assert (running["LOG_LEVEL"], running["DB_PASSWORD"]) == ("info", SECRET)
    # w2 runs two seconds, then exits: the unit must stay active for five
    result = deploy(root, "w2", "worker", "crash")
    assert result.returncode == 1, result.stderr
    assert "127.0.0.11: worker.service did not stay active for 5s" in result.stderr
    assert "127.0.0.12: switching" not in result.stderr
    assert [current(h, "worker") for h in hosts] == ["w1", "w1"]


def test_a_worker_failing_its_command_indicator_on_the_host_is_returned(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # worker_ready runs in the host's release: w3 has `bad`, the deploy machine does not
    result = deploy(root, "w3", "worker", "bad")
    assert result.returncode == 1, result.stderr
    assert "127.0.0.11: unhealthy after 5s: worker_ready" in result.stderr
    assert [current(h, "worker") for h in hosts] == ["w1", "w1"]


def test_the_scripts_pass_shellcheck(fleet: tuple[Path, list[Host]]) -> None:
    root, _ = fleet
    scripts = sorted(str(p) for p in (root / "output" / "services").rglob("*.sh"))
    shellcheck = [str(Path(sys.executable).parent / "shellcheck"), "-x", "-a", "-f", "gcc"]
    result = subprocess.run([*shellcheck, *scripts], capture_output=True, text=True, check=False)
    assert result.stdout == ""

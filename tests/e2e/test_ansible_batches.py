"""The Ansible rollout's batches and the team's own tasks, for real: ansible-playbook
against four hosts over SSH on 127.0.0.1 (see ``vm_hosts``; only systemd as PID 1 is a
stand-in).

``pair`` rolls out two hosts at a time (``serial: 2``), ``share`` three quarters of them
(``serial: "75%"``: three hosts, then one). An after-switch hook of the team notes each
batch on the controller; a before-switch hook marks the release on each host. A release
that fails on a host of the second batch returns every host switched before it, newest
first, and names them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import HERE, audit, environment, free_port, generate, python, spec
from tests.e2e.vm_hosts import Host, ansible_settings, inventory, started

NAMES = ["app-1", "app-2", "app-3", "app-4"]
SERIAL = {"pair": 2, "share": "75%"}
BEFORE = """\
- name: The release is marked before its switch
  ansible.builtin.copy:
    dest: "{{ dp_root }}/releases/{{ dp_release }}/before-switch"
    content: "{{ inventory_hostname }} {{ dp_release }} {{ dp_root }}/current\\n"
    mode: "0644"
"""
AFTER = """\
- name: The batch is noted on the controller
  run_once: true
  delegate_to: localhost
  become: false
  ansible.builtin.shell:
    cmd: >-
      printf '%s %s\\n' {{ dp_release | quote }} {{ ansible_play_batch | join(',') | quote }}
      >>{{ (deployplan_workdir ~ '/batches-' ~ dp_unit ~ '.log') | quote }}
  changed_when: true
"""


def service(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name}: a tiny HTTP app on four VMs.",
        "kind": "web",
        "owner": "ops",
        "port": 8000,
        "health_path": "/health",
        "user": "root",
        "start_command": f'exec {python()} app.py "$PORT"',
        "targets": {
            "production": {
                "engine": "ansible",
                "hosts": NAMES,
                "release_dir": f"/srv/{name}",
                "serial": SERIAL[name],
                "hooks": {
                    "before_switch": ["hooks/before.yml"],
                    "after_switch": ["hooks/after.yml"],
                },
            }
        },
    }


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Host]]]:
    root = tmp_path_factory.mktemp("batches")
    generate(spec([service(n) for n in SERIAL], env="production"), root)
    (root / "hooks").mkdir()
    (root / "hooks" / "before.yml").write_text(BEFORE)
    (root / "hooks" / "after.yml").write_text(AFTER)
    with started(root / "hosts", NAMES) as (hosts, key):
        for name in SERIAL:
            # each service listens on a port of its own per host (one network here)
            ports = {h.name: free_port() for h in hosts} if name == "share" else None
            text = inventory(scripts(root, name) / "inventory.ini", hosts, key, name, ports)
            (root / f"{name}.ini").write_text(text)
        yield root, hosts


def scripts(root: Path, name: str) -> Path:
    return root / "output" / "services" / name / "deploy" / "production"


def release(root: Path, version: str) -> Path:
    folder = root / "artifacts" / version
    if not folder.exists():
        folder.mkdir(parents=True)
        shutil.copy(HERE / "app.py", folder / "app.py")
        (folder / "version").write_text(version)
    return folder


def deploy(root: Path, name: str, version: str) -> subprocess.CompletedProcess[str]:
    env = environment(
        root,
        DEPLOYPLAN_INVENTORY=str(root / f"{name}.ini"),
        DEPLOYPLAN_PROBE_SECONDS="5",
        **ansible_settings(root),
    )
    return subprocess.run(
        [scripts(root, name) / "deploy.sh", "--yes", "--version", version,
         "--artifact", str(release(root, version))],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
        check=False,
    )  # fmt: skip


def port(root: Path, name: str, host: Host) -> int:
    for line in (root / f"{name}.ini").read_text().splitlines():
        if line.startswith(f"{host.name} "):
            return int(line.rsplit("deployplan_port=", 1)[1])
    raise AssertionError(host.name)


def answer(root: Path, name: str, host: Host) -> tuple[int, str]:
    try:
        url = f"http://127.0.0.1:{port(root, name, host)}/health"
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode().strip()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode().strip()
    except OSError:
        return 0, "no answer"


def batches(root: Path, name: str) -> list[str]:
    return (root / f"batches-{name}.service.log").read_text().splitlines()


def records(host: Host, name: str) -> dict[str, Any]:
    return dict(json.loads((host.release_dir(name) / "releases.json").read_text()))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pair", ["v1 app-1,app-2", "v1 app-3,app-4"]),
        ("share", ["v1 app-1,app-2,app-3", "v1 app-4"]),
    ],
)
def test_batches_follow_serial_and_the_teams_tasks_run_on_every_host(
    fleet: tuple[Path, list[Host]], name: str, expected: list[str]
) -> None:
    root, hosts = fleet
    result = deploy(root, name, "v1")
    assert result.returncode == 0, result.stderr + result.stdout
    assert batches(root, name) == expected
    assert [answer(root, name, h) for h in hosts] == [(200, "ok v1")] * 4
    for host in hosts:
        marked = host.release_dir(name) / "releases" / "v1" / "before-switch"
        assert marked.read_text() == f"{host.name} v1 {host.release_dir(name)}/current\n"


def test_a_failure_in_a_later_batch_returns_every_switched_host_newest_first(
    fleet: tuple[Path, list[Host]],
) -> None:
    root, hosts = fleet
    # runs after the parametrized first deploys, in this module's order
    assert [records(h, "pair")["current"] for h in hosts] == ["v1"] * 4
    # v2 fails its health check on app-4, in the second batch
    (hosts[3].release_dir("pair") / "unhealthy-v2").touch()
    result = deploy(root, "pair", "v2")
    assert result.returncode == 1, result.stderr + result.stdout
    assert "app-4: the deploy of v2 failed and the host is back on v1" in result.stdout
    returned = [line.split(": ", 1)[1] for line in result.stderr.splitlines() if "return" in line]
    assert returned == [
        "stage deploy failed: returning the switched hosts to their previous release",
        "returning the hosts switched before the failure: app-3 app-2 app-1",
        "app-3: returning to its previous release",
        "app-2: returning to its previous release",
        "app-1: returning to its previous release",
    ]
    assert [answer(root, "pair", h) for h in hosts] == [(200, "ok v1")] * 4
    assert [records(h, "pair")["current"] for h in hosts] == ["v1"] * 4
    # the team's after-switch task ran in both batches (on app-3, which passed)
    assert batches(root, "pair")[-2:] == ["v2 app-1,app-2", "v2 app-3,app-4"]
    last = audit(root)[-1]
    assert (last["version"], last["result"], last["rollback"]["result"]) == (
        "v2",
        "failed",
        "succeeded",
    )

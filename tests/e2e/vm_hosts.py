"""Hosts for the VM-engine tests: Debian's sshd on free 127.0.0.1 ports, one per host,
each host a directory root of its own (its releases, units and pid files under it).

Every host is this machine, reached over real SSH; ``systemctl`` on the hosts' PATH is
``tests/e2e/bin/systemctl``, which runs the installed unit's ``ExecStart`` because
systemd is not PID 1 here. Ansible, the connection and every file on the hosts are real.
Where a deploy writes absolute paths (the systemd engine), each login runs in a mount
namespace in which those directories are the host's own (``tests/e2e/bin/host-session``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.helpers import HERE, free_port


@dataclass(frozen=True)
class Host:
    name: str
    root: Path
    ssh_port: int
    app_port: int

    def release_dir(self, service: str) -> Path:
        return self.root / "srv" / service


def _wait_for_port(port: int, limit: float = 20) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise AssertionError(f"sshd never listened on port {port}")


def _sshd_config(host: Host, keys: Path, mounts: tuple[str, ...]) -> Path:
    path = host.root / "sshd_config"
    session = f"ForceCommand {HERE / 'bin' / 'host-session'}\n" if mounts else ""
    path.write_text(
        f"Port {host.ssh_port}\nListenAddress 127.0.0.1\n"
        f"HostKey {keys / 'host_key'}\nAuthorizedKeysFile {keys / 'authorized_keys'}\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        f"PidFile {host.root / 'sshd.pid'}\n"
        f"SetEnv PATH={HERE / 'bin'}:/usr/local/bin:/usr/bin:/bin "
        f"STANDIN_ROOT={host.root} HOST_MOUNTS={':'.join(mounts)}\n"
        "Subsystem sftp /usr/lib/openssh/sftp-server\n" + session
    )
    return path


def _keys(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)],
            check=True,
        )
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    return folder


@contextlib.contextmanager
def started(
    root: Path, names: list[str], mounts: tuple[str, ...] = ()
) -> Iterator[tuple[list[Host], Path]]:
    """``names`` as running hosts, and the client key that logs in to all of them; the
    directories in ``mounts`` are each host's own, under its root."""
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    keys = _keys(root / "keys")
    hosts = [Host(n, root / n, free_port(), free_port()) for n in names]
    daemons = []
    try:
        for host in hosts:
            host.root.mkdir()
            config = _sshd_config(host, keys, mounts)
            with (host.root / "sshd.log").open("w") as log:
                command = ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)]
                daemons.append(subprocess.Popen(command, stderr=log))
        for host in hosts:
            _wait_for_port(host.ssh_port)
        yield hosts, keys / "client_key"
    finally:
        for daemon in daemons:
            daemon.terminate()
            daemon.wait(timeout=10)
        for pid_file in root.glob("*/run/*.pid"):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)


def ssh_config(hosts: list[Host], key: Path) -> str:
    """An ssh_config in which each host's name reaches its sshd as root, over one
    connection per host that the deploy's many commands share."""
    return "".join(
        f"Host {host.name}\n    HostName 127.0.0.1\n    Port {host.ssh_port}\n    User root\n"
        f"    IdentityFile {key}\n    IdentitiesOnly yes\n    StrictHostKeyChecking no\n"
        "    UserKnownHostsFile /dev/null\n    LogLevel ERROR\n"
        "    ControlMaster auto\n    ControlPath /tmp/deployplan-e2e-%C\n    ControlPersist 20s\n"
        for host in hosts
    )


def ansible_settings(root: Path) -> dict[str, str]:
    """How ansible-playbook reaches the hosts: every task's module piped into the host's
    Python on one SSH connection per host that all tasks share (no temporary module files,
    no second login), and files sent over that connection too (``piped``: no sftp-server
    per transfer). Settings a user may pick as well; nothing of the rollout changes."""
    return {
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PIPELINING": "1",
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=30s",
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(root / "cp"),
        "ANSIBLE_SSH_TRANSFER_METHOD": "piped",
    }


def inventory(
    generated: Path, hosts: list[Host], key: Path, service: str, ports: dict[str, int] | None = None
) -> str:
    """The generated inventory with each host reached over its sshd, its paths under its
    own root and its app on a port of its own (the hosts share one network here): the
    host's ``app_port``, or ``ports[host name]``."""
    lines = []
    by_name = {h.name: h for h in hosts}
    for line in generated.read_text().splitlines():
        host = by_name.get(line.strip())
        if host is None:
            lines.append(line)
            continue
        lines.append(
            f"{host.name} ansible_host=127.0.0.1 ansible_port={host.ssh_port} "
            f"deployplan_release_dir={host.release_dir(service)} "
            f"deployplan_unit_dir={host.root / 'etc' / 'systemd' / 'system'} "
            f"deployplan_port={(ports or {}).get(host.name, host.app_port)}"
        )
    lines += [
        "",
        "[all:vars]",
        "ansible_user=root",
        f"ansible_ssh_private_key_file={key}",
        "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'",
        "ansible_python_interpreter=/usr/bin/python3",
        # root already: there is no sudo on this machine
        "ansible_become=false",
    ]
    return "\n".join(lines) + "\n"

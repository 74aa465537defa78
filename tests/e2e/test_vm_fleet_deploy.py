"""The VM reference system, ``specs/examples/vm-fleet.yaml``, deployed for real: the
generated ``deploy.sh`` of ``web`` in staging runs ``ansible-playbook`` over SSH against
the example's two staging web hosts (``vm_hosts``: Debian's sshd on 127.0.0.1, each host
a directory root of its own).

Real: the generated scripts, playbook, unit, config files and secrets file; Ansible and
SSH; the service user ``boxoffice``, who installs and migrates the release (the hosts
share this machine's users, so the test adds it beforehand with the playbook's own
``useradd`` arguments, and removes it after); the example's ``install_command``
(``python3 -m venv`` and ``pip install --no-index`` from the release's wheelhouse), its
migration stage, its ``start_command`` and the per-host ``/healthz/ready/`` gate.

The release is built here, offline: a tiny ``boxoffice-web`` wheel (``pip wheel`` with
the test extras' setuptools and wheel) whose ``boxoffice.wsgi`` module and ``gunicorn`` console
script are the standard library's HTTP server, answering the health paths, and a
``manage.py`` whose ``collectstatic`` and ``migrate`` leave marks in the release.

Stood in or left out: systemd as PID 1 (``tests/e2e/bin/systemctl`` runs the unit);
Vault, switched by an overlay (``-f``) to the ``ci`` provider so that the secrets come
from the deploy's environment; the nginx proxy machine (left out of the inventory);
the stages CI runs before a deploy (``--skip build``, ``--skip test``) and the verify
stage's k6, Playwright and ZAP scenarios (``--skip verify``); and Prometheus, whose one
answer (an error rate of 0) the ``error_rate_normal`` gate after verify reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, run_cli
from tests.e2e.helpers import audit, environment
from tests.e2e.vm_hosts import Host, ansible_settings, inventory, started

SPEC = ROOT / "specs" / "examples" / "vm-fleet.yaml"
NAMES = ["app-1.stg.fra1.boxoffice.internal", "app-2.stg.fra1.boxoffice.internal"]
VERSION = "v1.4.0"
USER = "boxoffice"  # the example's web user
# Characters that a naive env file or a shell would mangle.
DB_PASSWORD = 'p@ss "w$rd" `x` \\ end'

SETUP = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "boxoffice-web"
version = "1.4.0"

[project.scripts]
gunicorn = "boxoffice.server:main"

[tool.setuptools]
packages = ["boxoffice", "boxoffice.settings"]
"""
SERVER = '''\
"""gunicorn's command line, enough of it: --bind HOST:PORT and the WSGI module."""

import importlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    args = sys.argv[1:]
    host, port = args[args.index("--bind") + 1].rsplit(":", 1)
    app = importlib.import_module(args[-1])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = app.answer(self.path)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body.encode())

    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
'''
WSGI = """\
import os


def answer(path):
    if path.startswith("/healthz/"):
        return 200, "ok " + os.environ.get("VERSION", "") + "\\n"
    return 404, "not found\\n"
"""
MANAGE = """\
import os
import sys

command = sys.argv[1]
if command == "collectstatic":
    os.makedirs("static", exist_ok=True)
    with open("static/collected", "w") as mark:
        mark.write(sys.argv[-1] + "\\n")
elif command == "migrate":
    with open("migrated-" + os.environ["VERSION"], "w") as mark:
        mark.write(os.environ.get("DATABASE_HOST", "") + "\\n")
else:
    sys.exit("unknown command " + command)
"""


def overlay(root: Path) -> Path:
    """Every secret of the example from a CI variable (BOXOFFICE_<NAME>) instead of Vault."""
    document = yaml.safe_load(SPEC.read_text())
    secrets = document["configuration_management"]["secrets_management"]["secrets"]
    ci = {
        "provider": "ci",
        "address": None,
        "mount": None,
        "namespace": None,
        "secrets": [{"name": s["name"], "path": variable(s["name"])} for s in secrets],
    }
    path = root / "ci-secrets.yaml"
    path.write_text(yaml.safe_dump({"configuration_management": {"secrets_management": ci}}))
    return path


def variable(secret: str) -> str:
    return "BOXOFFICE_" + secret.upper().replace("-", "_")


def artifact(root: Path) -> Path:
    """The release archive the example's install_command expects: the checkout (here only
    manage.py) with a wheelhouse holding the application's wheel."""
    source = root / "src"
    (source / "boxoffice" / "settings").mkdir(parents=True)
    (source / "pyproject.toml").write_text(SETUP)
    (source / "boxoffice" / "__init__.py").write_text("")
    (source / "boxoffice" / "settings" / "__init__.py").write_text("")
    (source / "boxoffice" / "server.py").write_text(SERVER)
    (source / "boxoffice" / "wsgi.py").write_text(WSGI)
    release = root / "artifact"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(release / "wheelhouse"), str(source)],
        capture_output=True, text=True, check=False, env={**os.environ, "PIP_NO_CACHE_DIR": "1"},
    )  # fmt: skip
    assert build.returncode == 0, build.stderr + build.stdout
    (release / "manage.py").write_text(MANAGE)
    return release


@contextlib.contextmanager
def prometheus() -> Iterator[tuple[str, list[str]]]:
    """Prometheus's query API, one answer: 0."""
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            queries.append(self.path)
            body = {"status": "success", "data": {"resultType": "vector",
                    "result": [{"metric": {}, "value": [0, "0"]}]}}  # fmt: skip
            self.send_response(200)
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", queries
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    # the service user reaches the release by its absolute path (the venv's scripts):
    # every folder above the hosts lets others pass, unlike pytest's own 0700 tmp folders
    folder = Path(tempfile.mkdtemp(prefix="deployplan-vm-fleet-"))
    folder.chmod(0o711)
    added = subprocess.run(["id", "-u", USER], capture_output=True, check=False).returncode != 0
    if added:
        subprocess.run(["/usr/sbin/useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", USER], check=True)  # fmt: skip
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if added:
            subprocess.run(["/usr/sbin/userdel", USER], check=False)


def on_host(host: Host) -> Path:
    """The example's release_dir, /srv/boxoffice/web, under the host's root."""
    return host.root / "srv" / "boxoffice" / "web"


def answer(port: int) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/ready/", timeout=5) as reply:
        return reply.status, reply.read().decode().strip()


def process_environment(host: Host) -> dict[str, str]:
    pid = (host.root / "run" / "web.service.pid").read_text()
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if p)


def test_the_examples_web_rollout_reaches_both_staging_hosts(root: Path) -> None:
    out = root / "output"
    result = run_cli("generate", str(SPEC), "-f", str(overlay(root)), "--out", str(out),
                     "--docs", str(root / "docs"), "--env", "staging", "--service", "web",
                     "--only", "deploy", "--only", "configuration")  # fmt: skip
    assert result.exit_code == 0, result.output
    scripts = out / "services" / "web" / "deploy" / "staging"
    release = artifact(root)
    secrets = {
        variable("db-app-password"): json.dumps({"password": DB_PASSWORD}),
        variable("redis-password"): json.dumps({"password": "redis-secret"}),
        variable("django-secret-key"): json.dumps({"secret_key": "django-secret"}),
        variable("payment-api-key"): json.dumps({"api_key": "payment-secret"}),
    }
    with started(root / "hosts", NAMES) as (hosts, key), prometheus() as (url, queries):
        text = inventory(scripts / "inventory.ini", hosts, key, "web")
        for host in hosts:
            text = text.replace(
                f"deployplan_release_dir={host.release_dir('web')} ",
                f"deployplan_release_dir={on_host(host)} ",
            )
        # no nginx machine here: the proxy play has no host
        text = text.replace("proxy-1.stg.fra1.boxoffice.internal\n", "")
        (root / "inventory.ini").write_text(text)
        env = environment(
            root,
            DEPLOYPLAN_INVENTORY=str(root / "inventory.ini"),
            DEPLOYPLAN_PROBE_SECONDS="15",
            DEPLOYPLAN_PROMETHEUS_URL=url,
            **ansible_settings(root),
            **secrets,
        )
        deploy = subprocess.run(
            [str(scripts / "deploy.sh"), "--yes", "--version", VERSION, "--artifact",
             str(release), "--skip", "build", "--skip", "test", "--skip", "verify"],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        assert deploy.returncode == 0, deploy.stderr + deploy.stdout
        # each host serves the new release on its own port, from the example's gunicorn
        assert [answer(h.app_port) for h in hosts] == [(200, f"ok {VERSION}")] * 2
        for host in hosts:
            folder = on_host(host)
            assert (folder / "current").readlink() == Path(f"releases/{VERSION}")
            installed = folder / "releases" / VERSION
            assert (installed / ".venv" / "bin" / "gunicorn").exists()
            assert (installed / "static" / "collected").read_text() == "boxoffice.settings.build\n"
            assert pwd.getpwuid((installed / ".venv").stat().st_uid).pw_name == USER
            # the config file of the example, with staging's values
            settings = (folder / "shared" / "config" / "boxoffice.toml").read_text()
            assert "seat_hold_minutes = 12" in settings
            assert "waiting_room = false" in settings
            running = process_environment(host)
            assert running["ALLOWED_HOSTS"] == "staging.boxoffice.example.com"
            assert running["DJANGO_SETTINGS_MODULE"] == "boxoffice.settings.production"
            assert running["DATABASE_PASSWORD"] == DB_PASSWORD
            assert running["DJANGO_SECRET_KEY"] == "django-secret"
            assert (running["PORT"], running["VERSION"]) == (str(host.app_port), VERSION)
            assert running["DEPLOYPLAN_CONFIG_DIR"] == "/srv/boxoffice/web/shared/config"
        # the migration ran once, on the first host, in the new release, with the config
        migrated = [h.name for h in hosts if (on_host(h) / "releases" / VERSION /
                                              f"migrated-{VERSION}").exists()]  # fmt: skip
        assert migrated == [NAMES[0]]
        mark = on_host(hosts[0]) / "releases" / VERSION / f"migrated-{VERSION}"
        assert mark.read_text() == "db-1.stg.fra1.boxoffice.internal\n"
        assert len(queries) == 1 and "nginx_http_requests_total" in queries[0]
    last = audit(root)[-1]
    assert (last["version"], last["result"]) == (VERSION, "succeeded")

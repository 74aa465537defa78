"""What the VM engines generate, checked by the tools that read it: systemd-analyze on
the units, Debian's nginx -t on the sites (with throw-away certificates made here),
shellcheck and bash -n on the scripts; and what a data store's scripts leave out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import environment, generate, run, spec

BIN = Path(sys.executable).parent


def _service(name: str, kind: str, hosts: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"The {name} service: 100% hardened.",
        "kind": kind,
        "owner": "ops",
        "targets": {
            "production": {"engine": "ansible", "hosts": hosts, "release_dir": f"/srv/{name}"}
        },
        **extra,
    }


def document(certificates: Path) -> dict[str, Any]:
    web = _service(
        "web", "web", ["127.0.0.1", "localhost"], port=8000, health_path="/healthz",
        user="www-data", start_command='exec .venv/bin/gunicorn --bind "0.0.0.0:$PORT" app.wsgi',
        reload_command="kill -HUP $MAINPID",
        install_command="python3 -m venv .venv && .venv/bin/pip install --no-index *.whl",
    )  # fmt: skip
    worker = _service("worker", "worker", ["127.0.0.1"], user="www-data",
                      start_command="exec .venv/bin/celery -A app worker")  # fmt: skip
    db = _service("db", "database", ["127.0.0.1", "localhost"], port=5432)
    db["targets"]["production"]["unit"] = "postgresql@15-main.service"
    document = spec([web, worker, db], env="production")
    network = document["environments"]["production"]["infrastructure"]
    network["network_configuration"] = {
        "ingresses": [
            {"host": "www.example.com", "service": "web"},
            {"host": "www.example.com", "service": "web", "path": "/static;{x}"},
        ],
        "reverse_proxy": {"certificate_dir": str(certificates), "client_max_body_size": "25Mi"},
    }
    return document


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vm")
    certificates = root / "certs"
    certificates.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=www.example.com", "-keyout", str(certificates / "www.example.com.key"),
         "-out", str(certificates / "www.example.com.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    return generate(document(certificates), root, "deploy", "configuration")


def folder(out: Path, service: str) -> Path:
    return out / "services" / service / "deploy" / "production"


def test_units_verify_clean_and_are_hardened(out: Path) -> None:
    units = [folder(out, "web") / "web.service", folder(out, "worker") / "worker.service"]
    for unit in units:
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                                capture_output=True, text=True, check=False)  # fmt: skip
        assert (verify.returncode, verify.stderr) == (0, ""), unit
        security = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", str(unit)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", security.stdout)
        assert exposure is not None, security.stdout + security.stderr
        assert float(exposure.group(1)) <= 2.0 and exposure.group(2) == "OK", security.stdout
    text = units[0].read_text()
    start = 'ExecStart=/bin/bash -c "exec .venv/bin/gunicorn --bind \\"0.0.0.0:$$PORT\\" app.wsgi"'
    assert start in text
    assert 'ExecReload=/bin/bash -c "kill -HUP $$MAINPID"' in text
    assert "Description=web (production): The web service: 100%% hardened." in text
    assert "WorkingDirectory=/srv/web/current\n" in text
    # the unit's state directory is the project's: /var/lib/e2e/web
    assert "\nStateDirectory=e2e/web\n" in text
    # a data store runs under its own unit: none is generated for it
    assert not list(folder(out, "db").glob("*.service"))


def test_the_nginx_site_passes_nginx_t(out: Path, tmp_path: Path) -> None:
    site = folder(out, "web") / "web-production.conf"
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {site};\n}}\n"
    )
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(config)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = site.read_text()
    assert "    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n" in text
    assert "    server localhost:8000 max_fails=3 fail_timeout=10s;\n" in text
    assert "    ssl_protocols TLSv1.2 TLSv1.3;\n" in text
    assert "    client_max_body_size 25m;\n" in text
    assert '    location "/static;{x}" {\n' in text
    hsts = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
    assert hsts in text


def test_vm_scripts_pass_shellcheck_and_bash_n(out: Path) -> None:
    scripts = sorted(str(p) for p in out.rglob("*.sh"))
    for script in scripts:
        subprocess.run(["bash", "-n", script], check=True)
    result = subprocess.run([str(BIN / "shellcheck"), "-x", "-a", "-f", "gcc", *scripts],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.stdout == ""


def test_deploy_all_leaves_the_data_store_out_unless_asked(out: Path, tmp_path: Path) -> None:
    script = out / "environments" / "production" / "deploy-all.sh"
    result = run(script, "--dry-run", "--version", "v1", env=environment(tmp_path))
    left_out = "leaving out db: a data store (--include-stateful deploys it)"
    assert f"deployplan production: {left_out}\n" in result.stderr
    assert "db/production" not in result.stderr
    included = run(script, "--dry-run", "--include-stateful", "--version", "v1",
                   env=environment(tmp_path))  # fmt: skip
    assert "deployplan db/production: deploying v1" in included.stderr


def test_a_data_store_rolls_out_one_host_at_a_time_replicas_first(out: Path) -> None:
    playbook = (folder(out, "db") / "playbook.yml").read_text()
    batches = "  serial: \"{{ 1 if deployplan_action in ['deploy', 'rollback'] else '100%' }}\"\n"
    assert batches + "  order: reverse_inventory\n" in playbook
    web = (folder(out, "web") / "playbook.yml").read_text()
    assert batches + "  order: inventory\n" in web

"""The VM reference system, ``specs/examples/vm-fleet.yaml``, checked by the tools that read
its artifacts: it validates with no finding; every systemd unit passes ``systemd-analyze
verify``; every nginx site passes Debian's ``nginx -t`` (with throw-away certificates, and
the fleet's internal host names mapped to loopback addresses, since nothing resolves them
here); the playbooks pass ``ansible-playbook --syntax-check``; the scripts pass ``bash -n``
and shellcheck; the GitLab pipelines match GitLab's schema.

The rollout itself runs for real in ``test_ansible.py``; this file proves that what the
example generates is what those tools accept, and that the example's settings reach it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.validate import validate_file
from tests.conftest import ROOT, run_cli
from tests.e2e.helpers import environment, run
from tests.targets.pipelines_helpers import gitlab_scripts

SPEC = ROOT / "specs" / "examples" / "vm-fleet.yaml"
BIN = Path(sys.executable).parent
ENVIRONMENTS = ("development", "staging", "production", "dr")


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False
    )


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    assert found is not None, f"{name} is not installed"
    return found


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vm-fleet")
    result = run_cli("generate", str(SPEC), "--out", str(root / "output"),
                     "--docs", str(root / "docs"))  # fmt: skip
    assert result.exit_code == 0, result.output
    return root / "output"


def test_the_example_validates_without_a_finding() -> None:
    result = validate_file(SPEC, "specs/examples/vm-fleet.yaml")
    assert result.ok
    assert result.diagnostics == []


def test_the_golden_case_renders_the_example() -> None:
    golden = ROOT / "tests" / "golden" / "vm-fleet" / "spec.yaml"
    assert golden.read_bytes() == SPEC.read_bytes(), "copy the example to the golden case"


# ── systemd ─────────────────────────────────────────────────────────────────────────


def _units(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.suffix in (".service", ".timer"))


def test_units_run_the_apps_and_leave_the_data_stores_to_their_own(out: Path) -> None:
    deploy_units = sorted(
        p.relative_to(out).as_posix() for p in _units(out) if p.parent.parent.name == "deploy"
    )
    assert deploy_units == sorted(
        f"services/{service}/deploy/{env}/{service}.service"
        for service in ("web", "worker")
        for env in ENVIRONMENTS
    )
    web = (out / "services/web/deploy/production/web.service").read_text()
    start = (
        'ExecStart=/bin/bash -c "exec .venv/bin/gunicorn --bind \\"0.0.0.0:$$PORT\\" --workers 5'
        ' --timeout 30 --graceful-timeout 25 --access-logfile - boxoffice.wsgi"\n'
    )
    assert start in web
    assert 'ExecReload=/bin/bash -c "kill -HUP $$MAINPID"\n' in web
    assert "\nUser=boxoffice\nGroup=boxoffice\n" in web
    assert "\nWorkingDirectory=/srv/boxoffice/web/current\n" in web
    assert "\nMemoryMax=6442450944\nCPUQuota=400%\n" in web
    assert "\nReadWritePaths=-/srv/boxoffice/media\n" in web


def test_every_unit_passes_systemd_analyze_verify(out: Path, tmp_path: Path) -> None:
    units = _units(out)
    # 8 app units; 8 backup schedules, a DR drill and 3 compliance probes, unit and timer
    assert len(units) == 32
    for index, folder in enumerate(sorted({unit.parent for unit in units})):
        copies = tmp_path / str(index)
        copies.mkdir()
        for unit in (u for u in units if u.parent == folder):
            text = unit.read_text()
            # backup, drill and probe scripts are installed under /opt; here they sit beside
            # the copies, as the generated scripts next to their systemd/ folder
            for script in re.findall(r"^ExecStart=(/opt/\S+)$", text, re.M):
                name = Path(script).name
                shutil.copy(folder.parent / name, copies / name)
                (copies / name).chmod(0o755)
                text = text.replace(f"ExecStart={script}\n", f"ExecStart={copies / name}\n")
            (copies / unit.name).write_text(text)
        files = sorted(copies.glob("*.service")) + sorted(copies.glob("*.timer"))
        verify = _run(_tool("systemd-analyze"), "verify", "--man=no", *files)
        assert (verify.returncode, verify.stderr) == (0, ""), folder


def test_every_service_unit_is_hardened(out: Path) -> None:
    for unit in (u for u in _units(out) if u.suffix == ".service"):
        security = _run(_tool("systemd-analyze"), "security", "--offline=true", unit)
        exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", security.stdout)
        assert exposure is not None, security.stdout + security.stderr
        assert float(exposure[1]) <= 2.0, f"{unit}: {exposure[0]}"


# ── nginx ───────────────────────────────────────────────────────────────────────────


def _certificates(hosts: set[str], folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for host in sorted(hosts):
        if (folder / f"{host}.crt").exists():
            continue
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", f"/CN={host}", "-keyout", str(folder / f"{host}.key"),
             "-out", str(folder / f"{host}.crt")],
            check=True, capture_output=True,
        )  # fmt: skip


def _testable(site: str, certificates: Path) -> str:
    """The site with its certificates in ``certificates`` and each upstream host on its
    own loopback address: nginx resolves upstream names when it loads the configuration."""
    site = re.sub(r"(ssl_certificate(?:_key)? )/etc/ssl/boxoffice/", rf"\1{certificates}/", site)
    hosts = sorted(set(re.findall(r"^    server ([a-z0-9.-]+):\d+ ", site, re.M)))
    for index, host in enumerate(hosts, 1):
        site = site.replace(f"    server {host}:", f"    server 127.0.0.{index}:")
    return site


def test_every_nginx_site_passes_nginx_t(out: Path, tmp_path: Path) -> None:
    sites = sorted(out.glob("services/*/deploy/*/*.conf"))
    assert [p.relative_to(out).as_posix() for p in sites] == [
        f"services/web/deploy/{env}/web-{env}.conf" for env in sorted(ENVIRONMENTS)
    ]
    certificates = tmp_path / "certs"
    for site in sites:
        text = site.read_text()
        _certificates(set(re.findall(r"/etc/ssl/boxoffice/(\S+)\.crt;", text)), certificates)
        (tmp_path / site.name).write_text(_testable(text, certificates))
        config = tmp_path / "nginx.conf"
        config.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
            f"http {{\n    access_log off;\n    include {tmp_path / site.name};\n}}\n"
        )
        result = _run(_tool("nginx"), "-t", "-p", tmp_path, "-c", config)
        assert result.returncode == 0, f"{site}: {result.stderr}"


def test_the_production_site_fronts_the_four_app_vms(out: Path) -> None:
    folder = out / "services/web/deploy/production"
    site = (folder / "web-production.conf").read_text()
    backends = re.findall(r"^    server (\S+) max_fails=3 fail_timeout=10s;$", site, re.M)
    assert backends == [f"app-{n}.prod.fra1.boxoffice.internal:8000" for n in range(1, 5)]
    assert re.findall(r"^    server_name (\S+);$", site, re.M) == [
        "api.boxoffice.example.com", "api.boxoffice.example.com",
        "www.boxoffice.example.com", "www.boxoffice.example.com",
    ]  # fmt: skip
    assert '    location "/api/" {\n' in site and '    location "/" {\n' in site
    assert "    client_max_body_size 20m;\n" in site
    assert "        proxy_connect_timeout 3s;\n        proxy_send_timeout 30s;\n" in site
    inventory = (folder / "inventory.ini").read_text()
    proxies = (
        "[web_proxy]\nproxy-1.prod.fra1.boxoffice.internal\nproxy-2.prod.fra1.boxoffice.internal\n"
    )
    assert proxies in inventory


# ── Ansible ─────────────────────────────────────────────────────────────────────────


def test_the_playbooks_pass_ansible_syntax_check(out: Path) -> None:
    # one environment's of each service: the others differ in values only
    playbooks = sorted(out.glob("services/*/deploy/production/playbook.yml"))
    assert len(playbooks) == 4
    for playbook in playbooks:
        result = _run(_tool("ansible-playbook"), "--syntax-check",
                      "-i", playbook.parent / "inventory.ini", "-e", "deployplan_action=deploy",
                      playbook)  # fmt: skip
        assert result.returncode == 0, f"{playbook}: {result.stdout}{result.stderr}"


class _Unsafe(yaml.SafeLoader):
    """Reads Ansible's ``!unsafe`` strings as plain strings."""


def _unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_Unsafe.add_constructor("!unsafe", _unsafe)


def _play_vars(playbook: Path) -> dict[str, object]:
    """The rollout play's batches, order and variables."""
    plays = yaml.load(playbook.read_text(), Loader=_Unsafe)
    rollout = next(play for play in plays if play["name"].startswith("Roll out"))
    return {"serial": rollout["serial"], "order": rollout["order"], **rollout["vars"]}


def test_the_rollouts_carry_the_example_settings(out: Path) -> None:
    web = _play_vars(out / "services/web/deploy/production/playbook.yml")
    assert web["serial"] == "{{ 1 if deployplan_action in ['deploy', 'rollback'] else '100%' }}"
    assert web["order"] == "inventory"
    assert str(web["dp_install"]).startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert web["dp_install_timeout"] == "300"
    assert web["dp_migrate"] == (
        "if [ -f manage.py ]; then .venv/bin/python manage.py migrate --noinput; fi"
    )
    assert web["dp_hooks_after"] == ["ansible/web-warm-cache.yml"]
    assert web["dp_keep"] == 5
    assert web["dp_secret_names"] == [
        "DATABASE_PASSWORD", "DJANGO_SECRET_KEY", "PAYMENT_API_KEY", "REDIS_PASSWORD"
    ]  # fmt: skip
    playbook = (out / "services/web/deploy/production/playbook.yml").read_text()
    for probe in ("web_http", "web_ready_on_host"):
        assert f'        - name: "This host answers {probe}"\n' in playbook
    assert 'dp_url: !unsafe "http://{host}:{port}/healthz/ready/"' in playbook
    db = _play_vars(out / "services/db/deploy/production/playbook.yml")
    assert (db["order"], db["dp_unit"], db["dp_unit_file"], db["dp_user"]) == (
        "reverse_inventory", "postgresql@15-main.service", False, "postgres"
    )  # fmt: skip
    # PostgreSQL runs as postgres under its own unit: the delivered config is its group's
    delivery = _task(
        out / "services/db/deploy/production/playbook.yml", "Config files are delivered"
    )
    copy = delivery["ansible.builtin.copy"]
    assert (copy["owner"], copy["group"], copy["mode"], copy["directory_mode"]) == (
        "root", "{{ dp_user }}", "0640", "0750"
    )  # fmt: skip
    # the gate checked on each web host keeps its retries (10), interval (3s) and deadline (1m)
    gate = _task(
        out / "services/web/deploy/production/playbook.yml", "This host answers web_ready_on_host"
    )
    limit = "{{ [10, (deployplan_probe_limit | default('') | int(60)) // 3] | min }}"
    assert (gate["retries"], gate["delay"]) == (limit, 3)
    # the worker has no port: its unit must stay active after the restart
    worker = (out / "services/worker/deploy/production/playbook.yml").read_text()
    assert '        - name: "The unit stays active for 5s"\n' in worker


def _task(playbook: Path, name: str) -> dict[str, Any]:
    """The first task named ``name`` of the rollout play, blocks searched too."""
    plays = yaml.load(playbook.read_text(), Loader=_Unsafe)
    rollout = next(play for play in plays if play["name"].startswith("Roll out"))
    tasks = list(rollout["tasks"])
    while tasks:
        task = tasks.pop(0)
        if task.get("name") == name:
            return dict(task)
        tasks[:0] = task.get("block", []) + task.get("rescue", [])
    raise AssertionError(f"{playbook}: no task {name!r}")


def test_deploy_all_leaves_postgresql_and_redis_out(out: Path, tmp_path: Path) -> None:
    script = out / "environments/production/deploy-all.sh"
    # a fixed day outside the example's freeze windows, whatever the date of the run
    outside_freezes = environment(tmp_path, DEPLOYPLAN_NOW="1788000000")  # 2026-08-29
    result = run(script, "--dry-run", "--version", "v1.4.0", env=outside_freezes)
    assert result.returncode == 0, result.stderr
    for store in ("db", "cache"):
        left_out = f"leaving out {store}: a data store (--include-stateful deploys it)"
        assert f"deployplan production: {left_out}\n" in result.stderr
    assert "deployplan web/production: deploying v1.4.0" in result.stderr
    assert "deployplan worker/production: deploying v1.4.0" in result.stderr


# ── scripts and pipelines ───────────────────────────────────────────────────────────


def test_scripts_pass_bash_n_and_shellcheck(out: Path) -> None:
    scripts = sorted(out.rglob("*.sh"))
    for script in scripts:
        parsed = _run("bash", "-n", script)
        assert parsed.returncode == 0, f"{script}: {parsed.stderr}"
    # the environments differ in values only, and the worker's and Redis's scripts have the
    # shapes of web's and PostgreSQL's: shellcheck one of each
    others = r"^(services/[a-z]+/[a-z]+|environments|monitoring)/(development|staging|dr)/"
    others += r"|^services/(worker|cache)/"
    checked = [s for s in scripts if not re.search(others, s.relative_to(out).as_posix())]
    assert len(checked) < len(scripts)
    result = _run(BIN / "shellcheck", "-x", "-a", "-f", "gcc", *checked)
    assert result.stdout == ""


def test_gitlab_pipelines_match_the_schema_and_their_scripts_pass_shellcheck(
    out: Path, tmp_path: Path
) -> None:
    pipelines = sorted(out.glob("services/*/pipelines/.gitlab-ci.yml"))
    assert len(pipelines) == 4
    result = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", *pipelines)
    assert result.returncode == 0, result.stdout + result.stderr
    problems = []
    for index, (job, script) in enumerate(
        item
        for pipeline in pipelines
        for item in gitlab_scripts(yaml.safe_load(pipeline.read_text()))
    ):
        path = tmp_path / f"{index}.sh"
        path.write_text(script + "\n")
        checked = _run(BIN / "shellcheck", "--shell", "sh", "--severity", "style", path)
        if checked.returncode != 0:
            problems.append(f"{job}:\n{checked.stdout}")
    assert problems == []

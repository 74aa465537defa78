"""The probes that verify claims on the running system: shellcheck, --help, --dry-run, and
runs against a local TLS server and stand-ins for kubectl and restic."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.targets import compliance
from tests.compliance.helpers import audit
from tests.conftest import ROOT
from tests.targets.operations_helpers import fake_tool, render_family, run, shellcheck, tool

SHOP = ROOT / "specs" / "deployplan.yaml"
JA = ROOT / "specs" / "examples" / "ja.yaml"
PROBES = "compliance/probes"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(compliance.plan, SHOP, tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def ja(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_family(compliance.plan, JA, tmp_path_factory.mktemp("ja"))


def _probes(files: dict[str, Path]) -> dict[str, Path]:
    return {p: f for p, f in files.items() if p.startswith(PROBES) and p.endswith(".sh")}


def test_each_probe_passes_shellcheck_and_has_help(
    shop: dict[str, Path], ja: dict[str, Path]
) -> None:
    scripts = {**_probes(shop), **_probes(ja)}
    assert sorted(_probes(shop)) == [
        f"{PROBES}/dr/network-policies.sh",
        f"{PROBES}/dr/tls-probe.sh",
        f"{PROBES}/production/network-policies.sh",
        f"{PROBES}/production/tls-probe.sh",
    ]
    assert f"{PROBES}/production/backup-recency.sh" in scripts
    checked = shellcheck(list(scripts.values()))
    assert checked.returncode == 0, checked.stdout
    for script in scripts.values():
        helped = run(script, "--help")
        assert helped.returncode == 0
        assert helped.stdout.startswith(f"Usage: {script.name} [--dry-run] [--help]\n")
        wrong = run(script, "--force")
        assert wrong.returncode == 2
        assert wrong.stderr.startswith(f"{script.name}: unknown option --force\n")


def test_a_dry_run_prints_each_command(shop: dict[str, Path]) -> None:
    done = run(shop[f"{PROBES}/production/tls-probe.sh"], "--dry-run")
    assert done.returncode == 0, done.stderr
    connect = "-connect api.shop.example.com:443 -servername api.shop.example.com"
    assert done.stdout.splitlines()[:2] == [
        f"+ openssl s_client {connect} -tls1_2",
        f"+ openssl s_client {connect} -tls1_1 -cipher DEFAULT:@SECLEVEL=0",
    ]
    policies = run(shop[f"{PROBES}/production/network-policies.sh"], "--dry-run")
    get = "+ kubectl --context shop-production get networkpolicy"
    assert policies.stdout.splitlines() == [
        f"{get} storefront --namespace shop -o name",
        f"{get} orders-api --namespace shop -o name",
        f"{get} payments --namespace payments -o name",
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    made = run(
        tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=shop.example.com", "-keyout", key, "-out", cert,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return key, cert


def _server(certificate: tuple[Path, Path], *options: str) -> Iterator[int]:
    port = _free_port()
    key, cert = certificate
    command = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-quiet"]
    command += ["-cert", str(cert), "-key", str(key), *options]
    server = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        yield port
    finally:
        server.terminate()
        server.wait()


@pytest.fixture
def modern_server(certificate: tuple[Path, Path]) -> Iterator[int]:
    yield from _server(certificate, "-tls1_2")


@pytest.fixture
def legacy_server(certificate: tuple[Path, Path]) -> Iterator[int]:
    yield from _server(certificate, "-cipher", "DEFAULT:@SECLEVEL=0")


def _tls_probe(shop: dict[str, Path], port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEPLOYPLAN_TLS_ADDRESS": "127.0.0.1", "DEPLOYPLAN_TLS_PORT": str(port)}
    return run(shop[f"{PROBES}/dr/tls-probe.sh"], env=env)


def _logged(stderr: str) -> list[str]:
    """Log lines without their timestamp."""
    return [line.split(" ", 1)[1] for line in stderr.splitlines()]


def test_the_tls_probe_passes_a_server_refusing_tls_1_1(
    shop: dict[str, Path], modern_server: int
) -> None:
    done = _tls_probe(shop, modern_server)
    assert done.returncode == 0, done.stderr
    assert _logged(done.stderr)[:2] == [
        "tls-probe.sh: api.shop.example.com: TLS 1.2 handshake completed",
        "tls-probe.sh: api.shop.example.com: TLS 1.1 refused",
    ]


def test_the_tls_probe_fails_a_server_accepting_tls_1_1(
    shop: dict[str, Path], legacy_server: int
) -> None:
    done = _tls_probe(shop, legacy_server)
    assert done.returncode == 1
    assert "tls-probe.sh: FAIL: api.shop.example.com: accepted a TLS 1.1 handshake" in (
        _logged(done.stderr)
    )


def test_network_policies_only_reads_the_cluster(shop: dict[str, Path], tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    fake_tool(tmp_path / "bin", "kubectl", '[[ " $* " != *" orders-api "* ]]')
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "FAKE_LOG": str(log)}
    done = run(shop[f"{PROBES}/production/network-policies.sh"], env=env)
    assert done.returncode == 1
    assert _logged(done.stderr) == [
        "network-policies.sh: shop/storefront: NetworkPolicy in place",
        "network-policies.sh: FAIL: shop/orders-api: no NetworkPolicy in the cluster",
        "network-policies.sh: payments/payments: NetworkPolicy in place",
    ]
    assert log.read_text("utf-8").splitlines() == [
        "kubectl --context shop-production get networkpolicy storefront --namespace shop -o name",
        "kubectl --context shop-production get networkpolicy orders-api --namespace shop -o name",
        "kubectl --context shop-production get networkpolicy payments --namespace payments -o name",
    ]


@pytest.mark.parametrize(("hours", "code"), [(1, 0), (7, 1)])
def test_backup_recency_measures_the_newest_snapshot_against_the_rpo(
    ja: dict[str, Path], tmp_path: Path, hours: int, code: int
) -> None:
    taken = (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    snapshots = json.dumps([{"time": taken, "tags": ["reserve_db_dump"]}])
    fake_tool(tmp_path / "bin", "restic", f"printf '%s\\n' '{snapshots}'")
    log = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "FAKE_LOG": str(log)}
    done = run(ja[f"{PROBES}/production/backup-recency.sh"], env=env)
    assert done.returncode == code, done.stderr
    repository = "s3:s3.ap-northeast-1.amazonaws.com/yoyaku-backups-prod/pg_dump"
    assert log.read_text("utf-8").splitlines() == [
        f"restic -r {repository} snapshots --json --latest 1 --tag reserve_db_dump"
    ]
    verdict = _logged(done.stderr)[0].split(" ", 2)
    assert verdict[:2] == ["backup-recency.sh:", "reserve_db_dump:" if code == 0 else "FAIL:"]


def test_probes_run_on_a_schedule(shop: dict[str, Path]) -> None:
    crontab = shop[f"{PROBES}/production/crontab"].read_text("utf-8").splitlines()
    assert crontab[-4:] == [
        "# TLS handshakes with the public hosts",
        "17 7 * * * /opt/shop/compliance-probes/production/tls-probe.sh",
        "# the NetworkPolicy objects in the cluster",
        "17 7 * * * /opt/shop/compliance-probes/production/network-policies.sh",
    ]
    timer = shop[f"{PROBES}/production/systemd/shop-probe-production-tls-probe.timer"]
    assert "OnCalendar=*-*-* 07:17:00 UTC" in timer.read_text("utf-8").splitlines()
    service = timer.with_suffix(".service").read_text("utf-8").splitlines()
    assert "ExecStart=/opt/shop/compliance-probes/production/tls-probe.sh" in service
    assert "User=deployplan-probes" in service


def test_a_verified_tier_names_only_generated_probes(shop: dict[str, Path]) -> None:
    report = audit(SHOP.read_text("utf-8"))
    named = {a.file.removeprefix("output/") for c in report.checks for a in c.artifacts if a.probe}
    assert named == set(_probes(shop))

"""healthcheck.sh of a Kubernetes service, run from a machine outside the cluster.

The service's in-cluster name does not resolve here, as on an operator's laptop. A fake
``kubectl`` on ``PATH`` records its calls and, for ``port-forward``, serves the health
endpoint on a free local port and prints kubectl's ``Forwarding from`` line; ``curl`` is
the real one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = "output/services/orders-api/deploy/production/healthcheck.sh"

_FAKE_KUBECTL = """#!{python}
import http.server, json, os, sys
with open(os.environ["KUBECTL_LOG"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "pid": os.getpid()}}) + "\\n")
if "port-forward" not in sys.argv:
    sys.exit(0)
if os.environ.get("KUBECTL_REFUSE"):
    print('error: services "orders-api" not found', file=sys.stderr)
    sys.exit(1)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz/ready" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Health)
print(f"Forwarding from 127.0.0.1:{{server.server_address[1]}} -> 8080", flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("healthcheck")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(ROOT / "specs/deployplan.yaml"),
         "--only", "deploy", "--service", "orders-api", "--env", "production",
         "--out", str(root / "output"), "--docs", str(root / "site_docs")],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    fake = root / "bin" / "kubectl"
    fake.parent.mkdir()
    fake.write_text(_FAKE_KUBECTL.format(python=sys.executable), "utf-8")
    fake.chmod(0o755)
    return root


def _run(root: Path, *args: str, refuse: bool = False) -> subprocess.CompletedProcess[str]:
    log = root / "kubectl.log"
    log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PATH": f"{root / 'bin'}:{os.environ['PATH']}",
        "KUBECTL_LOG": str(log),
        "DEPLOYPLAN_WORKDIR": str(root),
    }
    if refuse:
        env["KUBECTL_REFUSE"] = "1"
    return subprocess.run(
        [str(root / SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60
    )


def _kubectl_calls(root: Path) -> list[dict[str, object]]:
    log = root / "kubectl.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def test_dry_run_says_what_it_would_probe_and_probes_nothing(generated: Path) -> None:
    done = _run(generated, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "would probe orders_api_ready: GET http://orders-api.shop.svc.cluster.local:8080"
        "/healthz/ready, expecting HTTP 200 within 3s",
        "  orders-api.shop.svc.cluster.local does not resolve here, so through a port-forward"
        " to the Service:",
        "  + kubectl --context shop-production --namespace shop port-forward"
        " service/orders-api :8080",
        "  then GET http://127.0.0.1:LOCAL_PORT/healthz/ready, LOCAL_PORT being the port"
        " kubectl prints",
    ]
    assert "healthy" not in done.stderr.lower()
    assert _kubectl_calls(generated) == []


def test_probes_through_a_port_forward_in_the_environment_context(generated: Path) -> None:
    done = _run(generated)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "deployplan orders-api/production: healthy: orders_api_ready "
        "(orders-api.shop.svc.cluster.local)"
    )
    calls = _kubectl_calls(generated)
    assert [c["argv"] for c in calls] == [
        ["--context", "shop-production", "--namespace", "shop", "port-forward",
         "service/orders-api", ":8080"],
    ]  # fmt: skip
    with pytest.raises(ProcessLookupError):  # stopped when the script exits
        os.kill(int(str(calls[0]["pid"])), 0)


def test_a_failed_port_forward_is_unhealthy(generated: Path) -> None:
    done = _run(generated, refuse=True)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-2:] == [
        "deployplan orders-api/production:   kubectl port-forward service/orders-api :8080 "
        'failed: error: services "orders-api" not found ',
        "deployplan orders-api/production: UNHEALTHY: orders_api_ready "
        "(orders-api.shop.svc.cluster.local)",
    ]

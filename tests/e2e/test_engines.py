"""Engines that cannot run here, with stand-ins on PATH that record their arguments: the
exact commands of a deploy, of a rollback after a failed gate, and of rollback.sh. The
Ansible rollout and the systemd engine run for real over SSH in test_ansible.py and
test_systemd.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import environment, generate, recorded, run, spec, standins

TARGETS: dict[str, dict[str, Any]] = {
    "kube": {"engine": "kubernetes", "namespace": "shop"},
    "canary": {"engine": "kubernetes", "namespace": "shop", "strategy": "canary"}
    | {"canary_steps": [25, 100]},
    "chart": {"engine": "helm", "namespace": "pay", "chart": "oci://charts.example.com/pay"},
}


def service(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"The {name} service.",
        "kind": "api",
        "owner": "ops",
        "image": f"registry.example.com/{name}",
        "port": 8080,
        "targets": {"production": TARGETS[name]},
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engines")
    document = spec(
        [service(name) for name in TARGETS],
        env="production",
        deployment_flow={
            "stages": [{"name": "roll", "action": "deploy", "timeout": "1m"}],
            "validation_points": [
                {
                    "name": "healthy",
                    "after_stage": "roll",
                    "check": {"type": "command", "command": 'test ! -e "$E2E_DIR/unhealthy"'},
                    "retries": 0,
                }
            ],
        },
    )
    document["environments"]["production"]["configuration"] = {"kube_context": "prod"}
    generate(document, folder, "deploy", "kubernetes")
    (folder / "artifact").mkdir()
    (folder / "artifact" / "app").write_text("release\n")
    return folder


def deploy(
    root: Path, name: str, *args: str, unhealthy: bool = False, fail: str = ""
) -> list[list[str]]:
    case = root / name
    case.mkdir(exist_ok=True)
    (case / "unhealthy").unlink(missing_ok=True)
    if unhealthy:
        (case / "unhealthy").touch()
    env = environment(case, STANDIN_LOG=str(case / "standins.jsonl"), STANDIN_FAIL=fail)
    env["PATH"] = (
        f"{standins(case)}:{env['PATH']}"
        if not (case / "standins").exists()
        else (f"{case / 'standins'}:{env['PATH']}")
    )
    (case / "standins.jsonl").unlink(missing_ok=True)
    script = root / "output" / "services" / name / "deploy" / "production" / args[0]
    result = run(script, *args[1:], env=env)
    expected = 1 if unhealthy else 0
    assert result.returncode == expected, result.stderr
    return [[re.sub(r"/tmp\S*/deployplan\.\w+", "$RUN", arg) for arg in call] for call in
            recorded(case)]  # fmt: skip


def here(root: Path, name: str) -> str:
    return str(root / "output" / "services" / name / "deploy" / "production")


def test_kubernetes_applies_the_overlay_waits_and_undoes(root: Path) -> None:
    kubectl = ["kubectl", "--context", "prod", "--namespace", "shop"]
    assert deploy(root, "kube", "deploy.sh", "--yes", "--version", "v1") == [
        [*kubectl, "apply", "-k", "$RUN/release"],
        [*kubectl, "rollout", "status", "deployment/kube"],
    ]
    calls = deploy(root, "kube", "deploy.sh", "--yes", "--version", "v2", unhealthy=True)
    assert calls == [
        [*kubectl, "apply", "-k", "$RUN/release"],
        [*kubectl, "rollout", "status", "deployment/kube"],
        [*kubectl, "rollout", "undo", "deployment/kube"],
        [*kubectl, "rollout", "status", "deployment/kube"],
    ]


def test_kubernetes_canary_scales_the_canary_step_by_step(root: Path) -> None:
    kubectl = ["kubectl", "--context", "prod", "--namespace", "shop"]
    # 25 % of one replica: one release pod beside three stable ones makes it exact
    assert deploy(root, "canary", "deploy.sh", "--yes", "--version", "v1") == [
        [*kubectl, "scale", "deployment/canary", "--replicas=3"],
        [*kubectl, "apply", "-k", "$RUN/canary"],
        [*kubectl, "rollout", "status", "deployment/canary-canary"],
        [*kubectl, "apply", "-k", "$RUN/release"],
        [*kubectl, "rollout", "status", "deployment/canary"],
        [*kubectl, "scale", "deployment/canary-canary", "--replicas=0"],
    ]


def test_helm_upgrades_atomically_and_rolls_back_after_a_failed_gate(root: Path) -> None:
    helm = ["helm", "--namespace", "pay", "--kube-context", "prod"]
    # the NetworkPolicy beside the chart, then the chart
    beside = ["kubectl", "--context", "prod", "--namespace", "pay", "apply", "-k"]
    beside.append(f"{here(root, 'chart')}/../../kubernetes/helm/production")
    upgrade = [
        *helm,
        *("upgrade", "--install", "chart", "oci://charts.example.com/pay"),
        *("--values", f"{here(root, 'chart')}/values.yaml"),
        *("--set-string", "image.tag=v1", "--atomic", "--wait", "--timeout", "60s"),
    ]
    assert deploy(root, "chart", "deploy.sh", "--yes", "--version", "v1") == [beside, upgrade]
    calls = deploy(root, "chart", "deploy.sh", "--yes", "--version", "v2", unhealthy=True)
    assert calls == [
        beside,
        [a.replace("image.tag=v1", "image.tag=v2") for a in upgrade],
        [*helm, "rollback", "chart", "--wait"],
    ]

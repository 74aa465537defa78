"""Engines that cannot run here, with stand-ins on PATH that record their arguments: the
exact commands of a deploy, of a rollback after a failed gate, and of rollback.sh. No
Kubernetes cluster can run on this machine, so kubectl and helm are stand-ins that print
what the real tools would (the rollout history, helm history). The Ansible rollout and
the systemd engine run for real over SSH in test_ansible.py and test_systemd.py."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
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
        *("--values", f"{here(root, 'chart')}/values.yaml", "--description", "deployplan v1"),
        *("--set-string", "image.tag=v1", "--atomic", "--wait", "--timeout", "60s"),
    ]
    assert deploy(root, "chart", "deploy.sh", "--yes", "--version", "v1") == [beside, upgrade]
    calls = deploy(root, "chart", "deploy.sh", "--yes", "--version", "v2", unhealthy=True)
    assert calls == [
        beside,
        [a.replace("v1", "v2") for a in upgrade],
        [*helm, "rollback", "chart", "--wait"],
    ]


def fresh_runner(
    root: Path, name: str, *args: str, replies: dict[str, str], **extra: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """rollback.sh on a machine that never deployed: no state of its own. ``replies``:
    what the stand-ins print for calls matching each regular expression."""
    case = Path(tempfile.mkdtemp(dir=root))
    table = []
    for number, (pattern, text) in enumerate(replies.items()):
        (case / f"reply-{number}").write_text(text)
        table.append(f"{pattern}\t{case / f'reply-{number}'}\n")
    (case / "replies").write_text("".join(table))
    env = environment(case, STANDIN_LOG=str(case / "standins.jsonl"),
                      STANDIN_REPLIES=str(case / "replies"), **extra)  # fmt: skip
    env["PATH"] = f"{standins(case)}:{env['PATH']}"
    result = run(Path(here(root, name)) / "rollback.sh", *args, env=env)
    return result, [[re.sub(r"/tmp\S*/deployplan\.\w+", "$RUN", a) for a in c] for c in
                    recorded(case)]  # fmt: skip


# what `kubectl get replicasets -o jsonpath=…` prints: owner, revision, image; the canary
# Deployment's ReplicaSet carries the service's name label too
REPLICASETS = (
    "kube 3 registry.example.com/kube:v1\n"
    "kube 4 registry.example.com/kube:v2\n"
    "kube-canary 1 registry.example.com/kube:v9\n"
    "kube 5 registry.example.com/kube:v3@sha256:" + "a" * 64 + "\n"
)


def test_kubernetes_rolls_back_from_the_rollout_history_on_a_fresh_runner(root: Path) -> None:
    kubectl = ["kubectl", "--context", "prod", "--namespace", "shop"]
    history = [*kubectl, "get", "replicasets", "--selector", "app.kubernetes.io/name=kube", "-o"]
    replies = {"replicasets": REPLICASETS}
    listed, calls = fresh_runner(root, "kube", "--list", replies=replies)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == (
        f"current: v3@sha256:{'a' * 64}\nprevious: v2\n"
        "rollout history of deployment/kube (oldest first):\n"
        f"  revision 3 v1\n  revision 4 v2\n  revision 5 v3@sha256:{'a' * 64}\n"
    )
    assert [c[: len(history)] for c in calls] == [history, history]
    back, calls = fresh_runner(root, "kube", "--yes", replies=replies)
    assert back.returncode == 0, back.stderr
    assert calls[-2:] == [
        [*kubectl, "rollout", "undo", "deployment/kube", "--to-revision=4"],
        [*kubectl, "rollout", "status", "deployment/kube"],
    ]
    assert f"rolling back from v3@sha256:{'a' * 64} to v2" in back.stderr
    older, calls = fresh_runner(root, "kube", "--yes", "--to", "v1", replies=replies)
    assert older.returncode == 0, older.stderr
    assert calls[-2][len(kubectl) :] == ["rollout", "undo", "deployment/kube", "--to-revision=3"]
    # a release the history no longer holds is deployed again
    gone, calls = fresh_runner(root, "kube", "--yes", "--to", "v0", replies=replies)
    assert gone.returncode == 0, gone.stderr
    assert calls[-2:] == [
        [*kubectl, "apply", "-k", "$RUN/release"],
        [*kubectl, "rollout", "status", "deployment/kube"],
    ]


# `helm history --output json`: v2's upgrade failed and helm rolled back to revision 2
HELM_HISTORY = json.dumps(
    [
        {"revision": 1, "status": "superseded", "description": "deployplan v1"},
        {"revision": 2, "status": "superseded", "description": "deployplan v2"},
        {"revision": 3, "status": "superseded", "description": "deployplan v3"},
        {"revision": 4, "status": "failed", "description": "deployplan v4"},
        {"revision": 5, "status": "deployed", "description": "Rollback to 3"},
    ]
)


def test_helm_rolls_back_from_helm_history_on_a_fresh_runner(root: Path) -> None:
    helm = ["helm", "--namespace", "pay", "--kube-context", "prod"]
    replies = {'"history"': HELM_HISTORY}
    listed, calls = fresh_runner(root, "chart", "--list", replies=replies)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == (
        "current: v3\nprevious: v2\nhelm history of chart (oldest first):\n"
        "  revision 1 superseded v1\n  revision 2 superseded v2\n"
        "  revision 3 superseded v3\n  revision 4 failed v4\n  revision 5 deployed v3\n"
    )
    back, calls = fresh_runner(root, "chart", "--yes", replies=replies)
    assert back.returncode == 0, back.stderr
    assert calls[-1] == [*helm, "rollback", "chart", "2", "--wait"]
    assert "rolling back from v3 to v2" in back.stderr
    # v4 failed: it is no revision to return to, so it is deployed again
    again, calls = fresh_runner(root, "chart", "--yes", "--to", "v4", replies=replies)
    assert again.returncode == 0, again.stderr
    upgrade = calls[-1][len(helm) :]
    assert upgrade[:3] == ["upgrade", "--install", "chart"]
    assert upgrade[6:8] == ["--description", "deployplan v4"]


def test_undoing_a_first_deploy_deletes_the_deployment_this_run_created(root: Path) -> None:
    kubectl = ["kubectl", "--context", "prod", "--namespace", "shop"]
    replies = {
        "replicasets": "kube 1 registry.example.com/kube:v1\n",
        "creationTimestamp": "2026-12-07T10:00:05Z",
    }
    started = {"DEPLOYPLAN_RUN_STARTED": "2026-12-07T10:00:00Z"}
    refused, _ = fresh_runner(root, "kube", "--yes", replies=replies, **started)
    assert refused.returncode == 1
    undone, calls = fresh_runner(root, "kube", "--yes", "--undo-first-deploy", replies=replies,
                                 **started)  # fmt: skip
    assert undone.returncode == 0, undone.stderr
    assert calls[-1] == [*kubectl, "delete", "deployment/kube", "--wait"]
    earlier = {"DEPLOYPLAN_RUN_STARTED": "2026-12-07T11:00:00Z"}
    kept, calls = fresh_runner(root, "kube", "--yes", "--undo-first-deploy", replies=replies,
                               **earlier)  # fmt: skip
    assert kept.returncode == 5
    assert "deployment/kube was created at 2026-12-07T10:00:05Z, before this run" in kept.stderr
    assert "delete" not in [a for c in calls for a in c]


def test_undoing_a_first_deploy_uninstalls_a_helm_release_of_one_revision(root: Path) -> None:
    helm = ["helm", "--namespace", "pay", "--kube-context", "prod"]
    first = json.dumps([{"revision": 1, "status": "deployed", "description": "deployplan v1"}])
    undone, calls = fresh_runner(root, "chart", "--yes", "--undo-first-deploy",
                                 replies={'"history"': first})  # fmt: skip
    assert undone.returncode == 0, undone.stderr
    assert calls[-1] == [*helm, "uninstall", "chart", "--wait"]
    assert "removed v1: nothing of chart runs from this deploy" in undone.stderr

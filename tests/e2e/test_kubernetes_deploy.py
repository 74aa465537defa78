"""The kubernetes and helm deploy scripts against a kubectl and helm that record what they
are given: the fetched secrets reach the cluster as a Secret on stdin (never on disk or a
command line), a release pinned by digest deploys that digest, the chart version is pinned,
and a rollback of a pod-split canary returns the stable pods to their number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.helpers import environment, generate, run, spec

DIGEST = "sha256:" + "0123456789abcdef" * 4
#: Records each call as a JSON line with its stdin, and what `apply -k DIR` would apply.
RECORDER = """#!/usr/bin/env bash
set -euo pipefail
stdin=
if [ ! -t 0 ]; then stdin=$(cat); fi
kustomization=
for arg in "$@"; do
    if [ -f "$arg/kustomization.yaml" ]; then kustomization=$(cat "$arg/kustomization.yaml"); fi
done
python3 - "$0" "$stdin" "$kustomization" "$@" >>"$RECORD" <<'PY'
import json, os, sys
name, stdin, kustomization, *argv = sys.argv[1:]
print(json.dumps({"argv": [os.path.basename(name), *argv], "stdin": stdin,
                  "kustomization": kustomization}))
PY
"""


def service(name: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"The {name} service.",
        "kind": "api",
        "owner": "ops",
        "image": f"registry.example.com/{name}",
        "port": 8080,
        "targets": {"production": target},
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kubernetes-deploy")
    document = spec(
        [
            service("kube", {"engine": "kubernetes", "namespace": "shop"}),
            service(
                "scaled",
                {"engine": "kubernetes", "namespace": "shop", "strategy": "canary"}
                | {"canary_steps": [10, 100]},
            ),
            service(
                "weighed",
                {"engine": "kubernetes", "namespace": "shop", "strategy": "canary"}
                | {"canary_steps": [20, 100], "traffic_controller": "nginx_ingress"},
            ),
            service(
                "chart",
                {"engine": "helm", "namespace": "pay", "chart": "oci://charts.example.com/pay"}
                | {"chart_version": "4.2.1"},
            ),
        ],
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
        configuration_management={
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "API_TOKEN", "secret": "api-token"},
            ],
            "secrets_management": {
                "provider": "ci",
                "secrets": [{"name": "api-token", "path": "E2E_API_TOKEN"}],
            },
        },
    )
    infrastructure = document["environments"]["production"]["infrastructure"]
    infrastructure["compute_resources"] |= {
        "allocations": {
            "scaled": {"cpu": "100m", "memory": "128Mi"}
            | {"autoscaling": {"min_replicas": 2, "max_replicas": 3}},
            "weighed": {"cpu": "100m", "memory": "128Mi", "replicas": 4},
        }
    }
    infrastructure["network_configuration"] = {
        "ingresses": [{"host": "weighed.example.com", "service": "weighed"}]
    }
    generate(document, folder, "deploy", "kubernetes", "configuration")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name in ("kubectl", "helm"):
        (bin_dir / name).write_text(RECORDER)
        (bin_dir / name).chmod(0o755)
    return folder


def deploy(
    root: Path, name: str, *args: str, unhealthy: bool = False
) -> tuple[list[dict[str, Any]], str]:
    case = root / name
    case.mkdir(exist_ok=True)
    (case / "unhealthy").unlink(missing_ok=True)
    if unhealthy:
        (case / "unhealthy").touch()
    record = case / "calls.jsonl"
    record.unlink(missing_ok=True)
    token = 'tok"en $(rm -rf ~)\nline two'
    env = environment(case, RECORD=str(record), E2E_API_TOKEN=token)
    env["PATH"] = f"{root / 'bin'}:{env['PATH']}"
    script = root / "output" / "services" / name / "deploy" / "production" / "deploy.sh"
    result = run(script, "--yes", *args, env=env)
    assert result.returncode == (1 if unhealthy else 0), result.stderr
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    return calls, result.stderr


def _secret(calls: list[dict[str, Any]]) -> dict[str, Any]:
    applied = [c for c in calls if c["argv"][-3:] == ["apply", "-f", "-"]]
    assert len(applied) == 1
    secret: dict[str, Any] = json.loads(applied[0]["stdin"])
    return secret


@pytest.mark.parametrize("name", ["kube", "chart"])
def test_the_fetched_secret_reaches_the_cluster_on_stdin(root: Path, name: str) -> None:
    calls, _ = deploy(root, name, "--version", "v1")
    assert _secret(calls) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": f"{name}-secrets", "labels": {"app.kubernetes.io/name": name}},
        "stringData": {"API_TOKEN": 'tok"en $(rm -rf ~)\nline two'},
    }
    assert not any("tok" in arg for call in calls for arg in call["argv"])
    leftovers = [p for p in (root / name).rglob("*") if p.is_file() and "tok" in p.read_text()]
    assert [p.name for p in leftovers] == ["calls.jsonl"]  # only this test's own record


def test_a_digest_pins_the_image_and_a_tag_is_warned_about(root: Path) -> None:
    calls, stderr = deploy(root, "kube", "--version", f"v1@{DIGEST}")
    release = next(c for c in calls if "-k" in c["argv"])
    images = yaml.safe_load(release["kustomization"])["images"]
    assert images == [{"name": "registry.example.com/kube", "newTag": "v1", "digest": DIGEST}]
    assert "warning: production runs" not in stderr
    _, stderr = deploy(root, "kube", "--version", "v1")
    assert (
        "warning: production runs registry.example.com/kube by the tag v1; pass --version "
        "v1@sha256:DIGEST to pin the image"
    ) in stderr


def test_helm_pins_the_chart_version_and_the_digest(root: Path) -> None:
    calls, _ = deploy(root, "chart", "--version", f"v2@{DIGEST}")
    upgrade = next(c["argv"] for c in calls if c["argv"][0] == "helm")
    values = root / "output" / "services" / "chart" / "deploy" / "production" / "values.yaml"
    assert upgrade == [
        "helm", "--namespace", "pay", "upgrade", "--install", "chart",
        "oci://charts.example.com/pay", "--values", str(values),
        "--description", f"deployplan v2@{DIGEST}", "--version", "4.2.1",
        "--set-string", "image.tag=v2", "--set-string", f"image.digest={DIGEST}",
        "--atomic", "--wait", "--timeout", "60s",
    ]  # fmt: skip
    assert yaml.safe_load(values.read_text())["existingSecret"] == "chart-secrets"


def test_a_pod_split_canary_holds_the_autoscaler_at_each_step(root: Path) -> None:
    calls, stderr = deploy(root, "scaled", "--version", "v1")
    kubectl = ["kubectl", "--namespace", "shop"]
    hold = '{"spec": {"minReplicas": 9, "maxReplicas": 9}}'
    calls = [c for c in calls if c["argv"][-3:] != ["apply", "-f", "-"]]  # the Secret
    run = str(Path(calls[2]["argv"][-1]).parent)
    assert [c["argv"] for c in calls] == [
        [*kubectl, "patch", "hpa/scaled", "--type", "merge", "-p", hold],
        [*kubectl, "scale", "deployment/scaled", "--replicas=9"],
        [*kubectl, "apply", "-k", f"{run}/canary"],
        [*kubectl, "rollout", "status", "deployment/scaled-canary"],
        [*kubectl, "apply", "-k", f"{run}/release"],
        [*kubectl, "rollout", "status", "deployment/scaled"],
        [*kubectl, "patch", "hpa/scaled", "--type", "merge", "-p",
         '{"spec": {"minReplicas": 2, "maxReplicas": 3}}'],
        [*kubectl, "scale", "deployment/scaled-canary", "--replicas=0"],
    ]  # fmt: skip
    assert "canary step: 10% of traffic: 1 pods run v1 beside 9 stable pods (10%)" in stderr
    canary = yaml.safe_load(calls[2]["kustomization"])
    assert canary["replicas"] == [{"name": "scaled-canary", "count": 1}]


def test_a_failed_canary_step_restores_the_autoscaler_and_the_stable_pods(root: Path) -> None:
    calls, _ = deploy(root, "scaled", "--version", "v2", unhealthy=True)
    kubectl = ["kubectl", "--namespace", "shop"]
    argv = [c["argv"] for c in calls if c["argv"][-3:] != ["apply", "-f", "-"]]
    # the gate after the 10 % step fails: the main Deployment was never changed
    assert argv[3:] == [
        [*kubectl, "rollout", "status", "deployment/scaled-canary"],
        [*kubectl, "patch", "hpa/scaled", "--type", "merge", "-p",
         '{"spec": {"minReplicas": 2, "maxReplicas": 3}}'],
        [*kubectl, "scale", "deployment/scaled-canary", "--replicas=0"],
    ]  # fmt: skip


def test_an_nginx_canary_sets_each_step_weight_on_its_ingress(root: Path) -> None:
    calls, stderr = deploy(root, "weighed", "--version", "v1")
    kubectl = ["kubectl", "--namespace", "shop"]
    weight = "nginx.ingress.kubernetes.io/canary-weight"
    argv = [c["argv"] for c in calls if c["argv"][-3:] != ["apply", "-f", "-"]]
    run = str(Path(argv[0][-1]).parent)
    assert argv == [
        [*kubectl, "apply", "-k", f"{run}/canary"],
        [*kubectl, "rollout", "status", "deployment/weighed-canary"],
        [*kubectl, "annotate", "ingress", "weighed-canary", "--overwrite", f"{weight}=20"],
        [*kubectl, "apply", "-k", f"{run}/release"],
        [*kubectl, "rollout", "status", "deployment/weighed"],
        [*kubectl, "annotate", "ingress", "weighed-canary", "--overwrite", f"{weight}=0"],
        [*kubectl, "scale", "deployment/weighed-canary", "--replicas=0"],
    ]
    assert "canary step: 20% of the ingress requests go to v1" in stderr
    canary = next(c for c in calls if c["argv"][-1] == f"{run}/canary")
    assert yaml.safe_load(canary["kustomization"])["replicas"] == [
        {"name": "weighed-canary", "count": 1}
    ]

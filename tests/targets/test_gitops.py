"""The gitops family: Argo CD AppProjects and Applications, or Flux GitRepositories and
Kustomizations, for kubernetes targets with ``delivery: gitops``.

Every generated custom resource is validated against its CRD's OpenAPI schema. No
registry reachable here ships the CRDs as YAML or JSON; the npm packages
``@kubernetes-models/argo-cd`` 4.0.0 (Argo CD v3 CRDs), ``@kubernetes-models/flux-cd``
4.0.0 (source-controller and kustomize-controller ``v1``) and
``@kubernetes-models/external-secrets`` 2.0.0 ship the same schemas compiled into
validators (types, enums, required properties), pinned with their integrity hashes in
``tests/node/package-lock.json`` and run by ``tests/node/crd-validate.mjs``. The CRDs do
not forbid unknown properties, so neither does this check; the tests below assert the
fields themselves. ``kubectl kustomize`` builds every generated kustomization.

Tests that read ``specs/examples/gitops.yaml`` double as its check: it generates these
resources and overlays for every service and environment.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.model.gitops import GitOps
from generator.spec.validate import validate_file
from generator.targets import gitops
from generator.targets.context import PlanContext
from tests.conftest import ROOT, run_cli
from tests.targets.pipelines_helpers import shutil_which

EXAMPLE = ROOT / "specs" / "examples" / "gitops.yaml"
NODE_TOOLS = ROOT / "tests" / "node"
ENVIRONMENTS = ["development", "dr", "production", "staging"]
SERVICES = ["label-service", "scan-consumer", "tracking-api"]


def _generate(spec: Path, out: Path) -> Path:
    args = ["--out", str(out), "--docs", str(out / "docs"), "--only", "gitops"]
    result = run_cli("generate", str(spec), *args, "--only", "kubernetes")
    assert result.exit_code == 0, result.output
    return out


def _variant(tmp_path: Path, replacements: dict[str, str]) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    return _generate(spec, tmp_path / "out")


FLUX = {"    controller: argocd\n": "    controller: flux\n"}


@pytest.fixture(scope="module")
def argo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(EXAMPLE, tmp_path_factory.mktemp("argo"))


@pytest.fixture(scope="module")
def flux(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _variant(tmp_path_factory.mktemp("flux"), FLUX)


def _resources(folder: Path) -> dict[str, dict[str, Any]]:
    """Every resource under ``folder`` but the kustomizations, by relative path."""
    return {
        path.relative_to(folder).as_posix(): yaml.safe_load(path.read_text())
        for path in sorted(folder.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def _crd_findings(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [shutil_which("node"), NODE_TOOLS / "crd-validate.mjs"],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def _kustomize(folder: Path) -> list[dict[str, Any]]:
    """``kubectl kustomize`` (scripts/deps/gitops.sh installs one with kustomize v4+)."""
    local = ROOT / ".tools" / "kubectl" / "kubectl"
    kubectl = str(local) if local.exists() else shutil_which("kubectl")
    result = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return list(yaml.safe_load_all(result.stdout))


def test_argo_cd_gets_a_project_and_an_application_per_service_and_environment(
    argo: Path,
) -> None:
    files = sorted(_resources(argo / "gitops"))
    assert files == [
        f"argocd/{env}/{name}.yaml" for env in ENVIRONMENTS for name in ["appproject", *SERVICES]
    ]


@pytest.mark.parametrize("controller", ["argo", "flux"])
def test_every_custom_resource_passes_its_crd_schema(
    controller: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(controller)
    resources = list(_resources(out / "gitops").values())
    assert len(resources) == 16
    assert _crd_findings(resources) == []


def test_the_crd_check_rejects_what_the_schema_forbids(argo: Path) -> None:
    application = _resources(argo / "gitops")["argocd/production/tracking-api.yaml"]
    del application["spec"]["destination"]
    application["spec"]["syncPolicy"]["automated"]["prune"] = "yes"
    kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "x"},
        "spec": {"prune": True, "sourceRef": {"kind": "GitRepository", "name": "x"}},
    }
    assert [f["error"] for f in _crd_findings([application, kustomization])] == [
        "data/spec must have required property destination, "
        "data/spec/syncPolicy/automated/prune must be boolean",
        "data/spec must have required property interval",
    ]


def test_an_application_syncs_the_services_folder_into_its_namespace(argo: Path) -> None:
    app = _resources(argo / "gitops")["argocd/production/tracking-api.yaml"]
    assert app["metadata"] == {
        "name": "tracking-api-production",
        "namespace": "argocd",
        "labels": {
            "app.kubernetes.io/name": "tracking-api",
            "app.kubernetes.io/part-of": "parcel",
            "deployplan.dev/environment": "production",
        },
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }
    assert app["spec"] == {
        "project": "parcel-production",
        "source": {
            "repoURL": "https://github.com/example/parcel-gitops",
            "targetRevision": "main",
            "path": "envs/production/tracking-api",
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "parcel"},
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            "retry": {
                "limit": 5,
                "backoff": {"duration": "5s", "factor": 2, "maxDuration": "10m"},
            },
            "syncOptions": ["PruneLast=true", "ApplyOutOfSyncOnly=true"],
        },
        "revisionHistoryLimit": 10,
        # the HorizontalPodAutoscaler owns the replica count
        "ignoreDifferences": [
            {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}
        ],
    }
    fixed = _resources(argo / "gitops")["argocd/production/label-service.yaml"]
    assert "ignoreDifferences" not in fixed["spec"]


def test_the_project_admits_only_the_repository_and_the_environments_namespace(
    argo: Path,
) -> None:
    project = _resources(argo / "gitops")["argocd/dr/appproject.yaml"]
    assert project["metadata"]["name"] == "parcel-dr"
    assert project["spec"]["sourceRepos"] == ["https://github.com/example/parcel-gitops"]
    assert project["spec"]["destinations"] == [
        {"server": "https://kubernetes.default.svc", "namespace": "parcel"}
    ]
    assert project["spec"]["clusterResourceWhitelist"] == []


def test_a_central_argo_cd_deploys_to_each_environments_cluster(tmp_path: Path) -> None:
    clusters = (
        "    project: parcel\n"
        "    clusters:\n"
        "      production: https://prod.k8s.example.com\n"
        "      dr: https://dr.k8s.example.com\n"
    )
    out = _variant(tmp_path, {"    project: parcel\n": clusters})
    resources = _resources(out / "gitops")
    assert resources["argocd/dr/appproject.yaml"]["spec"]["destinations"] == [
        {"server": "https://dr.k8s.example.com", "namespace": "parcel"}
    ]
    app = resources["argocd/production/scan-consumer.yaml"]
    assert app["spec"]["destination"]["server"] == "https://prod.k8s.example.com"
    assert resources["argocd/staging/scan-consumer.yaml"]["spec"]["destination"]["server"] == (
        "https://kubernetes.default.svc"
    )


def test_manual_sync_leaves_out_automation(tmp_path: Path) -> None:
    out = _variant(tmp_path, {"      automated: true\n": "      automated: false\n"})
    app = _resources(out / "gitops")["argocd/staging/tracking-api.yaml"]
    assert "automated" not in app["spec"]["syncPolicy"]


def test_flux_checks_the_services_deployment(flux: Path) -> None:
    resources = _resources(flux / "gitops")
    assert resources["flux/production/gitrepository.yaml"]["spec"] == {
        "interval": "3m",
        "url": "https://github.com/example/parcel-gitops",
        "ref": {"branch": "main"},
    }
    assert resources["flux/production/scan-consumer.yaml"]["spec"] == {
        "interval": "3m",
        "retryInterval": "1m",
        "timeout": "10m",
        "path": "./envs/production/scan-consumer",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "parcel"},
        "targetNamespace": "parcel",
        "wait": False,
        "healthChecks": [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "scan-consumer",
                "namespace": "parcel",
            }
        ],
    }


def test_flux_applies_a_service_after_the_services_it_requires(flux: Path) -> None:
    resources = _resources(flux / "gitops")
    api = resources["flux/staging/tracking-api.yaml"]["spec"]
    assert api["dependsOn"] == [{"name": "label-service-staging"}]
    assert "dependsOn" not in resources["flux/staging/label-service.yaml"]["spec"]


def test_flux_waiting_for_everything_needs_no_health_checks(tmp_path: Path) -> None:
    out = _variant(tmp_path, {**FLUX, "      retry_limit: 5\n": "      wait: true\n"})
    spec = _resources(out / "gitops")["flux/dr/tracking-api.yaml"]["spec"]
    assert spec["wait"] is True
    assert "healthChecks" not in spec


@pytest.mark.parametrize("controller", ["argo", "flux"])
def test_kubectl_kustomize_builds_each_environments_folder(
    controller: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(controller)
    name = "argocd" if controller == "argo" else "flux"
    for env in ENVIRONMENTS:
        built = _kustomize(out / "gitops" / name / env)
        assert len(built) == 4
        namespace = "argocd" if controller == "argo" else "flux-system"
        assert {r["metadata"]["namespace"] for r in built} == {namespace}


def test_kubectl_kustomize_builds_every_overlay_the_controllers_sync(argo: Path) -> None:
    for service in SERVICES:
        for env in ENVIRONMENTS:
            overlay = argo / "services" / service / "kubernetes" / "overlays" / env
            kinds = {resource["kind"] for resource in _kustomize(overlay)}
            assert {"Deployment", "NetworkPolicy"} <= kinds, (service, env)


def test_the_overlays_custom_resources_pass_their_crd_schemas(argo: Path) -> None:
    custom = [
        resource
        for service in SERVICES
        for env in ENVIRONMENTS
        for resource in _kustomize(argo / "services" / service / "kubernetes" / "overlays" / env)
        if "." in resource["apiVersion"].split("/")[0]
        and not resource["apiVersion"].startswith(("networking.k8s.io", "autoscaling"))
    ]
    assert {r["kind"] for r in custom} == {"ExternalSecret"}
    assert len(custom) == 12
    assert _crd_findings(custom) == []


def test_specs_without_gitops_delivery_get_nothing() -> None:
    for spec in [ROOT / "specs" / "examples" / name for name in ("vm-fleet.yaml", "ja.yaml")]:
        result = validate_file(spec, spec.name)
        assert result.plan is not None and result.loaded is not None
        context = PlanContext(result.plan, spec.name, result.loaded.positions)
        assert gitops.plan(context) == []


def test_protected_and_production_environments_take_pull_requests() -> None:
    result = validate_file(EXAMPLE, EXAMPLE.name)
    assert result.plan is not None and result.plan.automation is not None
    configured = result.plan.automation.gitops
    assert configured is not None
    environments = result.plan.environments
    assert configured.reviewed(environments) == ["production", "dr"]
    default = GitOps(repository="https://github.com/example/parcel-gitops")
    assert default.reviewed(environments) == ["production", "dr"]
    nobody = GitOps(repository="https://github.com/example/x", pull_request_environments=[])
    assert nobody.reviewed(environments) == []


def test_the_example_validates_without_a_finding() -> None:
    result = validate_file(EXAMPLE, EXAMPLE.name)
    assert [d.message for d in result.diagnostics] == []

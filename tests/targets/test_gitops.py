"""The gitops family: Argo CD AppProjects and Applications, or Flux GitRepositories and
Kustomizations, for kubernetes and helm targets with ``delivery: gitops``; the Argo
Rollouts Rollouts and AnalysisTemplates of their canaries; Helm releases installed by the
controller.

Every generated custom resource is validated against its CRD's OpenAPI schema. No
registry reachable here ships the CRDs as YAML or JSON; the npm packages
``@kubernetes-models/argo-cd`` 4.0.0 (Argo CD v3 CRDs), ``@kubernetes-models/flux-cd``
4.0.0 (source-controller, kustomize-controller ``v1`` and helm-controller ``v2``),
``@kubernetes-models/argo-rollouts`` 2.0.0 (compiled from the Go API types of
``github.com/argoproj/argo-rollouts`` v1.9.0, the version in its source's go.mod) and
``@kubernetes-models/external-secrets`` 2.0.0 ship the same schemas compiled into
validators (types, enums, required properties), pinned with their integrity hashes in
``tests/node/package-lock.json`` and run by ``tests/node/crd-validate.mjs``. The CRDs do
not forbid unknown properties, so neither does this check; the tests below assert the
fields themselves. ``kubectl kustomize`` builds every generated kustomization, and
promtool reads every query of an AnalysisTemplate.

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
            {"group": "argoproj.io", "kind": "Rollout", "jsonPointers": ["/spec/replicas"]}
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


CANARIES = [("tracking-api", env) for env in ("dr", "production", "staging")]


def test_kubectl_kustomize_builds_every_overlay_the_controllers_sync(argo: Path) -> None:
    for service in SERVICES:
        for env in ENVIRONMENTS:
            overlay = argo / "services" / service / "kubernetes" / "overlays" / env
            kinds = {resource["kind"] for resource in _kustomize(overlay)}
            workload = "Rollout" if (service, env) in CANARIES else "Deployment"
            assert {workload, "NetworkPolicy"} <= kinds, (service, env)
            assert ({"Rollout", "Deployment"} - {workload}) & kinds == set(), (service, env)


def test_the_overlays_custom_resources_pass_their_crd_schemas(argo: Path) -> None:
    custom = [
        resource
        for service in SERVICES
        for env in ENVIRONMENTS
        for resource in _kustomize(argo / "services" / service / "kubernetes" / "overlays" / env)
        if "." in resource["apiVersion"].split("/")[0]
        and not resource["apiVersion"].startswith(("networking.k8s.io", "autoscaling"))
    ]
    kinds = [r["kind"] for r in custom]
    assert (kinds.count("ExternalSecret"), kinds.count("Rollout")) == (12, 3)
    assert kinds.count("AnalysisTemplate") == 6
    assert len(custom) == 21
    assert _crd_findings(custom) == []


def _built(out: Path, service: str, env: str) -> dict[tuple[str, str], dict[str, Any]]:
    overlay = out / "services" / service / "kubernetes" / "overlays" / env
    return {(r["kind"], r["metadata"]["name"]): r for r in _kustomize(overlay)}


def test_a_gitops_canary_is_a_rollout_weighted_by_ingress_nginx(argo: Path) -> None:
    built = _built(argo, "tracking-api", "production")
    assert ("Deployment", "tracking-api") not in built
    rollout = built[("Rollout", "tracking-api")]
    gate = {"analysis": {"templates": [{"templateName": "tracking-api-canary-errors-low"}]}}
    steps = [
        step
        for weight in (10, 25, 50)
        for step in ({"setWeight": weight}, {"pause": {"duration": "2m"}}, gate)
    ]
    assert rollout["spec"]["strategy"] == {
        "canary": {
            "canaryService": "tracking-api-canary",
            "stableService": "tracking-api",
            "trafficRouting": {"nginx": {"stableIngress": "tracking-api"}},
            "steps": steps,
            "analysis": {
                "templates": [{"templateName": "tracking-api-validation-criteria"}],
                "startingStep": 1,
            },
        }
    }
    assert "replicas" not in rollout["spec"]  # the autoscaler scales the Rollout
    assert built[("HorizontalPodAutoscaler", "tracking-api")]["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "tracking-api",
    }
    stable, canary = built[("Service", "tracking-api")], built[("Service", "tracking-api-canary")]
    assert canary["spec"] == stable["spec"]  # Argo Rollouts narrows each to its pods
    ingress = built[("Ingress", "tracking-api")]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] == {
        "name": "tracking-api",
        "port": {"name": "http"},
    }
    staging = _built(argo, "tracking-api", "staging")[("Rollout", "tracking-api")]
    weights = [
        s["setWeight"] for s in staging["spec"]["strategy"]["canary"]["steps"] if "setWeight" in s
    ]
    assert weights == [20, 50]
    development = _built(argo, "tracking-api", "development")
    assert ("Rollout", "tracking-api") not in development
    assert ("Service", "tracking-api-canary") not in development


def test_analysis_templates_query_the_environments_prometheus(argo: Path) -> None:
    built = _built(argo, "tracking-api", "dr")
    address = "http://prometheus-operated.monitoring.svc:9090"
    step = built[("AnalysisTemplate", "tracking-api-canary-errors-low")]
    query = (
        '100 * sum(rate(http_requests_total{namespace="parcel",service="tracking-api",'
        'code=~"5.."}[2m])) / sum(rate(http_requests_total{namespace="parcel",'
        'service="tracking-api"}[2m]))'
    )
    # passes when one of its 4 attempts passes, as deploy.sh's gate with 3 retries does
    assert step["spec"]["metrics"] == [
        {
            "name": "canary-errors-low",
            "successCondition": "result[0] < 1",
            "provider": {"prometheus": {"address": address, "query": query}},
            "interval": "30s",
            "count": 4,
            "failureLimit": 3,
        }
    ]
    criteria = built[("AnalysisTemplate", "tracking-api-validation-criteria")]["spec"]["metrics"]
    assert [
        (m["name"], m["successCondition"], m["interval"], m["failureLimit"]) for m in criteria
    ] == [
        ("error-rate", "result[0] <= 0.5", "1m", 1),
        ("p95-latency", "result[0] <= 0.3", "1m", 1),
    ]
    assert {m["provider"]["prometheus"]["address"] for m in criteria} == {address}


def test_promtool_accepts_every_analysis_query(argo: Path, tmp_path: Path) -> None:
    queries = [
        metric["provider"]["prometheus"]["query"]
        for service, env in CANARIES
        for (kind, _), resource in _built(argo, service, env).items()
        if kind == "AnalysisTemplate"
        for metric in resource["spec"]["metrics"]
    ]
    assert len(queries) == 9
    rules = {
        "groups": [
            {
                "name": "analysis",
                "rules": [
                    {"record": f"analysis:query_{i}", "expr": q} for i, q in enumerate(queries)
                ],
            }
        ]
    }
    (tmp_path / "analysis.yml").write_text(yaml.safe_dump(rules))
    result = subprocess.run(
        [shutil_which("promtool"), "check", "rules", "analysis.yml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


ALB = {"        ingress_class: nginx\n": "        ingress_class: alb\n"}


def test_an_alb_canary_forwards_through_the_action_argo_rollouts_writes(tmp_path: Path) -> None:
    out = _variant(tmp_path, ALB)
    built = _built(out, "tracking-api", "staging")
    routing = built[("Rollout", "tracking-api")]["spec"]["strategy"]["canary"]["trafficRouting"]
    assert routing == {"alb": {"ingress": "tracking-api", "servicePort": 8080}}
    ingress = built[("Ingress", "tracking-api")]
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] == {
        "name": "tracking-api",
        "port": {"name": "use-annotation"},
    }
    assert _crd_findings([built[("Rollout", "tracking-api")]]) == []


def test_a_canary_behind_an_ingress_argo_rollouts_cannot_weigh_is_refused(
    tmp_path: Path,
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "        ingress_class: nginx\n", "        ingress_class: traefik\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = validate_file(spec, "spec.yaml")
    findings = [(d.code, d.location.line, d.message, d.hint) for d in result.diagnostics]
    line = text.splitlines().index(
        next(t for t in text.splitlines() if t.startswith("      staging: {") and "canary" in t)
    )
    assert findings[0] == (
        "gitops-canary-routing",
        line + 1,
        "the canary of `tracking-api` in `staging` is an Argo Rollouts Rollout, which "
        "deployplan routes through ingress-nginx or the AWS Load Balancer Controller, and "
        "`staging` names `traefik`",
        "set `ingress_class: nginx` or `ingress_class: alb` in `staging`'s "
        "network_configuration (or `traffic_controller: nginx_ingress`), or use "
        "`strategy: rolling`",
    )
    assert [f[0] for f in findings] == ["gitops-canary-routing"] * 3


def test_flux_reads_a_rollouts_health_from_its_phase(flux: Path) -> None:
    spec = _resources(flux / "gitops")["flux/production/tracking-api.yaml"]["spec"]
    assert spec["healthChecks"] == [
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "name": "tracking-api",
            "namespace": "parcel",
        }
    ]
    assert [e["kind"] for e in spec["healthCheckExprs"]] == ["Rollout"]
    assert (
        spec["healthCheckExprs"][0]["failed"] == "has(status.phase) && status.phase == 'Degraded'"
    )
    assert (
        "healthCheckExprs"
        not in (_resources(flux / "gitops")["flux/development/tracking-api.yaml"]["spec"])
    )


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


def _helm_variant(tmp_path: Path, controller: str) -> Path:
    """label-service as a Helm release in every environment, under ``controller``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    targets = text.split("  - name: label-service\n", 1)[1].split("  - name: scan-consumer", 1)[0]
    helm = targets.replace(
        "engine: kubernetes,",
        "engine: helm, chart: oci://registry.example.com/parcel/charts/service, "
        "chart_version: 1.4.2,",
    )
    replacements = {targets: helm}
    if controller == "flux":
        replacements |= FLUX
    return _variant(tmp_path, replacements)


def test_argo_cd_installs_a_helm_release_with_the_values_of_its_folder(tmp_path: Path) -> None:
    out = _helm_variant(tmp_path, "argocd")
    resources = _resources(out / "gitops")
    app = resources["argocd/production/label-service.yaml"]
    folder = "envs/production/label-service"
    assert "source" not in app["spec"]
    assert app["spec"]["sources"] == [
        {
            "repoURL": "registry.example.com/parcel/charts",
            "chart": "service",
            "targetRevision": "1.4.2",
            "helm": {
                "releaseName": "label-service",
                "valueFiles": [f"$values/{folder}/values.yaml", f"$values/{folder}/release.yaml"],
            },
        },
        {
            "repoURL": "https://github.com/example/parcel-gitops",
            "targetRevision": "main",
            "ref": "values",
        },
        {
            "repoURL": "https://github.com/example/parcel-gitops",
            "targetRevision": "main",
            "path": f"{folder}/companions",
        },
    ]
    assert resources["argocd/production/appproject.yaml"]["spec"]["sourceRepos"] == [
        "https://github.com/example/parcel-gitops",
        "registry.example.com/parcel/charts",
    ]
    assert _crd_findings(list(resources.values())) == []


def test_flux_installs_a_helm_release_from_its_oci_repository(tmp_path: Path) -> None:
    out = _helm_variant(tmp_path, "flux")
    kustomization = _resources(out / "gitops")["flux/staging/label-service.yaml"]
    assert kustomization["spec"]["healthChecks"] == [
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "name": "label-service",
            "namespace": "parcel",
        }
    ]
    folder = out / "services" / "label-service" / "kubernetes" / "flux" / "staging"
    files = _resources(folder)
    assert sorted(files) == ["helmrelease.yaml", "kustomizeconfig.yaml", "ocirepository.yaml"]
    assert files["ocirepository.yaml"]["spec"] == {
        "interval": "3m",
        "url": "oci://registry.example.com/parcel/charts/service",
        "ref": {"tag": "1.4.2"},
        "layerSelector": {
            "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
            "operation": "copy",
        },
    }
    release = files["helmrelease.yaml"]["spec"]
    assert release["chartRef"] == {"kind": "OCIRepository", "name": "label-service-chart"}
    assert release["valuesFrom"] == [
        {"kind": "ConfigMap", "name": "label-service-values", "valuesKey": "values.yaml"},
        {"kind": "ConfigMap", "name": "label-service-values", "valuesKey": "release.yaml"},
    ]
    assert release["upgrade"]["remediation"]["remediateLastFailure"] is True
    custom = [files["ocirepository.yaml"], files["helmrelease.yaml"], kustomization]
    assert _crd_findings(custom) == []


def test_a_helm_release_under_gitops_keeps_what_cannot_work_refused(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    targets = text.split("  - name: label-service\n", 1)[1].split("  - name: scan-consumer", 1)[0]
    helm = targets.replace(
        "      staging: {engine: kubernetes,",
        "      staging: {engine: helm, chart: charts/service, strategy: canary, "
        "canary_steps: [50, 100], traffic_controller: flagger,",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(targets, helm), encoding="utf-8")
    result = validate_file(spec, "spec.yaml")
    found = [(d.code, d.message, d.hint) for d in result.diagnostics]
    assert found == [
        (
            "gitops-helm-chart",
            "`label-service` is a Helm release delivered through GitOps in `staging`, so the "
            "controller pulls its chart: it needs an `oci://` chart and its `chart_version`",
            "e.g. `chart: oci://registry.example.com/charts/NAME` and `chart_version: "
            "1.2.3`, or `delivery: direct`",
        ),
        (
            "gitops-engine",
            "`label-service` is a Helm release delivered through GitOps in `staging`, and "
            "its `canary` rollout is driven by deploy.sh in the cluster",
            "use `strategy: rolling`, `engine: kubernetes` for a canary through Argo "
            "Rollouts, or `delivery: direct`",
        ),
    ]

"""What the generated Kubernetes workloads carry: every declared variable and config file,
Pod Security "restricted" settings checked by checkov, NetworkPolicies that admit exactly
the real callers, exact canary shares, and Helm values mapped from the spec."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator.targets.deploy.rollout import pod_split
from tests.conftest import ROOT, run_cli
from tests.targets.kubernetes_helpers import Peer, admitted, build

SHOP = ROOT / "specs" / "deployplan.yaml"
OTHER_SPECS = [
    ROOT / "specs" / "examples" / "ja.yaml",
    ROOT / "tests" / "golden" / "hostile" / "spec.yaml",
]
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
#: checkov checks the generated workloads fail on purpose, and why.
SKIPPED_CHECKS = {
    # A built image's release is chosen at deploy time: deploy.sh sets the tag, and the
    # digest with `--version TAG@sha256:DIGEST` (upstream images carry both in the base).
    "CKV_K8S_14": "the release's image tag is set by deploy.sh",
    "CKV_K8S_43": "the release's image digest is set by deploy.sh",
    # The spec declares environment variables, and the apps read their settings from them;
    # the values stay in a Secret, never in the manifests.
    "CKV_K8S_35": "secrets are delivered as the environment variables the spec declares",
}


def _generate(spec: Path, out: Path, *families: str) -> Path:
    only = [a for family in families for a in ("--only", family)]
    result = run_cli("generate", str(spec), "--out", str(out), "--docs", str(out / "docs"), *only)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shop")
    return _generate(SHOP, out, "kubernetes", "deploy", "backups")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SHOP.read_text())
    return loaded


def _variant(document: dict[str, Any], tmp_path: Path, change: Any) -> Path:
    """The shop with ``change(spec)`` applied, generated into ``tmp_path/out``."""
    spec = copy.deepcopy(document)
    change(spec)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return _generate(tmp_path / "spec.yaml", tmp_path / "out", "kubernetes", "deploy", "backups")


def _service(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in spec["services"] if s["name"] == name)
    return found


def _declared(document: dict[str, Any], service: str, env: str) -> dict[str, Any]:
    """Variable name -> its plain value in ``env``, or ``{"secret": NAME}``."""
    variables = document["configuration_management"]["environment_variables"]
    return {
        v["name"]: {"secret": v["secret"]}
        if "secret" in v
        else v.get("overrides", {}).get(env, v.get("value"))
        for v in variables
        if not v.get("services") or service in v["services"]
    }


def _deployment(resources: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        r for r in resources if r["kind"] == "Deployment" and r["metadata"]["name"] == name
    )
    return found


def _given(entries: list[dict[str, Any]], secret: str) -> dict[str, Any]:
    given = {}
    for entry in entries:
        if "valueFrom" in entry:
            assert entry["valueFrom"]["secretKeyRef"]["name"] == secret
            given[entry["name"]] = {"secret": entry["valueFrom"]["secretKeyRef"]["key"]}
        else:
            given[entry["name"]] = entry["value"]
    return given


def _expected(document: dict[str, Any], service: str, env: str) -> dict[str, Any]:
    # a secret reference reads the Secret under the variable's own name
    return {
        k: {"secret": k} if isinstance(v, dict) else v
        for k, v in _declared(document, service, env).items()
    }


def test_every_variable_reaches_the_kubernetes_workload(
    shop: Path, document: dict[str, Any]
) -> None:
    checked = 0
    for service in document["services"]:
        for env, target in service["targets"].items():
            if target["engine"] != "kubernetes":
                continue
            overlay = shop / "services" / service["name"] / "kubernetes" / "overlays" / env
            workload = _deployment(build(overlay), service["name"])
            container = workload["spec"]["template"]["spec"]["containers"][0]
            given = _given(container.get("env", []), f"{service['name']}-secrets")
            assert given == _expected(document, service["name"], env), (service["name"], env)
            lib = (shop / "services" / service["name"] / "deploy" / env / "lib.sh").read_text()
            secrets = [k for k, v in given.items() if isinstance(v, dict)]
            assert f"SECRET_VARIABLES=({' '.join(secrets)})\n" in lib
            checked += 1
    assert checked == 8  # storefront and orders-api in four environments


def test_the_shop_credentials_reach_their_apps(shop: Path) -> None:
    for service, variable in (("orders-api", "ORDERS_DB_PASSWORD"),
                              ("storefront", "SESSION_SIGNING_KEY")):  # fmt: skip
        overlay = shop / "services" / service / "kubernetes" / "overlays" / "production"
        container = _deployment(build(overlay), service)["spec"]["template"]["spec"]
        env = {e["name"]: e for e in container["containers"][0]["env"]}
        assert env[variable]["valueFrom"] == {
            "secretKeyRef": {"name": f"{service}-secrets", "key": variable}
        }


def test_every_variable_reaches_the_helm_values(shop: Path, document: dict[str, Any]) -> None:
    for env in _service(document, "payments")["targets"]:
        values = yaml.safe_load(
            (shop / "services" / "payments" / "deploy" / env / "values.yaml").read_text()
        )
        assert _given(values["env"], "payments-secrets") == _expected(document, "payments", env)
        assert values["existingSecret"] == "payments-secrets"


def test_config_files_are_mounted_at_their_spec_paths(shop: Path) -> None:
    overlay = shop / "services" / "storefront" / "kubernetes" / "overlays" / "development"
    resources = build(overlay)
    config = next(r for r in resources if r["kind"] == "ConfigMap")
    assert yaml.safe_load(config["data"]["storefront-config"]) == {
        "api_base_url": "http://orders-api.shop.svc.cluster.local:8080",
        "media_cdn_url": "https://media.dev.shop.example.com",
        "page_cache_ttl_seconds": 0,
        "feature_new_checkout": True,
    }
    pod = _deployment(resources, "storefront")["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "config")
    assert volume["configMap"]["name"] == config["metadata"]["name"]
    assert volume["configMap"]["items"] == [
        {"key": "storefront-config", "path": "config/storefront.yaml"}
    ]
    mounts = pod["containers"][0]["volumeMounts"]
    assert {"name": "config", "mountPath": "/etc/storefront", "readOnly": True} in mounts


def _write(resources: list[dict[str, Any]], folder: Path, prefix: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, resource in enumerate(resources):
        path = folder / f"{prefix}-{index}-{resource['kind'].lower()}.yaml"
        path.write_text(yaml.safe_dump(resource))
        paths.append(path)
    return paths


def _built(out: Path, folder: Path) -> list[Path]:
    """Every overlay, helm companion folder and backup folder of ``out``, built."""
    paths: list[Path] = []
    kustomizations = sorted(out.glob("services/*/kubernetes/*/*/kustomization.yaml"))
    kustomizations += sorted(out.glob("services/*/backup/*/kustomization.yaml"))
    for number, kustomization in enumerate(kustomizations):
        paths += _write(build(kustomization.parent), folder, str(number))
    return paths


def _checkov(folder: Path) -> dict[str, Any]:
    skips = ",".join(sorted(SKIPPED_CHECKS))
    result = subprocess.run(
        [
            CHECKOV,
            "--directory",
            str(folder),
            "--framework",
            "kubernetes",
            "--compact",
            "--quiet",
            "--output",
            "json",
            "--skip-check",
            skips,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    reports: list[dict[str, Any]] = report if isinstance(report, list) else [report]
    return {
        "failed": sorted(
            (c["check_id"], c["resource"]) for r in reports for c in r["results"]["failed_checks"]
        ),
        "passed": sum(r["summary"]["passed"] for r in reports),
        "errors": sum(r["summary"]["parsing_errors"] for r in reports),
    }


def _velero(spec: dict[str, Any]) -> None:
    """orders-api's invoices also backed up with Velero, restore-tested weekly."""
    strategy = spec["backup_strategy"]
    strategy["backup_types"].append(
        {
            "name": "orders_namespace",
            "kind": "snapshot",
            "engine": "velero",
            "service": "orders-api",
            "environments": ["production"],
            "source": "shop",
            "repository": "default",
        }
    )
    schedule = strategy["schedule"]
    schedule["jobs"].append({"backup": "orders_namespace", "cron": "30 2 * * *"})
    schedule["restore_tests"].append({"backup": "orders_namespace", "cron": "0 5 * * 0"})


def test_checkov_finds_nothing_beyond_the_listed_skips(
    shop: Path, document: dict[str, Any], tmp_path: Path
) -> None:
    velero = _variant(document, tmp_path / "velero", _velero)
    built = tmp_path / "built"
    paths = _built(shop, built / "shop") + _built(velero, built / "velero")
    for spec in OTHER_SPECS:
        out = _generate(spec, tmp_path / spec.parent.name, "kubernetes", "backups")
        paths += _built(out, built / spec.parent.name)
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in paths}
    assert {"Deployment", "CronJob", "ServiceAccount", "ClusterRole"} <= kinds
    report = _checkov(built)
    assert (report["failed"], report["errors"]) == ([], 0)
    assert report["passed"] > 1000


def test_backup_jobs_get_an_api_token_only_for_velero(
    document: dict[str, Any], tmp_path: Path
) -> None:
    out = _variant(document, tmp_path, _velero)
    tokens = {}
    for path in sorted(out.glob("services/*/backup/*/kubernetes/*.yaml")):
        for resource in yaml.safe_load_all(path.read_text()):
            if resource["kind"] == "CronJob":
                pod = resource["spec"]["jobTemplate"]["spec"]["template"]["spec"]
                tokens[resource["metadata"]["name"]] = pod["automountServiceAccountToken"]
                assert pod["containers"][0]["resources"]["limits"] == {
                    "cpu": "2",
                    "memory": "2Gi",
                }
    assert {name for name, token in tokens.items() if token} == {
        "orders-api-orders-namespace",
        "orders-api-orders-namespace-verify",
    }
    assert len(tokens) > 2


def _policies(out: Path, env: str) -> list[dict[str, Any]]:
    return [
        r
        for path in sorted(out.glob(f"services/*/kubernetes/*/{env}/kustomization.yaml"))
        for r in build(path.parent)
        if r["kind"] == "NetworkPolicy"
    ]


def _pod(name: str) -> dict[str, str]:
    """The labels of a generated Deployment's pods, or of the payments chart's."""
    if name == "payments":
        return {"app.kubernetes.io/name": "payments-chart", "app.kubernetes.io/instance": name}
    return {"app.kubernetes.io/name": name, "deployplan.dev/track": "stable"}


def _cluster_address(url: str) -> tuple[str, str, int]:
    """(service, namespace, port) of ``http://service.namespace.svc.cluster.local:port``."""
    parts = urlsplit(url)
    service, namespace = (parts.hostname or "").split(".")[:2]
    return service, namespace, parts.port or 80


def test_network_policies_admit_the_gates_probes_and_callers(
    shop: Path, document: dict[str, Any]
) -> None:
    env = "production"
    policies = _policies(shop, env)
    assert {p["metadata"]["name"] for p in policies} == {"storefront", "orders-api", "payments"}
    runner = Peer(ip="10.20.7.9")  # the self-hosted deploy runner in production's VPC
    gates = [
        _cluster_address(point["check"]["url"])
        for point in document["deployment_flow"]["validation_points"]
        if point["check"]["type"] == "http" and ".svc.cluster.local" in point["check"]["url"]
    ]
    assert {service for service, _, _ in gates} == {"orders-api", "payments"}
    for service, namespace, port in gates:
        assert admitted(policies, _pod(service), namespace, runner, port)
    prometheus = Peer("monitoring", {"app.kubernetes.io/name": "prometheus"})
    for target in document["monitoring"]["metrics_collection"]["targets"]:
        if target["service"] in ("storefront", "orders-api"):
            assert admitted(policies, _pod(target["service"]), "shop", prometheus, target["port"])
    blackbox = Peer("monitoring", {"app.kubernetes.io/name": "blackbox-exporter"})
    assert admitted(policies, _pod("storefront"), "shop", blackbox, 3000)
    controller = Peer("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
    assert admitted(policies, _pod("storefront"), "shop", controller, 3000)
    storefront = Peer("shop", _pod("storefront"))
    assert admitted(policies, _pod("orders-api"), "shop", storefront, 8080)
    orders = Peer("shop", _pod("orders-api"))
    assert admitted(policies, _pod("payments"), "payments", orders, 8080)
    assert not admitted(policies, _pod("payments"), "payments", storefront, 8080)
    assert admitted(policies, _pod("payments"), "payments", prometheus, 8080)
    # and nothing else: another namespace's pods, other ports, addresses outside the VPC
    stranger = Peer("other", _pod("storefront"))
    assert not admitted(policies, _pod("orders-api"), "shop", stranger, 8080)
    assert not admitted(policies, _pod("orders-api"), "shop", storefront, 9090)
    assert not admitted(policies, _pod("orders-api"), "shop", Peer(ip="192.0.2.1"), 8080)
    assert not admitted(policies, _pod("storefront"), "shop", prometheus, 22)


def test_in_cluster_runners_are_admitted_from_their_namespace(
    document: dict[str, Any], tmp_path: Path
) -> None:
    def runners(spec: dict[str, Any]) -> None:
        _service(spec, "orders-api")["targets"]["production"]["runner_namespace"] = "ci-runners"

    policies = _policies(_variant(document, tmp_path, runners), "production")
    runner = Peer("ci-runners", {"app": "runner"})
    assert admitted(policies, _pod("orders-api"), "shop", runner, 8080)
    assert not admitted(policies, _pod("orders-api"), "shop", Peer(ip="10.20.7.9"), 8080)


@pytest.mark.parametrize(
    ("percent", "replicas", "split"),
    [
        (10, 4, (1, 9)),
        (50, 4, (2, 2)),
        (25, 4, (1, 3)),
        (25, 6, (2, 6)),
        (90, 2, (9, 1)),
        (20, 5, (1, 4)),
        (33, 3, (1, 2)),
    ],
)
def test_canary_pods_make_the_step_share(
    percent: int, replicas: int, split: tuple[int, int]
) -> None:
    assert pod_split(percent, replicas) == split
    canary, stable = split
    assert canary + stable >= replicas


def test_the_shop_canary_runs_a_tenth_of_its_pods_at_ten_percent(shop: Path) -> None:
    lib = (shop / "services" / "storefront" / "deploy" / "production" / "lib.sh").read_text()
    assert "CANARY_STEPS=(10 50)\nCANARY_PODS=(1 2)\nSTABLE_PODS=(9 2)\n" in lib
    assert "CANARY_SHARES=(10 50)\n" in lib


def _nginx(spec: dict[str, Any]) -> None:
    _service(spec, "storefront")["targets"]["production"]["traffic_controller"] = "nginx_ingress"


def test_nginx_ingress_weighs_the_canary(document: dict[str, Any], tmp_path: Path) -> None:
    out = _variant(document, tmp_path, _nginx)
    canary = build(out / "services" / "storefront" / "kubernetes" / "overlays" / "production")
    canary += build(
        out / "services" / "storefront" / "kubernetes" / "overlays" / "production" / "canary"
    )
    ingresses = {r["metadata"]["name"]: r for r in canary if r["kind"] == "Ingress"}
    annotations = ingresses["storefront-canary"]["metadata"]["annotations"]
    assert annotations == {
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": "0",
    }
    rule = ingresses["storefront-canary"]["spec"]["rules"][0]
    assert rule["host"] == ingresses["storefront"]["spec"]["rules"][0]["host"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "storefront-canary"
    services = {r["metadata"]["name"]: r for r in canary if r["kind"] == "Service"}
    pods = _deployment(canary, "storefront-canary")["spec"]["template"]["metadata"]["labels"]
    main = services["storefront"]["spec"]["selector"]
    assert not all(pods.get(k) == v for k, v in main.items())  # the main Service skips it
    selector = services["storefront-canary"]["spec"]["selector"]
    assert all(pods.get(k) == v for k, v in selector.items())


def test_pods_run_restricted_with_a_writable_tmp(shop: Path) -> None:
    overlay = shop / "services" / "orders-api" / "kubernetes" / "overlays" / "production"
    pod = _deployment(build(overlay), "orders-api")["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = pod["containers"][0]
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {}} in pod["volumes"]
    assert set(container["resources"]) == {"requests", "limits"}


def test_an_upstream_image_is_pinned_by_digest(document: dict[str, Any], tmp_path: Path) -> None:
    digest = "sha256:" + "ab" * 32

    def upstream(spec: dict[str, Any]) -> None:
        _service(spec, "orders-api")["upstream"] = {"version": "2.4.1", "digest": digest}

    out = _variant(document, tmp_path, upstream)
    base = out / "services" / "orders-api" / "kubernetes" / "base" / "deployment.yaml"
    container = yaml.safe_load(base.read_text())["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == f"registry.example.com/shop/orders-api:2.4.1@{digest}"


def _helm(spec: dict[str, Any]) -> None:
    target = _service(spec, "payments")["targets"]["production"]
    target |= {
        "chart_version": "4.2.1",
        "strategy": "canary",
        "canary_steps": [20, 60, 100],
        "traffic_controller": "flagger",
        "values": {"podAnnotations": {"team": "payments"}, "resources": {"limits": {"cpu": "3"}}},
    }


def test_helm_values_take_the_targets_passthrough(document: dict[str, Any], tmp_path: Path) -> None:
    out = _variant(document, tmp_path, _helm)
    deploy = out / "services" / "payments" / "deploy" / "production"
    values = yaml.safe_load((deploy / "values.yaml").read_text())
    assert values["podAnnotations"] == {"team": "payments"}
    assert values["resources"] == {
        "requests": {"cpu": "1", "memory": "1536Mi"},
        "limits": {"cpu": "3", "memory": "2Gi"},
    }
    assert "CHART_VERSION=4.2.1\n" in (deploy / "lib.sh").read_text()


def test_a_helm_canary_is_a_flagger_canary(document: dict[str, Any], tmp_path: Path) -> None:
    out = _variant(document, tmp_path, _helm)
    folder = out / "services" / "payments" / "kubernetes" / "helm" / "production"
    canary = next(r for r in build(folder) if r["kind"] == "Canary")
    assert canary["metadata"] == {"name": "payments", "namespace": "payments"}
    assert canary["spec"]["targetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "payments",
    }
    assert canary["spec"]["analysis"]["stepWeights"] == [20, 60]


def _validate(document: dict[str, Any], tmp_path: Path, change: Any) -> list[dict[str, Any]]:
    spec = copy.deepcopy(document)
    change(spec)
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = run_cli("validate", str(tmp_path / "spec.yaml"), "--format", "json")
    problems: list[dict[str, Any]] = json.loads(result.output) if result.output.strip() else []
    return problems


def test_a_helm_canary_without_flagger_is_refused(document: dict[str, Any], tmp_path: Path) -> None:
    def canary(spec: dict[str, Any]) -> None:
        _helm(spec)
        del _service(spec, "payments")["targets"]["production"]["traffic_controller"]

    problems = _validate(document, tmp_path, canary)
    assert [(p["code"], p["message"]) for p in problems] == [
        ("strategy-unsupported", "the `helm` engine cannot carry out a `canary` rollout")
    ]
    assert _validate(document, tmp_path, _helm) == []


def test_a_traffic_controller_fits_its_engine(document: dict[str, Any], tmp_path: Path) -> None:
    def wrong(spec: dict[str, Any]) -> None:
        _helm(spec)
        _service(spec, "payments")["targets"]["production"]["traffic_controller"] = "nginx_ingress"

    problems = _validate(document, tmp_path, wrong)
    assert ("traffic-controller", "`traffic_controller: nginx_ingress` splits the traffic of "
            "a `kubernetes` canary, not of a `helm` `canary` rollout") in [
        (p["code"], p["message"]) for p in problems
    ]  # fmt: skip


def _store(spec: dict[str, Any]) -> None:
    _service(spec, "orders-api")["targets"]["production"]["secret_store"] = "vault-shop"


def test_a_secret_store_fills_the_secret_through_an_external_secret(
    document: dict[str, Any], tmp_path: Path
) -> None:
    out = _variant(document, tmp_path, _store)
    overlay = out / "services" / "orders-api" / "kubernetes" / "overlays" / "production"
    resources = build(overlay)
    external = next(r for r in resources if r["kind"] == "ExternalSecret")
    assert external["spec"] == {
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault-shop"},
        "target": {"name": "orders-api-external-secrets", "creationPolicy": "Owner"},
        "data": [
            {
                "secretKey": "ORDERS_DB_PASSWORD",
                "remoteRef": {"key": "orders-db/app", "property": "password"},
            }
        ],
    }
    container = _deployment(resources, "orders-api")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["ORDERS_DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "orders-api-external-secrets",
        "key": "ORDERS_DB_PASSWORD",
    }
    lib = out / "services" / "orders-api" / "deploy" / "production" / "lib.sh"
    assert "SECRET_VARIABLES=()\n" in lib.read_text()  # nothing left for deploy.sh to create


#: Kinds of the operators the manifests target, whose schemas kubernetes-validate lacks.
CUSTOM_KINDS = {"ExternalSecret", "Canary"}


def test_every_built_resource_is_valid_kubernetes(
    shop: Path, document: dict[str, Any], tmp_path: Path
) -> None:
    outs = [shop] + [
        _variant(document, tmp_path / name, change)
        for name, change in (("nginx", _nginx), ("velero", _velero), ("helm", _helm))
    ]
    paths = [
        path
        for number, out in enumerate(outs)
        for path in _built(out, tmp_path / "built" / str(number))
        if yaml.safe_load(path.read_text())["kind"] not in CUSTOM_KINDS
    ]
    result = subprocess.run(
        [ROOT / ".venv" / "bin" / "kubernetes-validate", "--strict", "--quiet", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert len(paths) > 100


def test_an_upstream_image_by_tag_in_production_is_warned_about(
    document: dict[str, Any], tmp_path: Path
) -> None:
    def upstream(spec: dict[str, Any]) -> None:
        _service(spec, "orders-api")["upstream"] = {"version": "2.4.1"}

    problems = _validate(document, tmp_path, upstream)
    assert [(p["code"], p["severity"], p["message"]) for p in problems] == [
        (
            "image-tag",
            "warning",
            "`production` runs the upstream image of `orders-api` by its tag `2.4.1`, which "
            "can be moved to other bytes",
        )
    ]
    digest = "sha256:" + "cd" * 32

    def pinned(spec: dict[str, Any]) -> None:
        for name in ("orders-api", "payments"):
            _service(spec, name)["upstream"] = {"version": "2.4.1", "digest": digest}

    assert _validate(document, tmp_path, pinned) == []
    out = _variant(document, tmp_path / "pinned", pinned)
    values = out / "services" / "payments" / "deploy" / "production" / "values.yaml"
    assert yaml.safe_load(values.read_text())["image"] == {
        "repository": "registry.example.com/shop/payments",
        "digest": digest,
    }


def test_a_helm_secret_store_fills_the_values_secret_through_an_external_secret(
    document: dict[str, Any], tmp_path: Path
) -> None:
    def store(spec: dict[str, Any]) -> None:
        _service(spec, "payments")["targets"]["production"]["secret_store"] = "vault-shop"

    out = _variant(document, tmp_path, store)
    folder = out / "services" / "payments" / "kubernetes" / "helm" / "production"
    external = next(r for r in build(folder) if r["kind"] == "ExternalSecret")
    assert [d["secretKey"] for d in external["spec"]["data"]] == [
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
    ]
    deploy = out / "services" / "payments" / "deploy" / "production"
    values = yaml.safe_load((deploy / "values.yaml").read_text())
    names = {e["valueFrom"]["secretKeyRef"]["name"] for e in values["env"] if "valueFrom" in e}
    assert names == {"payments-external-secrets"}
    assert "existingSecret" not in values

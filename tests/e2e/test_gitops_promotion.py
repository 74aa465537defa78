"""The GitOps promotion for real against a bare git repository on disk: deploy.sh commits
the overlay with the image pinned by digest and pushes it; a stand-in for Argo CD's status
(kubectl that answers `get application` from the pushed commit and a state file the test
writes) reports it synced and healthy, or degraded, and a failed gate reverts the commit.
A fresh runner lists and rolls back from the repository's history alone; a reviewed
environment waits for the merge of its branch. A canary is an Argo Rollouts Rollout: a
paused one is not healthy yet, a degraded one (an aborted analysis) reverts the promotion.
A Helm release is promoted as its values with the image pinned, for Flux to install. No
generated script writes to the cluster."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.helpers import environment, generate, run, spec

BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
V1 = "1.0.0@sha256:" + "1" * 64
V2 = "2.0.0@sha256:" + "2" * 64
V3 = "3.0.0@sha256:" + "3" * 64
#: Argo CD as far as `kubectl get application` shows it: synced to the remote branch's
#: head; healthy, unless the state file lists other answers for the digest in the folder
#: (one answer a call, the last one kept). Records every call, and refuses anything but get.
CONTROLLER = r"""#!/usr/bin/env python3
import json, os, pathlib, re, subprocess, sys
argv = sys.argv[1:]
root = pathlib.Path(os.environ["E2E_ROOT"])
with (root / "kubectl.jsonl").open("a") as record:
    record.write(json.dumps(argv) + "\n")
if argv[:2] not in (["get", "application"], ["get", "kustomization"]):
    sys.exit("stand-in kubectl: only `get application` and `get kustomization` are answered")
env = argv[2].rsplit("-", 1)[1]
remote = os.environ["E2E_REMOTE"]
git = ["git", "--git-dir", remote]
head = subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True).stdout.strip()
shown = "".join(
    subprocess.run([*git, "show", f"main:envs/{env}/web/{name}"],
                   capture_output=True, text=True).stdout
    for name in ("kustomization.yaml", "release.yaml")
)
found = re.search(r"sha256:[0-9a-f]+", shown)
digest = found.group(0) if found else ""
state_file = root / "controller.json"
state = json.loads(state_file.read_text()) if state_file.exists() else {}
answers = state.get(digest, ["Healthy"])
counter = root / f"calls-{digest or 'none'}"
calls = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(calls + 1))
health = answers[min(calls, len(answers) - 1)]
answer = {
    "{.status.sync.status}": "Synced",
    "{.status.health.status}": health,
    "{.status.sync.revision}": head,
    '{.status.conditions[?(@.type=="Ready")].status}': str(health == "Healthy"),
    '{.status.conditions[?(@.type=="Ready")].reason}': {
        "Healthy": "ReconciliationSucceeded", "Degraded": "HealthCheckFailed"
    }.get(health, "Progressing"),
    "{.status.lastAttemptedRevision}": f"main@sha1:{head}",
}
fmt = argv[argv.index("-o") + 1].removeprefix("jsonpath=")
for field, value in answer.items():
    fmt = fmt.replace(field, value)
print(fmt, end="")
"""
#: The gate after the promotion: the controller still reports the service healthy.
GATES = {
    "argocd": 'kubectl get application "web-$ENVIRONMENT" --namespace argocd '
    "-o 'jsonpath={.status.health.status}' | grep -qx Healthy",
    "flux": 'kubectl get kustomization "web-$ENVIRONMENT" --namespace flux-system '
    """-o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -qx True""",
}
#: A branch protection: main takes no push.
PROTECTED = """#!/bin/sh
while read -r old new ref; do
    if [ "$ref" = refs/heads/main ]; then echo "main is protected" >&2; exit 1; fi
done
"""
WRITES = re.compile(r"\b(apply|delete|scale|rollout\s+undo|patch|create)\b")


def git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout


def web(**targets: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "web",
        "description": "The web service.",
        "kind": "api",
        "owner": "ops",
        "image": "registry.example.com/web",
        "port": 8080,
        "targets": targets,
    }


@pytest.fixture(scope="module", params=sorted(GATES))
def out(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The scripts of web, promoted in staging and production through Argo CD or Flux."""
    controller = request.param
    folder = tmp_path_factory.mktemp(f"gitops-{controller}")
    target = {"engine": "kubernetes", "namespace": "shop", "delivery": "gitops"}
    document = spec(
        [web(staging=target, production=target)],
        deployment_flow={
            "stages": [{"name": "promote", "action": "deploy", "timeout": "2m"}],
            "validation_points": [
                {"name": "still_healthy", "after_stage": "promote", "retries": 0}
                | {"check": {"type": "command", "command": GATES[controller]}}
            ],
        },
        automation={
            "ci_cd_pipeline": {"providers": ["github_actions"], "registry": "registry.example.com"},
            "gitops": {"repository": "https://git.example.com/shop-gitops"}
            | {"controller": controller},
        },
    )
    document["environments"]["production"] = document["environments"]["staging"] | {
        "environment_type": "production"
    }
    return generate(document, folder, "deploy", "kubernetes")


@pytest.fixture(scope="module")
def canary_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """web as a canary through ingress-nginx in staging, promoted through Argo CD."""
    folder = tmp_path_factory.mktemp("gitops-canary")
    target = {"engine": "kubernetes", "namespace": "shop", "delivery": "gitops"}
    canary = target | {"strategy": "canary", "canary_steps": [25, 100]}
    document = spec(
        [web(staging=canary)],
        deployment_flow={"stages": [{"name": "promote", "action": "deploy", "timeout": "2m"}]},
        automation={
            "ci_cd_pipeline": {"providers": ["github_actions"], "registry": "registry.example.com"},
            "gitops": {"repository": "https://git.example.com/shop-gitops"}
            | {"rollouts": {"step_pause": "30s"}},
        },
    )
    document["environments"]["staging"]["infrastructure"]["network_configuration"] = {
        "ingress_class": "nginx",
        "ingresses": [{"host": "web.staging.example.com", "service": "web"}],
    }
    return generate(document, folder, "deploy", "kubernetes")


@pytest.fixture(scope="module")
def chart_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """web as a Helm release in staging, its chart installed by Flux."""
    folder = tmp_path_factory.mktemp("gitops-helm")
    target = {"engine": "helm", "namespace": "shop", "delivery": "gitops"}
    chart = {"chart": "oci://registry.example.com/charts/web", "chart_version": "1.4.2"}
    document = spec(
        [web(staging=target | chart)],
        deployment_flow={"stages": [{"name": "promote", "action": "deploy", "timeout": "2m"}]},
        automation={
            "ci_cd_pipeline": {"providers": ["github_actions"], "registry": "registry.example.com"},
            "gitops": {"repository": "https://git.example.com/shop-gitops", "controller": "flux"},
        },
    )
    return generate(document, folder, "deploy", "kubernetes")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare GitOps repository with one commit on main, as a new one has."""
    bare = tmp_path / "gitops.git"
    git("init", "--quiet", "--bare", "--initial-branch", "main", str(bare))
    seed = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(seed))
    (seed / "README.md").write_text("The desired state of the shop's clusters.\n")
    git("add", "README.md", cwd=seed)
    git("-c", "user.name=ops", "-c", "user.email=ops@example.com", "commit", "--quiet",
        "-m", "Start the GitOps repository", cwd=seed)  # fmt: skip
    git("push", "--quiet", "origin", "HEAD:main", cwd=seed)
    return bare


def runner(root: Path, remote: Path) -> dict[str, str]:
    """A machine with nothing recorded: its own state, audit log and temp folder."""
    root.mkdir(parents=True, exist_ok=True)
    stand_ins = root / "bin"
    stand_ins.mkdir(exist_ok=True)
    (stand_ins / "kubectl").write_text(CONTROLLER)
    (stand_ins / "kubectl").chmod(0o755)
    env = environment(
        root,
        DEPLOYPLAN_GITOPS_REPO=str(remote),
        DEPLOYPLAN_GITOPS_POLL="0.1",
        E2E_ROOT=str(root),
        E2E_REMOTE=str(remote),
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
    )
    env["PATH"] = f"{stand_ins}:{env['PATH']}"
    return env


def script(out: Path, name: str, env: str = "staging") -> Path:
    return out / "services" / "web" / "deploy" / env / f"{name}.sh"


def history(remote: Path, path: str = "envs/staging/web") -> list[str]:
    return git("--git-dir", str(remote), "log", "--format=%s", "main", "--", path).splitlines()


def pinned(remote: Path, env: str = "staging", ref: str = "main") -> str:
    shown = git("--git-dir", str(remote), "show", f"{ref}:envs/{env}/web/kustomization.yaml")
    images = re.findall(r"newTag: \"(.*)\"\n    digest: \"(.*)\"", shown)
    return "@".join(images[0])


def test_a_promotion_commits_the_overlay_pinned_by_digest(out: Path, remote: Path) -> None:
    env = runner(remote.parent / "ci", remote)
    result = run(script(out, "deploy"), "--version", V1, env=env)
    assert result.returncode == 0, result.stderr
    assert history(remote) == [f"Promote web to staging: {V1}"]
    assert pinned(remote) == V1
    message = git("--git-dir", str(remote), "log", "-1", "--format=%B", "main")
    assert message == (
        f"Promote web to staging: {V1}\n\n"
        f"web in staging runs registry.example.com/web@{V1.split('@')[1]} (1.0.0).\n\n"
        "Deployplan-Service: web\nDeployplan-Environment: staging\n"
        f"Deployplan-Version: {V1}\nDeployplan-Actor: tester\n\n"
    )
    # what Argo CD would sync: the folder builds, the image pinned by digest
    checkout = remote.parent / "checkout"
    git("clone", "--quiet", str(remote), str(checkout))
    built = subprocess.run(
        ["/usr/bin/kubectl", "kustomize", str(checkout / "envs" / "staging" / "web")],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert f"image: registry.example.com/web:{V1}\n" in built
    assert "namespace: shop" in built


def test_a_failed_gate_reverts_the_promotion(out: Path, remote: Path) -> None:
    ci = remote.parent / "ci"
    env = runner(ci, remote)
    assert run(script(out, "deploy"), "--version", V1, env=env).returncode == 0
    # v2 syncs healthy, then degrades: the gate after the stage sees it
    (ci / "controller.json").write_text(json.dumps({V2.split("@")[1]: ["Healthy", "Degraded"]}))
    result = run(script(out, "deploy"), "--version", V2, env=env)
    assert result.returncode == 1, result.stderr
    assert "gate still_healthy failed after 1 attempts" in result.stderr
    assert history(remote) == [
        f"Roll back web in staging to {V1}",
        f"Promote web to staging: {V2}",
        f"Promote web to staging: {V1}",
    ]
    assert pinned(remote) == V1
    last = json.loads((ci / "audit.jsonl").read_text().splitlines()[-1])
    assert (last["result"], last["rollback"]) == (
        "failed",
        {"performed": True, "to": V1, "result": "succeeded"},
    )
    calls = [json.loads(line) for line in (ci / "kubectl.jsonl").read_text().splitlines()]
    assert {call[0] for call in calls} == {"get"}


def test_a_fresh_runner_lists_and_rolls_back_from_the_repository(out: Path, remote: Path) -> None:
    ci = runner(remote.parent / "ci", remote)
    for version in (V1, V3):
        assert run(script(out, "deploy"), "--version", version, env=ci).returncode == 0
    fresh = runner(remote.parent / "fresh", remote)
    listed = run(script(out, "rollback"), "--list", env=fresh)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[:3] == [
        f"current: {V3}",
        f"previous: {V1}",
        "promotions of web to staging in envs/staging/web on main (oldest first):",
    ]
    assert [line.strip().split(" ", 3)[2:] for line in lines[3:]] == [
        [V1, f"Promote web to staging: {V1}"],
        [V3, f"Promote web to staging: {V3}"],
    ]
    result = run(script(out, "rollback"), "--yes", env=fresh)
    assert result.returncode == 0, result.stderr
    assert pinned(remote) == V1
    promoted = git("--git-dir", str(remote), "log", "-1", "--format=%H", "main~1")
    message = git("--git-dir", str(remote), "log", "-1", "--format=%B", "main")
    assert message.startswith(f"Roll back web in staging to {V1}\n")
    assert f"Deployplan-Reverts: {promoted.strip()}" in message


def test_production_promotes_the_digest_staging_runs_after_review(out: Path, remote: Path) -> None:
    env = runner(remote.parent / "ci", remote)
    production = script(out, "deploy", "production")
    refused = run(production, "--yes", "--version", "1.0.0", env=env)
    assert refused.returncode == 1
    assert (
        "refusing to promote registry.example.com/web by the tag 1.0.0 to production: "
        "pass --version 1.0.0@sha256:DIGEST"
    ) in refused.stderr
    assert run(script(out, "deploy"), "--version", V1, env=env).returncode == 0
    other = "1.0.0@" + V2.split("@")[1]
    refused = run(production, "--yes", "--version", other, env=env)
    assert refused.returncode == 1
    assert (
        f"refusing to promote {other} to production: staging runs 1.0.0 as {V1.split('@')[1]}"
    ) in refused.stderr
    # the tag alone: staging's digest, proposed on a branch for review
    waiting = run(production, "--yes", "--version", "1.0.0", env=env)
    assert waiting.returncode == 1
    assert f"promoting the image staging runs: {V1}" in waiting.stderr
    branch = "deployplan/web-production-1.0.0-111111111111"
    assert (
        f"waiting for review: {branch} proposes {V1} for production; run deploy.sh "
        f"--version {V1} again once it is merged"
    ) in waiting.stderr
    assert f"--base main --head {branch}" in waiting.stderr  # the command that opens it
    assert history(remote, "envs/production/web") == []
    assert pinned(remote, "production", branch) == V1
    # the review merges the branch; deploying again waits for the sync and the gates
    git("--git-dir", str(remote), "update-ref", "refs/heads/main", f"refs/heads/{branch}")
    merged = run(production, "--yes", "--version", "1.0.0", env=env)
    assert merged.returncode == 0, merged.stderr
    assert f"envs/production/web holds {V1} already: nothing to commit" in merged.stderr


def test_a_protected_branch_takes_the_revert_through_review(out: Path, remote: Path) -> None:
    ci = remote.parent / "ci"
    env = runner(ci, remote)
    production = script(out, "deploy", "production")
    assert run(script(out, "deploy"), "--version", V1, env=env).returncode == 0
    assert run(production, "--yes", "--version", "1.0.0", env=env).returncode == 1
    branch = "deployplan/web-production-1.0.0-111111111111"
    git("--git-dir", str(remote), "update-ref", "refs/heads/main", f"refs/heads/{branch}")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(PROTECTED)
    hook.chmod(0o755)
    # production syncs healthy, then degrades
    digest = V1.split("@")[1]
    (ci / f"calls-{digest}").unlink()
    (ci / "controller.json").write_text(json.dumps({digest: ["Healthy", "Degraded"]}))
    result = run(production, "--yes", "--version", "1.0.0", env=env)
    assert result.returncode == 5, result.stderr
    reverts = git("--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)",
                  "refs/heads/deployplan/web-production-revert-*").split()  # fmt: skip
    assert len(reverts) == 1
    assert (
        f"the revert waits for review on {reverts[0]}: web in production still runs what was "
        "promoted"
    ) in result.stderr
    assert pinned(remote, "production") == V1  # main is untouched until the review
    assert history(remote, "envs/production/web") == [f"Promote web to production: {V1}"]
    log = git("--git-dir", str(remote), "log", "--format=%s", reverts[0], "--", "envs/production")
    assert log.splitlines()[0] == "Roll back web in production to nothing"


def test_a_dry_run_prints_the_commit_and_the_push_and_changes_nothing(
    out: Path, remote: Path
) -> None:
    env = runner(remote.parent / "ci", remote)
    result = run(script(out, "deploy"), "--dry-run", "--version", V1, env=env)
    assert result.returncode == 0, result.stderr
    clone = "[^ ]*/deployplan[.][A-Za-z0-9]+/gitops"
    printed = [re.sub(clone, "CLONE", line) for line in result.stdout.splitlines()]
    assert printed[:2] == [
        "+ git -C CLONE commit --quiet --file " + printed[0].rsplit(" ", 1)[1],
        "+ git -C CLONE push --quiet origin HEAD:refs/heads/main",
    ]
    assert printed[0].endswith("/message")
    assert history(remote) == []


def test_no_script_writes_to_the_cluster(out: Path) -> None:
    scripts = sorted((out / "services" / "web" / "deploy").rglob("*.sh"))
    writes = [
        f"{path.relative_to(out)}: {line.strip()}"
        for path in scripts
        for line in path.read_text().splitlines()
        if re.search(r"kubectl|KUBECTL|\bk\s", line) and WRITES.search(line)
    ]
    assert writes == []


def test_the_scripts_pass_shellcheck(out: Path) -> None:
    shellcheck = shutil.which("shellcheck", path=str(BIN))
    assert shellcheck
    for folder in sorted((out / "services" / "web" / "deploy").iterdir()):
        result = subprocess.run(
            [shellcheck, "-x", "-a", "-f", "gcc", *sorted(p.name for p in folder.glob("*.sh"))],
            cwd=folder, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.stdout == "", result.stdout


def test_a_canary_promotes_a_rollout_pinned_by_digest(canary_out: Path, remote: Path) -> None:
    env = runner(remote.parent / "ci", remote)
    result = run(script(canary_out, "deploy"), "--version", V1, env=env)
    assert result.returncode == 0, result.stderr
    checkout = remote.parent / "checkout"
    git("clone", "--quiet", str(remote), str(checkout))
    built = subprocess.run(
        ["/usr/bin/kubectl", "kustomize", str(checkout / "envs" / "staging" / "web")],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    kinds = sorted((r["kind"], r["metadata"]["name"]) for r in yaml.safe_load_all(built))
    assert kinds == [
        ("Ingress", "web"),
        ("NetworkPolicy", "web"),
        ("Rollout", "web"),
        ("Service", "web"),
        ("Service", "web-canary"),
    ]
    rollout = next(r for r in yaml.safe_load_all(built) if r["kind"] == "Rollout")
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == (
        f"registry.example.com/web:{V1}"
    )
    assert rollout["spec"]["strategy"]["canary"]["steps"] == [
        {"setWeight": 25},
        {"pause": {"duration": "30s"}},
    ]


def test_a_degraded_rollout_reverts_the_promotion(canary_out: Path, remote: Path) -> None:
    ci = remote.parent / "ci"
    env = runner(ci, remote)
    assert run(script(canary_out, "deploy"), "--version", V1, env=env).returncode == 0
    # v2's canary pauses at its step, then its analysis aborts it
    answers = ["Progressing", "Suspended", "Suspended", "Degraded"]
    (ci / "controller.json").write_text(json.dumps({V2.split("@")[1]: answers}))
    result = run(script(canary_out, "deploy"), "--version", V2, env=env)
    assert result.returncode == 1, result.stderr
    assert "web-staging is synced; its rollout is paused at a canary step" in result.stderr
    assert result.stderr.count("its rollout is paused at a canary step") == 1
    assert "web-staging is synced but degraded" in result.stderr
    assert history(remote) == [
        f"Roll back web in staging to {V1}",
        f"Promote web to staging: {V2}",
        f"Promote web to staging: {V1}",
    ]
    assert pinned(remote) == V1
    last = json.loads((ci / "audit.jsonl").read_text().splitlines()[-1])
    assert (last["result"], last["rollback"]) == (
        "failed",
        {"performed": True, "to": V1, "result": "succeeded"},
    )
    calls = [json.loads(line) for line in (ci / "kubectl.jsonl").read_text().splitlines()]
    assert {tuple(call[:2]) for call in calls} == {("get", "application")}


def test_a_paused_rollout_is_not_healthy(canary_out: Path, remote: Path) -> None:
    ci = remote.parent / "ci"
    env = runner(ci, remote) | {"DEPLOYPLAN_GITOPS_POLL": "0.05"}
    lib = script(canary_out, "lib").read_text()
    assert "SYNC_TIMEOUT=330\n" in lib  # the sync's 5 minutes and the step's 30 seconds
    (ci / "controller.json").write_text(json.dumps({V1.split("@")[1]: ["Suspended"]}))
    shortened = script(canary_out, "lib").with_name("lib-short.sh")
    shortened.write_text(lib.replace("SYNC_TIMEOUT=330\n", "SYNC_TIMEOUT=1\n"))
    deploy = script(canary_out, "deploy")
    short = deploy.with_name("deploy-short.sh")
    short.write_text(deploy.read_text().replace("/lib.sh", "/lib-short.sh"))
    short.chmod(0o755)
    try:
        result = run(short, "--version", V1, env=env)
    finally:
        short.unlink()
        shortened.unlink()
    assert result.returncode == 1, result.stderr
    assert "web-staging is Synced/Suspended at" in result.stderr


def test_no_canary_script_writes_to_the_cluster(canary_out: Path) -> None:
    test_no_script_writes_to_the_cluster(canary_out)
    test_the_scripts_pass_shellcheck(canary_out)


def test_a_helm_release_is_promoted_as_its_values_with_the_image_pinned(
    chart_out: Path, remote: Path
) -> None:
    ci = remote.parent / "ci"
    env = runner(ci, remote)
    assert run(script(chart_out, "deploy"), "--version", V1, env=env).returncode == 0
    (ci / "controller.json").write_text(json.dumps({V2.split("@")[1]: ["Degraded"]}))
    failed = run(script(chart_out, "deploy"), "--version", V2, env=env)
    assert failed.returncode == 1, failed.stderr
    assert "web-staging is synced but degraded" in failed.stderr
    assert history(remote) == [
        f"Roll back web in staging to {V1}",
        f"Promote web to staging: {V2}",
        f"Promote web to staging: {V1}",
    ]
    release = git("--git-dir", str(remote), "show", "main:envs/staging/web/release.yaml")
    assert release.splitlines()[1:] == [
        "image:",
        '  tag: "1.0.0"',
        f'  digest: "{V1.split("@")[1]}"',
    ]
    # what Flux builds: the chart's source, the release and its values, hashed into its name
    checkout = remote.parent / "checkout"
    git("clone", "--quiet", str(remote), str(checkout))
    built = subprocess.run(
        ["/usr/bin/kubectl", "kustomize", str(checkout / "envs" / "staging" / "web")],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    resources = {r["kind"]: r for r in yaml.safe_load_all(built)}
    assert sorted(resources) == ["ConfigMap", "HelmRelease", "NetworkPolicy", "OCIRepository"]
    values = resources["ConfigMap"]
    assert values["metadata"]["name"].startswith("web-values-")
    assert [v["name"] for v in resources["HelmRelease"]["spec"]["valuesFrom"]] == [
        values["metadata"]["name"]
    ] * 2
    assert yaml.safe_load(values["data"]["release.yaml"]) == {
        "image": {"tag": "1.0.0", "digest": V1.split("@")[1]}
    }
    assert yaml.safe_load(values["data"]["values.yaml"])["image"]["repository"] == (
        "registry.example.com/web"
    )
    assert resources["OCIRepository"]["spec"]["url"] == "oci://registry.example.com/charts/web"
    calls = [json.loads(line) for line in (ci / "kubectl.jsonl").read_text().splitlines()]
    assert {tuple(call[:2]) for call in calls} == {("get", "kustomization")}


def test_no_helm_promotion_script_writes_to_the_cluster(chart_out: Path) -> None:
    test_no_script_writes_to_the_cluster(chart_out)
    test_the_scripts_pass_shellcheck(chart_out)

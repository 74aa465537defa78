"""Every generated deploy script passes bash -n and shellcheck; every manifest passes
kubernetes-validate --strict, alone and merged as Kustomize builds the overlay."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.artifact import Artifact
from generator.spec.validate import validate_file
from generator.targets import deploy
from generator.targets.context import PlanContext
from generator.targets.deploy.manifests import strategic_merge
from tests.conftest import ROOT, run_cli
from tests.targets.deploy_helpers import representatives

SPECS = [
    ROOT / "specs" / "deployplan.yaml",
    ROOT / "specs" / "examples" / "ja.yaml",
    ROOT / "specs" / "examples" / "minimal.yaml",
    ROOT / "tests" / "golden" / "hostile" / "spec.yaml",
]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    for spec in SPECS:
        out = root / spec.stem
        result = run_cli("generate", str(spec), "--out", str(out), "--docs", str(root / "docs"),
                         "--only", "deploy", "--only", "kubernetes")  # fmt: skip
        assert result.exit_code == 0, result.output
    return root


def scripts(root: Path) -> list[Path]:
    return sorted(root.rglob("*.sh"))


def test_every_script_parses(generated: Path) -> None:
    found = scripts(generated)
    assert len(found) > 100
    for script in found:
        result = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
        assert result.returncode == 0, f"{script}: {result.stderr}"


def _scripts(root: Path) -> list[tuple[Artifact, Path]]:
    """Every generated shell script with the artifact it was rendered from."""
    found = []
    for spec in SPECS:
        result = validate_file(spec, spec.name)
        assert result.plan is not None and result.loaded is not None
        context = PlanContext(result.plan, spec.name, result.loaded.positions)
        out = root / spec.stem
        found += [(a, out / a.path) for a in deploy.plan(context) if a.path.suffix == ".sh"]
    return found


def _halves(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """``paths`` in two lists of about equal work: a script is read with its lib.sh."""

    def work(path: Path) -> int:
        lib = path.with_name("lib.sh")
        return path.stat().st_size + (lib.stat().st_size if path != lib and lib.exists() else 0)

    halves: tuple[list[Path], list[Path]] = ([], [])
    loads = [0, 0]
    for path in sorted(paths, key=work, reverse=True):
        lighter = loads.index(min(loads))
        halves[lighter].append(path)
        loads[lighter] += work(path)
    return halves


def test_shellcheck_finds_nothing(generated: Path) -> None:
    """A script of each shape and every lib.sh shape (see deploy_helpers), checked with -x
    (lib.sh's names are known) and -a (what is wrong in lib.sh is reported), many files per
    shellcheck, two shellchecks at once."""
    every = _scripts(generated)
    chosen = representatives(every)
    # a sample, not every script: each engine, strategy and lib.sh shape once
    assert len(every) > 200 and 10 < len(chosen) < len(every) / 5
    assert _engines(chosen, every) == _engines([p for _, p in every], every)
    runs = [
        subprocess.Popen(
            [BIN / "shellcheck", "-x", "-a", "-f", "gcc", *half], stdout=subprocess.PIPE, text=True
        )
        for half in _halves(chosen)
    ]
    for process in runs:
        output, _ = process.communicate()
        assert (process.returncode, output) == (0, "")


def _engines(paths: list[Path], every: list[tuple[Artifact, Path]]) -> set[tuple[str, str]]:
    """The (engine, strategy) of the lib.sh each script in ``paths`` reads."""
    targets = {p.parent: a.context["target"] for a, p in every if "target" in a.context}
    return {
        (targets[p.parent]["engine"], targets[p.parent]["strategy"])
        for p in paths
        if p.parent in targets
    }


def _validate(paths: list[Path]) -> None:
    """kubernetes-validate --strict over ``paths``, in two processes at once."""
    runs = [
        subprocess.Popen(
            [BIN / "kubernetes-validate", "--strict", "--quiet", *half],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in (paths[0::2], paths[1::2])
    ]
    for process in runs:
        output, errors = process.communicate()
        assert (process.returncode, output, errors) == (0, "", "")


def test_every_manifest_is_valid_kubernetes(generated: Path) -> None:
    manifests = [
        p for p in generated.rglob("kubernetes/**/*.yaml") if p.name != "kustomization.yaml"
    ]
    assert len(manifests) > 50
    _validate(manifests)


def _build(overlay: Path) -> list[dict[str, object]]:
    """The overlay as Kustomize builds it: base resources, the patch merged, namespace set."""
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    resources: list[dict[str, object]] = []
    for entry in kustomization["resources"]:
        path = overlay / entry
        if path.is_dir():
            resources += _build(path)
        else:
            resources.append(yaml.safe_load(path.read_text()))
    for patch in kustomization.get("patches", []):
        change = yaml.safe_load((overlay / patch["path"]).read_text())
        resources = [
            strategic_merge(r, change)
            if (r["kind"], r["metadata"]) == (change["kind"], r["metadata"])
            and r["metadata"]["name"] == change["metadata"]["name"]  # type: ignore[index]
            else r
            for r in resources
        ]
    for resource in resources:
        if "namespace" in kustomization:
            resource["metadata"]["namespace"] = kustomization["namespace"]  # type: ignore[index]
    return resources


def test_every_overlay_builds_into_valid_kubernetes(generated: Path, tmp_path: Path) -> None:
    overlays = sorted(p.parent for p in generated.rglob("overlays/*/kustomization.yaml"))
    assert overlays
    built = []
    for number, overlay in enumerate(overlays):
        for index, resource in enumerate(_build(overlay)):
            path = tmp_path / f"{number}-{index}.yaml"
            path.write_text(yaml.safe_dump(resource))
            built.append(path)
            if resource["kind"] == "Deployment":
                spec = resource["spec"]
                container = spec["template"]["spec"]["containers"][0]  # type: ignore[index]
                assert "resources" in container and "readinessProbe" in container
    _validate(built)


def test_help_documents_options_environment_and_exit_codes(generated: Path) -> None:
    script = next(generated.rglob("storefront/deploy/production/deploy.sh"))
    result = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for text in ("--version VERSION", "--dry-run", "--yes", "--override-freeze REASON",
                 "DEPLOYPLAN_AUDIT_LOG", "Exit codes:", "4  another deploy"):  # fmt: skip
        assert text in result.stdout
    bad = subprocess.run([script, "--frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.endswith("error: unknown option: --frobnicate\n")


def test_tools_are_installed() -> None:
    assert shutil.which("flock") and shutil.which("timeout") and shutil.which("curl")

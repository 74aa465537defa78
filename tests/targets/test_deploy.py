"""Every generated deploy script passes bash -n and shellcheck; every manifest passes
kubernetes-validate --strict, alone and merged as Kustomize builds the overlay."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.targets.deploy.manifests import strategic_merge
from tests.conftest import ROOT, run_cli

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


def _representatives(root: Path) -> list[Path]:
    """One script folder per engine and strategy (shellcheck takes seconds per folder),
    plus every folder of the hostile spec."""
    chosen: dict[str, Path] = {}
    for lib in sorted(root.rglob("deploy/*/lib.sh")):
        text = lib.read_text()
        kind = re.findall(r"^(?:ENGINE|STRATEGY)=(\S+)$", text, re.MULTILINE)
        key = str(lib.parent) if "/hostile/" in str(lib) else " ".join(kind)
        chosen.setdefault(key, lib.parent)
    return sorted(chosen.values())


def test_shellcheck_finds_nothing(generated: Path) -> None:
    folders = _representatives(generated)
    assert len(folders) >= 8
    files = [
        *(s for f in folders for s in sorted(f.glob("*.sh"))),
        *generated.rglob("deploy-all.sh"),
    ]
    half = len(files) // 2
    runs = [
        subprocess.Popen([BIN / "shellcheck", "-x", *part], stdout=subprocess.PIPE, text=True)
        for part in (files[:half], files[half:])
    ]
    for process in runs:
        output, _ = process.communicate()
        assert (process.returncode, output) == (0, "")


def _validate(paths: list[Path]) -> None:
    result = subprocess.run(
        [BIN / "kubernetes-validate", "--strict", "--quiet", *paths],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


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
            if (r["kind"], r["metadata"]) == (change["kind"], r["metadata"])  # type: ignore[index]
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

"""Golden files: each case's spec rendered, compared byte for byte with ``expected/``.

Refresh with ``scripts/test tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

GOLDEN = ROOT / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").is_file())


def _generated(case_dir: Path, work: Path) -> dict[str, bytes]:
    shutil.copy(case_dir / "spec.yaml", work / "spec.yaml")
    result = run_cli("generate", "spec.yaml", "--out", "output", "--docs", "site_docs")
    assert result.exit_code == 0, result.output
    return {
        path.relative_to(work).as_posix(): path.read_bytes()
        for path in sorted(work.rglob("*"))
        if path.is_file() and path.name != "spec.yaml"
    }


@pytest.mark.parametrize("case", CASES)
def test_golden(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    generated = _generated(GOLDEN / case, tmp_path)
    expected_dir = GOLDEN / case / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for relative, content in generated.items():
            target = expected_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    expected = {
        path.relative_to(expected_dir).as_posix(): path.read_bytes()
        for path in sorted(expected_dir.rglob("*"))
        if path.is_file()
    }
    assert sorted(generated) == sorted(expected)
    for relative, content in generated.items():
        assert content == expected[relative], f"{case}/{relative} differs from its golden file"


def test_hostile_text_comes_out_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import markdown
    import yaml

    monkeypatch.chdir(tmp_path)
    generated = _generated(GOLDEN / "hostile", tmp_path)
    staging = yaml.safe_load(generated["output/environments/staging/environment.yaml"])
    assert staging["region"] == "eu-west-1\nregion: hacked"
    assert (
        staging["configuration"]["url"]
        == "https://example.com/?q=%3Cscript%3E&x=%60id%60&y='$(id)'"
    )
    assert set(staging) >= {"environment", "region", "infrastructure"}
    assert "injected" not in staging
    page = generated["site_docs/reference/environments.md"].decode()
    html = markdown.markdown(page, extensions=["tables", "attr_list", "md_in_html"])
    for tag in ("<script", "<img", "<a ", "onclick", "<h1>not a heading"):
        assert tag not in html

"""``deployplan docs build`` builds both example sites with ``mkdocs build --strict``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli
from tests.site.conftest import BuiltSite


def test_english_site_builds_strictly_without_warnings(english: BuiltSite) -> None:
    assert english.returncode == 0, english.log
    assert "WARNING" not in english.log
    assert (english.site / "index.html").is_file()
    assert '<html lang="en"' in (english.site / "index.html").read_text()


def test_japanese_site_builds_strictly_in_japanese(japanese: BuiltSite) -> None:
    assert japanese.returncode == 0, japanese.log
    assert "WARNING" not in japanese.log
    home = (japanese.site / "index.html").read_text()
    assert '<html lang="ja"' in home
    assert '<h1 id="yoyaku-運用マニュアル">yoyaku 運用マニュアル' in home
    assert 'placeholder="検索"' in home  # Material's own texts follow the language too


def test_japanese_search_index_uses_the_japanese_pipeline(japanese: BuiltSite) -> None:
    index = json.loads((japanese.site / "search" / "search_index.json").read_text())
    assert index["config"]["lang"] == ["ja"]
    assert any(doc["location"].startswith("knowledge/articles.html") for doc in index["docs"])


def test_assets_are_local(english: BuiltSite) -> None:
    assert (english.site / "assets" / "javascripts" / "mermaid.min.js").is_file()
    assert (english.site / "assets" / "javascripts" / "iframe-worker-shim.js").is_file()
    for page in english.site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(
            r'(src|href)="(https?:)?//(?!127\.0\.0\.1)[^"]*\.(js|css|woff2?)"', text
        ), page


def test_generated_files_can_be_downloaded(english: BuiltSite) -> None:
    served = (
        english.site / "artifacts" / "files" / "environments" / "production" / "environment.yaml"
    )
    assert (
        served.read_bytes()
        == (
            english.project / "output" / "environments" / "production" / "environment.yaml"
        ).read_bytes()
    )
    page = (english.site / "artifacts" / "environments.html").read_text()
    assert (
        '<details class="abstract"><summary><code>environments/production/environment.yaml</code>'
        in page
    )
    assert '<span class="nt">environment_type</span>' in page


def test_a_new_project_builds_its_manual(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "new"), "--name", "new").exit_code == 0
    done = subprocess.run(
        [sys.executable, "-m", "generator", "docs", "build"],
        cwd=tmp_path / "new",
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr
    site = tmp_path / "new" / "site"
    for page in ("overview/deployment-flow.html", "reference/spec.html", "training/index.html"):
        assert (site / page).is_file(), page
    # A starter spec declares no escalation paths: the manual has no empty escalation page.
    assert not (site / "incidents" / "escalation.html").exists()

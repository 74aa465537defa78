"""The committed docs_dir builds into a site with ``mkdocs build --strict``."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    matrix = html.unescape((site / "reference" / "environments.html").read_text())
    assert "Environment matrix" in matrix
    assert "disaster recovery" in matrix  # the environment type, in words
    reference = (site / "reference" / "spec.html").read_text()
    assert 'id="spec-backup_strategy-schedule-jobs"' in reference

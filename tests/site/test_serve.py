"""``deployplan docs serve``: a change to the spec regenerates the pages and reloads.

The server runs as a real process on 127.0.0.1; the test edits the spec and waits (up to a
deadline, polling) for the served home page to show the change.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEADLINE = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    shutil.copy(ROOT / "specs/examples/minimal.yaml", tmp_path / "spec.yaml")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    address = f"127.0.0.1:{_free_port()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "docs", "serve", "spec.yaml", "-a", address],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    try:
        yield tmp_path, f"http://{address}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_regenerates_when_the_spec_changes(served: tuple[Path, str]) -> None:
    project, url = served
    _wait_for(lambda: "operations manual" in _get(url), "the first build")
    assert "livereload" in _get(url)  # the page reloads itself when the site is rebuilt
    spec = project / "spec.yaml"
    spec.write_text(
        spec.read_text().replace("  name: hello\n", "  name: renamed\n", 1), encoding="utf-8"
    )
    _wait_for(lambda: "renamed operations manual" in _get(url), "the regenerated home page")
    assert (project / "site_docs" / "index.md").read_text().count(
        "# renamed operations manual"
    ) == 1

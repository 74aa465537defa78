"""Built sites of the example specs, served on 127.0.0.1, and one browser for all tests.

Each site is built once per session with the real CLI (``deployplan docs build``, which
runs ``mkdocs build --strict``) into a scratch project holding a copy of ``mkdocs.yml``.
The browser is Debian's chromium driven by Playwright; it never downloads anything.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class BuiltSite:
    """A site built from one spec: its project folder, build log and served URL."""

    project: Path
    log: str
    returncode: int
    url: str

    @property
    def site(self) -> Path:
        return self.project / "site"


def build_site(spec: str, project: Path) -> subprocess.CompletedProcess[str]:
    """``deployplan docs build SPEC`` in ``project``, output captured."""
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    env = {**os.environ, "XDG_CACHE_HOME": str(project / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "generator", "docs", "build", str(ROOT / spec)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _built(spec: str, tmp: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    project = tmp.mktemp("site")
    done = build_site(spec, project)
    if done.returncode != 0:
        pytest.fail(f"deployplan docs build {spec} failed:\n{done.stdout}{done.stderr}")
    server, url = _serve(project / "site")
    yield BuiltSite(project, done.stdout + done.stderr, done.returncode, url)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def english(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    yield from _built("specs/deployplan.yaml", tmp_path_factory)


@pytest.fixture(scope="session")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    yield from _built("specs/examples/ja.yaml", tmp_path_factory)


@pytest.fixture(scope="session")
def japanese_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The example spec with ``docs_language: ja``: every page the shop has, in Japanese."""
    spec = tmp_path_factory.mktemp("japanese-spec") / "deployplan.yaml"
    english = (ROOT / "specs" / "deployplan.yaml").read_text(encoding="utf-8")
    japanese = english.replace("\n  docs_language: en\n", "\n  docs_language: ja\n", 1)
    assert japanese != english, "specs/deployplan.yaml no longer sets docs_language: en"
    spec.write_text(japanese, encoding="utf-8")
    yield from _built(str(spec), tmp_path_factory)


@pytest.fixture(scope="session")
def vm_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The VM example: services on hosts over SSH, runbooks with ssh and systemctl."""
    yield from _built("specs/examples/vm-fleet.yaml", tmp_path_factory)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The example spec with a script-injection payload in every free-text field."""
    from tests.site.hostile_spec import write_hostile_spec

    spec = write_hostile_spec(tmp_path_factory.mktemp("hostile-spec") / "deployplan.yaml")
    yield from _built(str(spec), tmp_path_factory)

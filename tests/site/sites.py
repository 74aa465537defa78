"""Every spec the project ships, built into a site in English and in Japanese, once a session.

A spec is built in the language it is written for and in the other one by setting
``project.docs_language`` on the command line, so both catalogs meet every spec. Each build
is a scratch project: ``deployplan generate`` writes ``output/`` and ``site_docs/`` there,
then ``mkdocs build --strict`` builds ``site/`` from a copy of the repository's
``mkdocs.yml``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

SPECS = (
    "specs/deployplan.yaml",
    *sorted(f"specs/examples/{p.name}" for p in (ROOT / "specs/examples").glob("*.yaml")),
)
LANGUAGES = ("en", "ja")
CASES = [(spec, language) for spec in SPECS for language in LANGUAGES]

_built: dict[tuple[str, str], BuiltProject] = {}


@dataclass(frozen=True)
class BuiltProject:
    """A scratch project holding a spec's ``output/``, ``site_docs/`` and built ``site/``."""

    spec: str
    language: str
    project: Path

    @property
    def docs(self) -> Path:
        return self.project / "site_docs"

    @property
    def site(self) -> Path:
        return self.project / "site"


def case_id(case: tuple[str, str]) -> str:
    """``deployplan-en``, ``minimal-ja``, …: the test id of a (spec, language) case."""
    return f"{Path(case[0]).stem}-{case[1]}"


def built(spec: str, language: str, factory: pytest.TempPathFactory) -> BuiltProject:
    """The site of ``spec`` in ``language``, built on first use and kept for the session."""
    key = (spec, language)
    if key not in _built:
        _built[key] = _build(spec, language, factory.mktemp(f"{Path(spec).stem}-{language}"))
    return _built[key]


def _build(spec: str, language: str, project: Path) -> BuiltProject:
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    env = {**os.environ, "XDG_CACHE_HOME": str(project / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    steps = [
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(ROOT / spec),
            "--set",
            f"project.docs_language={language}",
        ],
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
    ]
    for command in steps:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            pytest.fail(
                f"{' '.join(command[2:4])} {spec} ({language}) failed:\n{done.stdout}{done.stderr}"
            )
    return BuiltProject(spec, language, project)

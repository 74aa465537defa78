"""Render one of the operations families (configuration, backups, recovery, monitoring)
into a folder, and run the tools that check what it wrote."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.artifact import Artifact
from generator.paths import builtin_templates_dir
from generator.render import render
from generator.spec.validate import validate_file
from generator.targets.context import PlanContext
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "specs" / "deployplan.yaml"
Planner = Callable[[PlanContext], list[Artifact]]


def render_family(planner: Planner, spec: Path, out: Path) -> dict[str, Path]:
    """Every file ``planner`` plans for ``spec``, written under ``out``: path -> file."""
    label = spec.name
    result = validate_file(spec, label)
    assert result.plan is not None and result.loaded is not None, result.diagnostics
    context = PlanContext(result.plan, label, result.loaded.positions)
    files = render(planner(context), template_dirs=[builtin_templates_dir()], spec_label=label)
    written = {}
    for file in files:
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
        if file.executable:
            target.chmod(0o755)
        written[file.path.as_posix()] = target
    return written


def spec_file(tmp_path: Path, replacements: dict[str, str], source: Path = EXAMPLE) -> Path:
    """``source`` with each key replaced by its value (each must occur), in ``tmp_path``."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    target = tmp_path / "spec.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output; never raises on a non-zero exit."""
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )


def tool(name: str) -> str:
    """The installed tool ``name`` (scripts/deps/operations.sh installs it)."""
    found = shutil.which(name, path=f"{BIN}:/usr/local/bin:/usr/bin:/bin")
    assert found is not None, f"{name} is not installed (scripts/deps/operations.sh installs it)"
    return found


def fake_tool(folder: Path, name: str, body: str) -> Path:
    """A stand-in for a provider CLI: a bash script that records its arguments."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        f'#!/usr/bin/env bash\nprintf "%s\\n" "{name} $*" >> "$FAKE_LOG"\n{body}\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def shellcheck(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """shellcheck over ``paths`` (following sourced files next to them)."""
    return run(tool("shellcheck"), "--external-sources", *paths)

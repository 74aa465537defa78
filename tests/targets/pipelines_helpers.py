"""Render the pipelines family of a spec into a folder, for the validators to read."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from generator.paths import builtin_templates_dir
from generator.render import render
from generator.spec.validate import validate_file
from generator.targets import pipelines
from generator.targets.context import PlanContext
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
NODE_TOOLS = ROOT / "tests" / "node"


def render_pipelines(spec: Path, out: Path, label: str = "specs/deployplan.yaml") -> list[Path]:
    """Every pipeline file of ``spec``, written under ``out``."""
    result = validate_file(spec, label)
    assert result.plan is not None and result.loaded is not None, result.diagnostics
    context = PlanContext(result.plan, label, result.loaded.positions)
    files = render(
        pipelines.plan(context), template_dirs=[builtin_templates_dir()], spec_label=label
    )
    written = []
    for file in files:
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
        written.append(target)
    return written


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )


def copy_spec(source: Path, target: Path, replacements: dict[str, str]) -> Path:
    """``source`` with each key replaced by its value, written to ``target``."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


def github_scripts(workflow: Any) -> list[tuple[str, str]]:
    """(where, script) of every ``run:`` block of a workflow."""
    return [
        (f"{job_name}: {step.get('name', '?')}", step["run"])
        for job_name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
        if "run" in step
    ]


def gitlab_scripts(pipeline: Any) -> list[tuple[str, str]]:
    """(job, script) of every job: its script lines as one POSIX shell script."""
    return [
        (name, "\n".join(job["script"]))
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job
    ]


def shutil_which(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, f"{name} is not installed (scripts/deps/pipelines.sh installs it)"
    return found

"""The write phase under SIGKILL and under a concurrent run, with the real CLI in subprocesses.

A run killed at any point of staging, journalling or moving is completed or undone by the
next run, whatever spec that one is given; two runs on one tree are serialised by the lock,
so the tree ends as exactly one spec made it and every success message is true.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

KILLER = """\
import os, signal, sys
import generator.output.transaction as transaction
count = 0
def reached(point):
    global count
    count += 1
    if count == int(os.environ["KILL_AT"]):
        os.kill(os.getpid(), signal.SIGKILL)
transaction.reached = reached
from generator.cli import main
sys.argv = ["deployplan", *sys.argv[1:]]
main()
"""


def _specs(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "first.yaml"
    shutil.copy(ROOT / "specs" / "examples" / "minimal.yaml", first)
    text = first.read_text()
    second = tmp_path / "second.yaml"
    second.write_text(text.replace("description:", "description: Changed.", 1) + "\n")
    return first, second


def _generate(
    spec: Path, tmp_path: Path, *extra: str, kill_at: int | None = None
) -> subprocess.CompletedProcess[str]:
    args = ["generate", str(spec), "--out", str(tmp_path / "out"), "--docs",
            str(tmp_path / "docs"), *extra]  # fmt: skip
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    if kill_at is None:
        command = [sys.executable, "-m", "generator", *args]
    else:
        env["KILL_AT"] = str(kill_at)
        command = [sys.executable, "-c", KILLER, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)


def _strays(tmp_path: Path) -> list[str]:
    return sorted(
        str(p) for root in ("out", "docs") for p in (tmp_path / root).rglob("*")
        if "deployplan-tmp" in p.name or ".deployplan-journal" in p.name
    )  # fmt: skip


def _points(first: Path, tmp_path: Path) -> int:
    """How many points the writer passes when it writes ``first`` over a fresh tree."""
    counting = tmp_path / "counting"
    counter = KILLER.replace(
        "transaction.reached = reached",
        "transaction.reached = reached\nimport atexit\n"
        "atexit.register(lambda: print('points', count, file=sys.stderr))",
    )
    env = {"PATH": "/usr/bin:/bin", "KILL_AT": "0", "XDG_CACHE_HOME": str(counting / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", counter, "generate", str(first), "--out", str(counting / "out"),
         "--docs", str(counting / "docs")],
        capture_output=True, text=True, cwd=ROOT, check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return int(result.stderr.strip().splitlines()[-1].split()[1])


def test_a_run_killed_anywhere_is_settled_by_a_run_of_the_other_spec(tmp_path: Path) -> None:
    first, second = _specs(tmp_path)
    assert _generate(second, tmp_path).returncode == 0
    points = _points(first, tmp_path)
    kills = sorted({1 + (points * i) // 20 for i in range(20)})
    assert len(kills) == 20
    for kill_at in kills:
        killed = _generate(first, tmp_path, kill_at=kill_at)
        assert killed.returncode in (-9, 0), killed.stderr  # 0: it finished before that point
        after = _generate(second, tmp_path)
        assert after.returncode == 0, (kill_at, after.stderr)
        assert _strays(tmp_path) == [], kill_at
        check = _generate(second, tmp_path, "--check")
        assert check.returncode == 0, (kill_at, check.stdout, check.stderr)
        # the next round starts from the first spec's tree again
        assert _generate(first, tmp_path).returncode == 0


@pytest.mark.parametrize("pair", range(8))
def test_concurrent_runs_leave_one_spec_and_true_messages(tmp_path: Path, pair: int) -> None:
    first, second = _specs(tmp_path)
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
    }
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                str(spec),
                "--out",
                str(tmp_path / "out"),
                "--docs",
                str(tmp_path / "docs"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for spec in ((first, second) if pair % 2 else (second, first))
    ]
    outcomes = [(run.communicate(timeout=120), run.returncode) for run in runs]
    for (_, stderr), code in outcomes:
        assert code == 0, stderr
    assert _strays(tmp_path) == []
    current = [
        spec for spec in (first, second) if _generate(spec, tmp_path, "--check").returncode == 0
    ]
    assert len(current) == 1


def test_a_tampered_manifest_deletes_no_file_it_does_not_own(tmp_path: Path) -> None:
    """A manifest listing a hand-written file with its right hash proves nothing: the file
    has no marker, so the run refuses to remove it and names it."""
    import hashlib
    import json

    first, _ = _specs(tmp_path)
    assert _generate(first, tmp_path).returncode == 0
    source = tmp_path / "out" / "src" / "main.go"
    source.parent.mkdir()
    source.write_text("package main\n")
    manifest_path = tmp_path / "out" / ".deployplan-manifest.json"
    manifest = json.loads(manifest_path.read_text())
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    entry = {"environment": None, "executable": False, "family": "deploy", "service": None}
    manifest["files"]["src/main.go"] = {**entry, "sha256": digest}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    for extra in ((), ("--force",)):
        result = _generate(first, tmp_path, *extra)
        assert source.read_text() == "package main\n"
        assert result.returncode == 1, result.stderr
        assert "src/main.go" in result.stderr

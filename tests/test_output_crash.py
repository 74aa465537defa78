"""The write phase under SIGKILL, SIGTERM, a held lock and a concurrent run, with the real
CLI in subprocesses.

A run killed at any point of staging, journalling or moving is completed or undone by the
next run, whatever spec that one is given; two runs on one tree are serialised by the lock,
so the tree ends as exactly one spec made it and every success message is true.

The runs go through ``WRAPPER``, which hooks the writer's test points
(``generator.output.transaction.reached``) and, as the environment asks: sends a signal
at the n-th point, pauses at a point until released, records every point passed, holds
both runs of a pair at a barrier, and logs when each run waited for the lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.paths import builtin_templates_dir
from tests.conftest import ROOT

WRAPPER = """\
import atexit, fcntl, json, os, sys, time
import generator.output as output
import generator.output.lock as lock
import generator.output.transaction as transaction

points = []
env = os.environ

def log(event):
    if "EVENTS" in env:
        with open(env["EVENTS"], "a") as stream:
            stream.write(f"{os.getpid()} {event} {time.monotonic()}\\n")

def reached(point):
    points.append(point)
    if "SIGNAL_AT" in env:
        at, signum = map(int, env["SIGNAL_AT"].split(":"))
        if len(points) == at:
            os.kill(os.getpid(), signum)
    if point == env.get("PAUSE_AT"):
        open(env["PAUSED"], "w").close()
        while not os.path.exists(env["RELEASE"]):
            time.sleep(0.01)

transaction.reached = reached
if "POINTS" in env:
    atexit.register(lambda: open(env["POINTS"], "w").write(json.dumps(points)))

def acquire(descriptor, base, real=lock._acquire):
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("waited")
        real(descriptor, base)

lock._acquire = acquire

def at_barrier(real):
    def wrapped(*args, **kwargs):
        open(os.path.join(env["BARRIER"], f"ready-{os.getpid()}"), "w").close()
        while not os.path.exists(os.path.join(env["BARRIER"], "go")):
            time.sleep(0.001)
        log("enter")
        return real(*args, **kwargs)
    return wrapped

if "BARRIER" in env:
    name = env["BARRIER_AT"]
    setattr(output, name, at_barrier(getattr(output, name)))

def applied(real=output.apply):
    def wrapped(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        finally:
            log("done")
    return wrapped

output.apply = applied()
from generator.cli import main
sys.argv = ["deployplan", *sys.argv[1:]]
main()
"""
# A file's content and whether it is executable, by its path under out/ or docs/.
Tree = dict[str, tuple[bytes, bool]]


@dataclass(frozen=True)
class Specs:
    """Two specs with different files: ``first`` names its service ``hello-web``,
    ``second`` ``hello-site`` and changes the project's description, so a run of one
    over the other's tree writes, adds, deletes, creates and removes folders."""

    first: Path
    second: Path


def _specs(tmp_path: Path) -> Specs:
    # the runs render a snapshot of the templates: one edited meanwhile changes no run
    if not (tmp_path / "templates").exists():
        shutil.copytree(builtin_templates_dir(), tmp_path / "templates")
    text = (ROOT / "specs" / "examples" / "minimal.yaml").read_text()
    first = tmp_path / "first.yaml"
    first.write_text(text)
    second = tmp_path / "second.yaml"
    changed = text.replace("  description:", "  description: Changed.", 1)
    second.write_text(changed.replace("name: hello-web", "name: hello-site"))
    return Specs(first, second)


def _env(tmp_path: Path, **extra: str | Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
        **{key: str(value) for key, value in extra.items()},
    }


def _command(spec: Path, base: Path, *extra: str) -> list[str]:
    args = ["generate", str(spec), "--out", str(base / "out"), "--docs", str(base / "docs")]
    templates = ["--templates", str(spec.parent / "templates")]
    return [sys.executable, "-c", WRAPPER, *args, *templates, *extra]


def _generate(
    spec: Path, tmp_path: Path, *extra: str, base: Path | None = None, **env: str | Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(spec, base or tmp_path, *extra),
        capture_output=True,
        text=True,
        env=_env(tmp_path, **env),
        cwd=ROOT,
        check=False,
    )


def _tree(base: Path) -> Tree:
    return {
        path.relative_to(base).as_posix(): (path.read_bytes(), os.access(path, os.X_OK))
        for root in ("out", "docs")
        for path in sorted((base / root).rglob("*"))
        if path.is_file()
    }


def _folders(base: Path) -> list[str]:
    return sorted(
        path.relative_to(base).as_posix()
        for root in ("out", "docs")
        for path in (base / root).rglob("*")
        if path.is_dir()
    )


def _strays(base: Path) -> list[str]:
    return sorted(
        str(p) for root in ("out", "docs") for p in (base / root).rglob("*")
        if "deployplan-tmp" in p.name or ".deployplan-journal" in p.name
    )  # fmt: skip


def _reference(spec: Path, tmp_path: Path, name: str) -> Path:
    """A tree ``spec`` made in a folder of its own."""
    base = tmp_path / name
    result = _generate(spec, tmp_path, base=base, XDG_CACHE_HOME=base / "cache")
    assert result.returncode == 0, result.stderr
    return base


def _summary(before: Tree, after: Tree) -> str:
    """The true summary of a run that turned ``before`` into ``after``."""
    owned = {p for p in after if not p.endswith(".deployplan-manifest.json")}
    old = {p for p in before if not p.endswith(".deployplan-manifest.json")}
    written = sum(before.get(p) != after[p] for p in owned)
    return f"{written} written, {len(old - owned)} removed, {len(owned) - written} unchanged"


def _points(specs: Specs, tmp_path: Path) -> list[str]:
    """Every point a run of the first spec over the second's tree passes, in order."""
    counting = _reference(specs.second, tmp_path, "counting")
    record = tmp_path / "points.json"
    done = _generate(specs.first, tmp_path, base=counting, POINTS=record)
    assert done.returncode == 0, done.stderr
    points: list[str] = json.loads(record.read_text())
    return points


def _kill_points(points: list[str]) -> list[int]:
    """20 points (1-based) spread over the write phase, taking in its landmarks: the
    first, middle and last file staged, the journal written, the first, middle and last
    move, the first and last clean-up, and the very last point."""
    at = {
        kind: [i for i, point in enumerate(points, 1) if point == kind]
        for kind in ("stage", "journal", "move", "clean")
    }
    landmarks = {
        *(places[k] for places in at.values() for k in (0, len(places) // 2, -1)),
        len(points),
    }
    rest = [i for i in range(1, len(points) + 1) if i not in landmarks]
    wanted = 20 - len(landmarks)
    return sorted({*landmarks, *(rest[(j * len(rest)) // wanted] for j in range(wanted))})


def test_a_run_killed_anywhere_is_settled_by_a_run_of_the_other_spec(tmp_path: Path) -> None:
    specs = _specs(tmp_path)
    first_tree = _reference(specs.first, tmp_path, "ref-first")
    second_tree = _reference(specs.second, tmp_path, "ref-second")
    expected = _tree(second_tree)
    points = _points(specs, tmp_path)
    kills = _kill_points(points)
    assert len(kills) == 20, kills
    journal = points.index("journal") + 1
    unchanged = _summary(expected, expected)
    completed = _summary(_tree(first_tree), expected)

    assert _generate(specs.second, tmp_path).returncode == 0
    for kill_at in kills:
        where = (kill_at, points[kill_at - 1])
        killed = _generate(specs.first, tmp_path, SIGNAL_AT=f"{kill_at}:{signal.SIGKILL}")
        assert killed.returncode == -signal.SIGKILL, (where, killed.stderr)

        after = _generate(specs.second, tmp_path)

        # from the journal on, the killed run's outcome is its new tree: completed first
        said = (
            f"{completed} (an interrupted run was completed first)"
            if kill_at >= journal
            else unchanged
        )
        assert (after.returncode, after.stderr) == (0, f"{specs.second}: {said}\n"), where
        assert _strays(tmp_path) == [], where
        assert _tree(tmp_path) == expected, where
        assert _folders(tmp_path) == _folders(second_tree), where
        check = _generate(specs.second, tmp_path, "--check")
        assert (check.returncode, check.stdout) == (0, ""), (where, check.stderr)


@pytest.mark.parametrize(
    ("point", "old"),
    [("stage", True), ("journal", True), ("move", False), ("clean", False)],
)
def test_sigterm_mid_write_leaves_the_old_tree_or_the_new_one_and_says_which(
    tmp_path: Path, point: str, old: bool
) -> None:
    specs = _specs(tmp_path)
    places = [i for i, name in enumerate(_points(specs, tmp_path), 1) if name == point]
    old_tree = _tree(_reference(specs.second, tmp_path, "ref-second"))
    new_tree = _tree(_reference(specs.first, tmp_path, "ref-first"))
    assert _generate(specs.second, tmp_path).returncode == 0

    stopped = _generate(
        specs.first, tmp_path, SIGNAL_AT=f"{places[len(places) // 2]}:{signal.SIGTERM}"
    )

    said = (
        "interrupted by SIGTERM before anything was moved:"
        " nothing was changed, the previous output is intact"
        if old
        else "interrupted by SIGTERM while files were moved; the run completed first:"
        " the new output is in place"
    )
    assert (stopped.returncode, stopped.stderr) == (128 + signal.SIGTERM, f"deployplan: {said}\n")
    assert _strays(tmp_path) == []
    assert _tree(tmp_path) == (old_tree if old else new_tree)
    check = _generate(specs.second if old else specs.first, tmp_path, "--check")
    assert (check.returncode, check.stdout) == (0, ""), check.stderr


@dataclass(frozen=True)
class Holder:
    """A run holding the lock, and the command line it was started with."""

    process: subprocess.Popen[str]
    command: list[str]


def _lock_refusal(base: Path, holder: Holder, waited: str) -> re.Pattern[str]:
    run = " ".join(["deployplan", *holder.command[3:]])  # as the wrapper sets sys.argv
    return re.compile(
        re.escape(
            f"deployplan: {base} is being written by another deployplan run"
            f" (pid {holder.process.pid} on {socket.gethostname()}, `{run}`, since "
        )
        + r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
        + re.escape(
            f"); gave up after waiting {waited} s, nothing was written\n"
            "hint: let that run finish and run again"
            " (set DEPLOYPLAN_LOCK_TIMEOUT to wait longer)\n"
        )
    )


@pytest.fixture
def paused_run(tmp_path: Path) -> Iterator[Holder]:
    """A run of the first spec over the second's tree, paused with the lock held, its
    journal written (so nothing of it is on disk yet but its staged files)."""
    specs = _specs(tmp_path)
    assert _generate(specs.second, tmp_path).returncode == 0
    env = _env(
        tmp_path,
        PAUSE_AT="journal",
        PAUSED=tmp_path / "paused",
        RELEASE=tmp_path / "release",
    )
    command = _command(specs.first, tmp_path)
    holder = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "paused").exists():
        assert holder.poll() is None, holder.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield Holder(holder, command)
    (tmp_path / "release").touch()
    if holder.returncode is None:
        holder.communicate(timeout=60)


def test_a_second_run_waits_a_bounded_time_then_is_refused_naming_the_holder(
    tmp_path: Path, paused_run: Holder
) -> None:
    specs = _specs(tmp_path)
    holder = paused_run.process
    before = _tree(tmp_path)

    started = time.monotonic()
    refused = _generate(specs.second, tmp_path, "--force", DEPLOYPLAN_LOCK_TIMEOUT="1.5")
    took = time.monotonic() - started

    assert holder.poll() is None  # refused while the lock was still held
    assert took >= 1.5
    assert refused.returncode == 1
    # the roots are locked in order of their paths: docs/ before out/
    refusal = _lock_refusal(tmp_path / "docs", paused_run, "1.5")
    assert refusal.fullmatch(refused.stderr), refused.stderr
    assert _tree(tmp_path) == before

    (tmp_path / "release").touch()
    _, stderr = holder.communicate(timeout=60)
    assert holder.returncode == 0, stderr
    assert _tree(tmp_path) == _tree(_reference(specs.first, tmp_path, "ref-first"))


def test_a_second_run_waiting_for_the_lock_goes_on_when_it_is_released(
    tmp_path: Path, paused_run: Holder
) -> None:
    specs = _specs(tmp_path)
    holder = paused_run.process
    waiting = subprocess.Popen(
        _command(specs.second, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path, DEPLOYPLAN_LOCK_TIMEOUT="60", EVENTS=tmp_path / "events"),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while "waited" not in _read(tmp_path / "events"):
        assert waiting.poll() is None, waiting.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)

    (tmp_path / "release").touch()
    _, held = holder.communicate(timeout=60)
    _, stderr = waiting.communicate(timeout=60)

    first_tree = _tree(_reference(specs.first, tmp_path, "ref-first"))
    second_tree = _tree(_reference(specs.second, tmp_path, "ref-second"))
    assert holder.returncode == 0, held
    assert (waiting.returncode, stderr) == (
        0,
        f"{specs.second}: {_summary(first_tree, second_tree)}\n",
    )
    assert _tree(tmp_path) == second_tree
    assert _strays(tmp_path) == []


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


@dataclass(frozen=True)
class Outcome:
    """One run of a concurrent pair: what it said, and when it was in the write phase."""

    spec: Path
    code: int
    stderr: str
    entered: float
    done: float
    waited: bool


def _run_pair(tmp_path: Path, order: tuple[Path, Path], barrier_at: str) -> list[Outcome]:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    events = tmp_path / "events"
    env = _env(tmp_path, BARRIER=barrier, BARRIER_AT=barrier_at, EVENTS=events)
    runs = [
        subprocess.Popen(
            _command(spec, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for spec in order
    ]
    deadline = time.monotonic() + 120
    while len(list(barrier.glob("ready-*"))) < len(runs):
        assert all(run.poll() is None for run in runs), [run.communicate() for run in runs]
        assert time.monotonic() < deadline
        time.sleep(0.005)
    (barrier / "go").touch()
    said = [run.communicate(timeout=120)[1] for run in runs]
    logged: dict[tuple[int, str], float] = {}
    for line in events.read_text().splitlines():
        pid, event, when = line.split()
        logged.setdefault((int(pid), event), float(when))
    return [
        Outcome(
            spec,
            run.returncode,
            stderr,
            logged[(run.pid, "enter")],
            logged[(run.pid, "done")],
            (run.pid, "waited") in logged,
        )
        for spec, run, stderr in zip(order, runs, said, strict=True)
    ]


@pytest.mark.parametrize("pair", range(8))
def test_concurrent_runs_leave_one_spec_and_true_messages(tmp_path: Path, pair: int) -> None:
    """Both runs are held at a barrier and let go together, on entering the writer
    (even pairs: both plan against the empty tree) or on entering ``apply`` (odd pairs:
    both have planned, and the loser's plan is stale by the time it gets the lock)."""
    specs = _specs(tmp_path)
    order = (specs.first, specs.second) if pair % 4 < 2 else (specs.second, specs.first)
    barrier_at = "plan_changes" if pair % 2 == 0 else "apply"

    outcomes = _run_pair(tmp_path, order, barrier_at)

    for outcome in outcomes:
        assert outcome.code == 0, outcome.stderr
    # the write phases really overlapped: neither finished before the other began
    assert max(o.entered for o in outcomes) < min(o.done for o in outcomes), outcomes
    assert _strays(tmp_path) == []
    references = {
        spec: _tree(_reference(spec, tmp_path, f"ref-{spec.stem}"))
        for spec in (specs.first, specs.second)
    }
    tree = _tree(tmp_path)
    current = [spec for spec, reference in references.items() if tree == reference]
    assert len(current) == 1
    last = current[0]
    (earlier,) = (o for o in outcomes if o.spec != last)
    (later,) = (o for o in outcomes if o.spec == last)
    assert earlier.stderr == f"{earlier.spec}: {_summary({}, references[earlier.spec])}\n"
    assert later.stderr == (
        f"{later.spec}: {_summary(references[earlier.spec], references[last])}\n"
    )
    if barrier_at == "apply":
        assert any(o.waited for o in outcomes), outcomes
    # the loser's run cache must not claim its spec is current
    again = _generate(earlier.spec, tmp_path)
    assert again.stderr == (
        f"{earlier.spec}: {_summary(references[last], references[earlier.spec])}\n"
    )
    assert _generate(earlier.spec, tmp_path, "--check").returncode == 0


def _tamper(manifest: Path, entries: Mapping[str, bytes], service: str | None) -> None:
    data = json.loads(manifest.read_text())
    for path, content in entries.items():
        data["files"][path] = {
            "environment": None,
            "executable": False,
            "family": "deploy",
            "service": service,
            "sha256": hashlib.sha256(content).hexdigest(),
        }
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def test_a_tampered_manifest_deletes_no_file_it_does_not_own(tmp_path: Path) -> None:
    """A manifest listing a hand-written file with its right hash proves nothing: the file
    has no marker, so the run refuses to remove it and names it."""
    specs = _specs(tmp_path)
    assert _generate(specs.first, tmp_path).returncode == 0
    source = tmp_path / "out" / "src" / "main.go"
    source.parent.mkdir()
    source.write_text("package main\n")
    manifest = tmp_path / "out" / ".deployplan-manifest.json"
    _tamper(manifest, {"src/main.go": source.read_bytes()}, None)
    before = _tree(tmp_path)
    for extra in ((), ("--force",)):
        result = _generate(specs.first, tmp_path, *extra)
        assert source.read_text() == "package main\n"
        assert result.returncode == 1, result.stderr
        assert result.stderr == (
            "deployplan: nothing was written: 1 file stands in the way\n\n"
            f"{source} is listed in {manifest}, but it does not carry deployplan's"
            " do-not-edit marker, so nothing shows deployplan generated it; it never deletes"
            " such a file, not even with --force\n"
            "hint: if the file is yours, remove src/main.go from the manifest;"
            " if it is generated, move it away and run again\n"
        )
        assert _tree(tmp_path) == before

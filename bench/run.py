"""Benchmark: validate and generate on scale specs, against floors measured in the same run.

Usage: ``.venv/bin/python bench/run.py [--sizes 10,50,200] [--repeat 3]
[--scale-sizes 1000,5000] [--serve] [--write]``, or ``--validate-only`` for the validate
row alone. ``--write`` puts the tables into bench/README.md. Every timing is the best of
``--repeat`` fresh processes (one for ``--scale-sizes``); peak RSS is the largest of those
runs.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))

from edit_loop import edit_generate, serve_rebuild  # noqa: E402
from scale import write_scale_spec  # noqa: E402

BIN = Path(sys.executable).parent
DEPLOYPLAN = str(BIN / "deployplan")
PARSE_FLOOR = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)"
TARGETS = {
    "generate / render floor": 2.5,
    "validate / parse floor": 5.0,
    "no-op generate / generate": 0.5,
    "one-line edit generate / generate": 0.10,
    "--version / import click": 2.0,
}
SERVE_TARGET = 0.2
#: generate's time per artifact at 1,000 and 5,000 services against 200 services
LINEAR_TARGET = 1.5
MAX_RSS_MB = 300
T = TypeVar("T")


@dataclass(frozen=True)
class Measure:
    seconds: float
    rss_mb: float


def measure(argv: list[str], repeat: int, before: object = None) -> Measure:
    """Best wall time and largest peak RSS of ``repeat`` fresh runs of ``argv``."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=_quiet())
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(argv)}")
        best = min(best, elapsed)
        peak = max(peak, usage.ru_maxrss / 1024)
    return Measure(best, peak)


def _quiet() -> list[tuple[int, int, str, int, int]]:
    return [
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]


def pickle_jobs(spec: Path, target: Path) -> int:
    """Plan the artifacts of ``spec`` and pickle (template, context) pairs for the floor."""
    from generator.spec.validate import validate_file
    from generator.targets import plan_all
    from generator.targets.context import PlanContext

    result = validate_file(spec, spec.name)
    assert result.plan is not None and result.loaded is not None, result.diagnostics[:3]
    context = PlanContext(result.plan, spec.name, result.loaded.positions)
    jobs = [(a.template, dict(a.context)) for a in plan_all(context)]
    target.write_bytes(pickle.dumps({"jobs": jobs, "filters": _custom_filter_names()}))
    return len(jobs)


def _custom_filter_names() -> list[str]:
    """Filters deployplan adds, so the bare floor can stand in for them by name."""
    import jinja2

    from generator.paths import builtin_templates_dir
    from generator.render import OutputKind, make_environment

    names: set[str] = set()
    for kind in OutputKind:
        names |= set(make_environment(kind, [builtin_templates_dir()]).filters)
    return sorted(names - set(jinja2.Environment().filters))


def bench_size(services: int, repeat: int) -> Sized:
    spec = write_scale_spec(services, WORK)
    out, docs = WORK / f"out-{services}", WORK / f"docs-{services}"
    jobs_file = WORK / f"jobs-{services}.pickle"
    artifacts = pickle_jobs(spec, jobs_file)
    py = sys.executable

    def clean() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(docs, ignore_errors=True)

    generate_argv = [DEPLOYPLAN, "generate", str(spec), "--out", str(out), "--docs", str(docs)]
    parse = measure([py, "-c", PARSE_FLOOR, str(spec)], repeat)
    render_floor = measure(
        [py, str(HERE / "floor_render.py"), str(jobs_file), str(ROOT / "templates")], repeat
    )
    validate = measure([DEPLOYPLAN, "validate", str(spec)], repeat)
    generate = measure(generate_argv, repeat, before=clean)
    noop = measure(generate_argv, repeat)
    edit = edit_generate(_seconds, generate_argv, spec, repeat)
    ratios = [
        ("generate / render floor", generate.seconds / render_floor.seconds),
        ("validate / parse floor", validate.seconds / parse.seconds),
        ("no-op generate / generate", noop.seconds / generate.seconds),
        ("one-line edit generate / generate", edit / generate.seconds),
    ]
    lines = spec.read_text().count("\n")
    row = (
        f"| {services} | {lines} | {artifacts} | {parse.seconds:.3f} | {validate.seconds:.3f} "
        f"| {render_floor.seconds:.3f} | {generate.seconds:.3f} | {noop.seconds:.3f} "
        f"| {edit:.3f} | {max(validate.rss_mb, generate.rss_mb, noop.rss_mb):.0f} | "
        + " | ".join(f"{value:.2f}" for _, value in ratios)
        + " |"
    )
    return Sized(row, generate.seconds, generate.seconds / artifacts)


@dataclass(frozen=True)
class Sized:
    row: str
    generate: float
    per_artifact: float


def _seconds(argv: list[str], repeat: int, before: object = None) -> float:
    return measure(argv, repeat, before).seconds


def bench_scale(services: int, base: float | None) -> str:
    """One full generate at a large size: time per artifact against ``base`` (200's)."""
    spec = write_scale_spec(services, WORK)
    out, docs = WORK / f"out-{services}", WORK / f"docs-{services}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    argv = [DEPLOYPLAN, "generate", str(spec), "--out", str(out), "--docs", str(docs)]
    generate = measure(argv, 1)
    artifacts = sum(
        len(json.loads((root / ".deployplan-manifest.json").read_text())["files"])
        for root in (out, docs)
    )
    per = generate.seconds / artifacts
    ratio = f"{per / base:.2f}" if base else "–"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    return (
        f"| {services} | {artifacts} | {generate.seconds:.1f} | {per * 1000:.2f} | {ratio} "
        f"| {generate.rss_mb:.0f} |"
    )


def bench_validate(services: int, repeat: int) -> str:
    """Only validate against the parse floor: the loader's part of the table."""
    spec = write_scale_spec(services, WORK)
    parse = measure([sys.executable, "-c", PARSE_FLOOR, str(spec)], repeat)
    validate = measure([DEPLOYPLAN, "validate", str(spec)], repeat)
    return (
        f"| {services} | {parse.seconds:.3f} | {validate.seconds:.3f} "
        f"| {validate.seconds / parse.seconds:.2f} |"
    )


def bench_startup(repeat: int) -> float:
    version = measure([DEPLOYPLAN, "--version"], repeat)
    click = measure([sys.executable, "-c", "import click"], repeat)
    return version.seconds / click.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
    parser.add_argument("--scale-sizes", default="", help="full generate only, e.g. 1000,5000")
    parser.add_argument("--serve", action="store_true", help="time the docs serve rebuild")
    parser.add_argument(
        "--validate-only", action="store_true", help="time validate and the parse floor only"
    )
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    if args.validate_only:
        print("| services | parse floor s | validate s | validate/parse |\n|---|---|---|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            print(bench_validate(size, args.repeat))
        return
    header = [
        "| services | spec lines | artifacts | parse floor s | validate s | render floor s "
        "| generate s | no-op generate s | one-line edit generate s | peak RSS MB "
        "| generate/floor | validate/parse | no-op/generate | edit/generate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    measured = {size: _shown(bench_size(size, args.repeat)) for size in _sizes(args.sizes)}
    startup = bench_startup(args.repeat)
    parts = [
        *header,
        *(sized.row for sized in measured.values()),
        "",
        f"`deployplan --version` / `python -c 'import click'`: {startup:.2f}",
    ]
    largest = max(measured)
    if args.serve:
        spec = write_scale_spec(largest, WORK)
        rebuild = serve_rebuild(DEPLOYPLAN, spec, WORK / f"serve-{largest}", args.repeat)
        parts += [
            "",
            f"`docs serve` at {largest} services, one-line edit to the rebuilt page: "
            f"{rebuild:.2f} s = {rebuild / measured[largest].generate:.2f} × a full generate",
        ]
    if args.scale_sizes:
        base = measured[largest].per_artifact
        parts += [
            "",
            "| services | artifacts | generate s | ms per artifact "
            f"| per artifact / {largest} services' | peak RSS MB |",
            "|---|---|---|---|---|---|",
            *(_shown(bench_scale(size, base)) for size in _sizes(args.scale_sizes)),
        ]
    parts += [
        "",
        f"Targets at {largest} services: "
        + ", ".join(f"{name} ≤ {limit}" for name, limit in TARGETS.items())
        + f", `docs serve` rebuild / generate ≤ {SERVE_TARGET}, peak RSS ≤ {MAX_RSS_MB} MB;"
        f" at 1,000 and 5,000 services, time per artifact ≤ {LINEAR_TARGET} × the"
        f" {largest}-service figure.",
    ]
    table = "\n".join(parts)
    print(table)
    if args.write:
        _write_readme(table)


def _shown(measured: T) -> T:
    """Print each row as soon as it is measured (stderr): a long run keeps what it has."""
    print(getattr(measured, "row", measured), file=sys.stderr, flush=True)
    return measured


def _sizes(text: str) -> list[int]:
    return [int(size) for size in text.split(",") if size.strip()]


def _write_readme(table: str) -> None:
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- table -->", "<!-- /table -->"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{table}\n{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()

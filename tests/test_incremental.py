"""An incremental `generate` writes exactly what a full run writes.

For every shipped spec: generate, apply a few seeded random edits (a description, a
replica count, a schedule, a service or an environment added or removed where the spec
stays valid), generate again into the same folders — reusing what the edits did not
reach — and fully into fresh ones, and compare the trees byte for byte.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.render import Reuse, render
from generator.runcache import cache_file
from generator.spec.validate import validate_file
from tests.conftest import ROOT, run_cli

SPECS = [ROOT / "specs" / "deployplan.yaml", *sorted((ROOT / "specs" / "examples").glob("*.yaml"))]
CRON = re.compile(r"^\S+ \S+ \S+ \S+ \S+$")
Edit = Callable[[Any, random.Random], bool]


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) pair of the YAML tree, parents before children."""
    yield path, node
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield from _nodes(value, (*path, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _pick(data: Any, rng: random.Random, wanted: Callable[[Any, Any], bool]) -> Any:
    found = [path for path, value in _nodes(data) if path and wanted(path[-1], value)]
    return rng.choice(found) if found else None


def edit_description(data: Any, rng: random.Random) -> bool:
    path = _pick(data, rng, lambda key, value: key == "description" and isinstance(value, str))
    if path is None:
        return False
    _parent(data, path)[path[-1]] += f" Revised {rng.randrange(1000)}."
    return True


def edit_replicas(data: Any, rng: random.Random) -> bool:
    def wanted(key: Any, value: Any) -> bool:
        return key == "replicas" and type(value) is int

    path = _pick(data, rng, wanted)
    if path is None:
        return False
    _parent(data, path)[path[-1]] += 1
    return True


def edit_schedule(data: Any, rng: random.Random) -> bool:
    def wanted(key: Any, value: Any) -> bool:
        return key == "schedule" and isinstance(value, str) and bool(CRON.match(value))

    path = _pick(data, rng, wanted)
    if path is None:
        return False
    _parent(data, path)[path[-1]] = f"{rng.randrange(60)} {rng.randrange(24)} * * *"
    return True


def add_service(data: Any, rng: random.Random) -> bool:
    services = data.get("services")
    if not isinstance(services, CommentedSeq) or not services:
        return False
    twin = copy.deepcopy(rng.choice(list(services)))
    twin["name"] = f"{twin['name']}-twin"
    services.append(twin)
    return True


def remove_service(data: Any, rng: random.Random) -> bool:
    services = data.get("services")
    if not isinstance(services, CommentedSeq) or len(services) < 2:
        return False
    del services[rng.randrange(len(services))]
    return True


def add_environment(data: Any, rng: random.Random) -> bool:
    environments = data.get("environments")
    if not isinstance(environments, CommentedMap) or not environments:
        return False
    name = rng.choice(list(environments))
    environments[f"{name}-copy"] = copy.deepcopy(environments[name])
    return True


def remove_environment(data: Any, rng: random.Random) -> bool:
    environments = data.get("environments")
    if not isinstance(environments, CommentedMap) or len(environments) < 2:
        return False
    del environments[rng.choice(list(environments))]
    return True


EDITS: list[Edit] = [
    edit_description,
    edit_replicas,
    edit_schedule,
    add_service,
    remove_service,
    add_environment,
    remove_environment,
]


def apply_edits(spec: Path, seed: int, count: int) -> list[str]:
    """Apply ``count`` random edits that keep ``spec`` valid; returns their names."""
    yaml = YAML()
    yaml.preserve_quotes = True
    rng = random.Random(seed)
    done: list[str] = []
    for _ in range(count * 6):
        if len(done) == count:
            break
        original = spec.read_text(encoding="utf-8")
        data = yaml.load(original)
        edit = rng.choice(EDITS)
        if not edit(data, rng):
            continue
        with spec.open("w", encoding="utf-8") as stream:
            yaml.dump(data, stream)
        if validate_file(spec, spec.name).plan is None:
            spec.write_text(original, encoding="utf-8")
            continue
        done.append(edit.__name__)
    return done


def generate(spec: Path, target: Path) -> str:
    """Generate into ``target``, named relative to the working directory as users do."""
    base = target.relative_to(Path.cwd())
    done = run_cli("generate", str(spec), "--out", f"{base}/out", "--docs", f"{base}/docs")
    assert done.exit_code == 0, done.output
    return done.output.splitlines()[-1]


def snapshot(target: Path) -> dict[str, bytes]:
    return {
        path.relative_to(target).as_posix(): path.read_bytes()
        for path in sorted(target.rglob("*"))
        if path.is_file()
    }


class _Counted:
    """Counts the renders `generate` kept from the last run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kept = 0
        real = Reuse.kept

        def kept(reuse: Reuse, *args: Any) -> bytes | None:
            found = real(reuse, *args)
            self.kept += found is not None
            return found

        monkeypatch.setattr(Reuse, "kept", kept)


@pytest.mark.parametrize("source", SPECS, ids=[p.stem for p in SPECS])
def test_incremental_output_equals_a_full_run(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / source.name
    spec.write_bytes(source.read_bytes())
    generate(spec, tmp_path / "incremental")
    counted = _Counted(monkeypatch)

    for seed in (1, 2):
        edits = apply_edits(spec, seed=sum(map(ord, source.stem)) * 10 + seed, count=3)
        assert edits, "no edit kept the spec valid"
        before = snapshot(tmp_path / "incremental")
        summary = generate(spec, tmp_path / "incremental")
        after = snapshot(tmp_path / "incremental")
        fresh = tmp_path / f"full-{seed}"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{seed}"))
        generate(spec, fresh)

        assert after == snapshot(fresh), edits
        for root in ("out", "docs"):
            manifest = f"{root}/.deployplan-manifest.json"
            assert after[manifest] == snapshot(fresh)[manifest]
        files = [p for p in after if not p.endswith(".deployplan-manifest.json")]
        written = [p for p in files if p not in before or after[p] != before[p]]
        removed = [p for p in before if p not in after]
        assert summary.endswith(
            f": {len(written)} written, {len(removed)} removed,"
            f" {len(files) - len(written)} unchanged"
        ), (summary, edits)
    assert counted.kept > 0


def test_a_damaged_cache_means_a_full_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "minimal.yaml"
    spec.write_bytes((ROOT / "specs" / "examples" / "minimal.yaml").read_bytes())
    target = tmp_path / "incremental"
    generate(spec, target)
    record = cache_file([target / "out", target / "docs"])
    counted = _Counted(monkeypatch)

    for damage in (
        b"\x00garbage{",
        b'{"engine": "someone else", "files": {}, "renders": {}}',
        record.read_bytes().replace(b'"renders": {"', b'"renders": {"x": 1, "'),
    ):
        apply_edits(spec, seed=len(damage), count=1)
        record.write_bytes(damage)
        generate(spec, target)
        fresh = tmp_path / f"full-{len(damage)}"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{len(damage)}"))
        generate(spec, fresh)
        monkeypatch.setenv("XDG_CACHE_HOME", str(record.parents[1]))
        assert snapshot(target) == snapshot(fresh)
    assert counted.kept == 0


def test_a_cache_naming_wrong_bytes_is_not_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record whose hashes do not match the files (another tool rewrote them with the
    same size and times) keeps nothing: the files are rendered and compared."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "minimal.yaml"
    spec.write_bytes((ROOT / "specs" / "examples" / "minimal.yaml").read_bytes())
    target = tmp_path / "incremental"
    generate(spec, target)
    record = cache_file([target / "out", target / "docs"])
    record.write_text(re.sub(r'"[0-9a-f]{64}"\]', '"' + "0" * 64 + '"]', record.read_text()))
    counted = _Counted(monkeypatch)
    apply_edits(spec, seed=7, count=1)

    generate(spec, target)
    fresh = tmp_path / "full"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-full"))
    generate(spec, fresh)

    assert snapshot(target) == snapshot(fresh)
    assert counted.kept == 0


def test_one_process_and_two_render_the_same_bytes(tmp_path: Path) -> None:
    from generator.paths import builtin_templates_dir
    from generator.targets import plan_all
    from generator.targets.context import PlanContext

    spec = ROOT / "specs" / "deployplan.yaml"
    result = validate_file(spec, "specs/deployplan.yaml")
    assert result.plan is not None and result.loaded is not None
    artifacts = plan_all(PlanContext(result.plan, "specs/deployplan.yaml", result.loaded.positions))
    dirs = [builtin_templates_dir()]

    alone = render(artifacts, template_dirs=dirs, spec_label="specs/deployplan.yaml", jobs=1)
    forked = render(artifacts, template_dirs=dirs, spec_label="specs/deployplan.yaml", jobs=2)

    assert [(f.path, f.content) for f in forked] == [(f.path, f.content) for f in alone]
    assert len(alone) == len(artifacts) > 400

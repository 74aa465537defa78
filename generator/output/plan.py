"""Planning: compare what a run would write with what is on disk, writing nothing."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.artifact import RenderedFile, Root
from generator.errors import OutputConflict, UsageProblem
from generator.output.containment import containment_problem, forget_resolved
from generator.output.manifest import manifest_bytes, read_manifest
from generator.output.model import (
    MANIFEST_NAME,
    Change,
    ChangeKind,
    ChangeSet,
    ConflictKind,
    ManifestEntry,
    PlanInputs,
    Scope,
)
from generator.output.ownership import proven, sha256


def make_plan(inputs: PlanInputs, roots: Mapping[Root, Path]) -> ChangeSet:
    """The plan for ``inputs`` against the tree as it is now."""
    forget_resolved()
    files, scope = inputs.files, inputs.scope
    _check_roots(files, roots)
    raise_if_any(_duplicates(files, roots))
    changes: list[Change] = []
    manifests: list[Change] = []
    for root, base in roots.items():
        own = sorted((f for f in files if f.root is root), key=lambda f: str(f.path))
        root_changes, manifest = _plan_root(root, base, own, scope, inputs)
        changes += root_changes
        manifests.append(manifest)
    return ChangeSet(dict(roots), tuple(changes), tuple(manifests), inputs)


def _check_roots(files: Sequence[RenderedFile], roots: Mapping[Root, Path]) -> None:
    missing = sorted({f.root.value for f in files} - {root.value for root in roots})
    if missing:
        raise ValueError(f"no directory given for root(s): {', '.join(missing)}")
    seen: dict[Path, Path] = {}
    for base in roots.values():
        if base.exists() and not base.is_dir():
            raise UsageProblem(f"{base} is not a directory")
        other = seen.setdefault(base.resolve(), base)
        if other is not base:
            raise UsageProblem(f"{other} and {base} are the same directory; use two directories")


def _duplicates(files: Sequence[RenderedFile], roots: Mapping[Root, Path]) -> list[str]:
    first: dict[tuple[Root, PurePosixPath], RenderedFile] = {}
    problems = []
    for file in files:
        seen = first.setdefault((file.root, file.path), file)
        if seen is not file:
            problems.append(
                f"{roots[file.root] / file.path} is generated twice"
                f" (by families {seen.family} and {file.family})"
            )
    return problems


def _plan_root(
    root: Root, base: Path, files: Sequence[RenderedFile], scope: Scope, inputs: PlanInputs
) -> tuple[list[Change], Change]:
    owned = read_manifest(base)
    produced = {str(file.path): file for file in files}
    stale = sorted(p for p, entry in owned.items() if p not in produced and scope.covers(entry))
    raise_if_any(containment_problem(base, path) for path in [*produced, *stale])

    changes = [
        _kept(root, base, file, owned.get(str(file.path)), inputs.verified)
        or _plan_file(root, base, file, owned.get(str(file.path)))
        for file in files
    ]
    changes += [c for path in stale if (c := _plan_stale(root, base, path, owned[path]))]

    kept = {p: entry for p, entry in owned.items() if p not in produced and not scope.covers(entry)}
    entries = kept | {path: _entry_for(file) for path, file in produced.items()}
    manifest = _compare(
        root, PurePosixPath(MANIFEST_NAME), base, manifest_bytes(inputs.spec_label, entries), False
    )
    return changes, manifest


def _kept(
    root: Root,
    base: Path,
    file: RenderedFile,
    entry: ManifestEntry | None,
    verified: Mapping[tuple[Root, PurePosixPath], tuple[int, ...]],
) -> Change | None:
    """An unchanged file the caller read from disk and that nobody has touched since:
    known without reading it again (None when that cannot be shown)."""
    state = verified.get((root, file.path))
    if state is None or entry is None:
        return None
    target = base / file.path
    try:
        info = os.lstat(target)
    except OSError:
        return None
    now = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)
    same_mode = bool(info.st_mode & stat.S_IXUSR) == file.executable
    if now != tuple(state) or not same_mode or not stat.S_ISREG(info.st_mode):
        return None
    if info.st_size != len(file.content) or entry.sha256 != sha256(file.content):
        return None
    mode = stat.S_IMODE(info.st_mode)
    return Change(
        ChangeKind.UNCHANGED,
        root,
        file.path,
        target,
        file.content,
        file.content,
        mode,
        file.executable,
    )


def _plan_file(root: Root, base: Path, file: RenderedFile, entry: ManifestEntry | None) -> Change:
    change = _compare(root, file.path, base, file.content, file.executable)
    if change.old is None or change.old == change.new:
        # Equal content counts as ours even without an entry: an interrupted run wrote it.
        return change
    return replace(change, conflict=_conflict(file.path, change.old, entry))


def _plan_stale(root: Root, base: Path, path: str, entry: ManifestEntry) -> Change | None:
    target = base / path
    if not target.is_file():
        return None
    old = target.read_bytes()
    return Change(
        ChangeKind.REMOVED,
        root,
        PurePosixPath(path),
        target,
        old=old,
        executable=entry.executable,
        conflict=_conflict(PurePosixPath(path), old, entry),
    )


def _conflict(path: PurePosixPath, old: bytes, entry: ManifestEntry | None) -> ConflictKind | None:
    if entry is None:
        return ConflictKind.UNOWNED
    if not proven(path, old, entry):
        return ConflictKind.UNPROVEN
    return None if sha256(old) == entry.sha256 else ConflictKind.HAND_EDITED


def _compare(root: Root, path: PurePosixPath, base: Path, new: bytes, executable: bool) -> Change:
    target = base / path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return Change(ChangeKind.ADDED, root, path, target, new=new, executable=executable)
    except NotADirectoryError:
        blocker = next(parent for parent in target.parents if parent.is_file())
        raise OutputConflict(
            f"{blocker} is a file, but deployplan generates {target} inside it\n"
            f"hint: move {blocker} away, then run again"
        ) from None
    if not stat.S_ISREG(mode):
        raise OutputConflict(
            f"{target} is not a regular file, but deployplan generates a file there\n"
            f"hint: move {target} away, then run again"
        )
    old = target.read_bytes()
    # Only the executable bit counts, as in git: the umask must not make a tree look stale.
    same_mode = bool(mode & stat.S_IXUSR) == executable
    kind = ChangeKind.UNCHANGED if old == new and same_mode else ChangeKind.CHANGED
    return Change(kind, root, path, target, old, new, stat.S_IMODE(mode), executable)


def _entry_for(file: RenderedFile) -> ManifestEntry:
    return ManifestEntry(
        sha256(file.content), file.family, file.environment, file.service, file.executable
    )


def raise_if_any(problems: Iterable[str | None]) -> None:
    """Raise one OutputConflict naming every problem found, if any."""
    found = [problem for problem in problems if problem is not None]
    if found:
        raise OutputConflict("\n".join(found))

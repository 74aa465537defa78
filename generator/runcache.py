"""Skip a ``generate`` whose inputs and outputs are exactly as the last run left them.

The cache lives outside the project (in the user's cache directory), so committed output
stays byte-identical. It records a fingerprint of every input — the spec and its
overlays, the templates, the generator's own code and the options —, the file names and
glob patterns the spec's ``include:`` lists read with the sha256 of every file they
matched (a new file matching a glob is a change), and the size, mtime, ctime and inode of every
file the run wrote (the ctime catches an edit whose mtime was put back), plus the sha256
of the manifests it committed (another run may have written the tree since, and the
files' stats then describe that run's output). When all of that still matches, nothing
can have changed, and the run returns before importing the validator or Jinja2.

When something did change, the record still tells which files need no rendering: for
each file it keeps the digest of what rendering it read and the sha256 of its bytes
(:mod:`generator.render.reuse`), valid only for the same generator code (the *engine*).
"""

from __future__ import annotations

import contextlib
import functools
import glob
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.render.reuse import Previous

_PACKAGE = Path(__file__).resolve().parent


def cache_file(roots: Sequence[Path]) -> Path:
    """Where the record for these output roots lives."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256("\0".join(str(r.resolve()) for r in roots).encode()).hexdigest()
    return base / "deployplan" / f"{key[:32]}.json"


def fingerprint(
    specs: Sequence[Path], template_dirs: Sequence[Path], options: Iterable[str]
) -> str:
    """A hash of everything that decides what ``generate`` writes, but the included files
    (only a load of the spec can tell which: :func:`remember` records them)."""
    digest = hashlib.sha256(engine().encode() + b"\0")
    for part in options:
        digest.update(part.encode() + b"\0")
    for path in [*specs, *_files(template_dirs)]:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def engine() -> str:
    """A hash of the generator's own code and message catalogs, and the Python running
    them: what renders the same inputs to the same bytes."""
    digest = hashlib.sha256(sys.version.encode() + b"\0")
    for path in _files([_PACKAGE]):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files(dirs: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for directory in dirs:
        if directory.is_dir():
            found.extend(
                p
                for p in sorted(directory.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts
            )
    return found


def _stat(path: Path) -> list[int] | None:
    try:
        info = path.lstat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def is_current(record: Path, stamp: str) -> bool:
    """Whether the last run had this fingerprint and its files are untouched since."""
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or saved.get("fingerprint") != stamp:
        return False
    files, manifests = saved.get("files"), saved.get("manifests", {})
    if not isinstance(files, dict) or not files or not isinstance(manifests, dict):
        return False
    if any(_sha256(Path(path)) != sha for path, sha in manifests.items()):
        return False
    if _included(saved.get("includes", [])) != saved.get("included", {}):
        return False
    return all(_stat(Path(path)) == state for path, state in files.items())


def _included(patterns: Iterable[str]) -> dict[str, str | None]:
    """The files the include patterns match now, with their sha256."""
    found: dict[str, str | None] = {}
    for pattern in patterns:
        # Absolute patterns, which Path.glob does not take.
        for name in sorted(glob.glob(pattern, recursive=True)):  # noqa: PTH207
            found[name] = _sha256(Path(name))
    return found


def previous_renders(record: Path) -> dict[str, Previous]:
    """What the last run rendered, per file name, with the state it left each file in;
    {} when the record is missing, damaged, foreign or from other code."""
    from generator.render.reuse import Previous

    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved.get("engine") != engine():
            return {}
        files, renders = saved["files"], saved["renders"]
        found = {}
        for path, (inputs, sha) in renders.items():
            state = files.get(path)
            if isinstance(inputs, str) and isinstance(sha, str) and isinstance(state, list):
                found[path] = Previous(inputs, sha, tuple(int(n) for n in state))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
    return found


def remember(
    record: Path,
    stamp: str,
    files: Iterable[Path],
    manifests: Mapping[Path, str] | None = None,
    includes: Sequence[str] = (),
    renders: Mapping[str, tuple[str, str]] | None = None,
) -> None:
    """Record a successful run; failures to write the cache are not errors.

    ``manifests`` maps each manifest to the sha256 of what this run committed there;
    ``includes`` are the absolute file names and glob patterns the spec's includes read;
    ``renders`` maps the names of ``files`` to the digest of their inputs and the sha256
    of their bytes.
    """
    states = {str(path): _stat(path) for path in files}
    committed = {str(path): sha for path, sha in (manifests or {}).items()}
    data = {
        "fingerprint": stamp,
        "engine": engine(),
        "files": states,
        "manifests": committed,
        "includes": list(includes),
        "included": _included(includes),
        "renders": dict(renders or {}),
    }
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        temp = record.with_name(f"{record.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(data), encoding="utf-8")
        temp.replace(record)
    except OSError:
        pass


def forget(record: Path) -> None:
    """Drop the record (before a run that may fail half-way)."""
    with contextlib.suppress(OSError):
        record.unlink()

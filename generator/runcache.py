"""Skip a ``generate`` whose inputs and outputs are exactly as the last run left them.

The cache lives outside the project (in the user's cache directory), so committed output
stays byte-identical. It records a fingerprint of every input — the spec, the templates,
the generator's own code and the options — and the size, mtime and inode of every file
the run wrote. When all of that still matches, nothing can have changed, and the run
returns before importing the validator or Jinja2.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def cache_file(roots: Sequence[Path]) -> Path:
    """Where the record for these output roots lives."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256("\0".join(str(r.resolve()) for r in roots).encode()).hexdigest()
    return base / "deployplan" / f"{key[:32]}.json"


def fingerprint(spec: Path, template_dirs: Sequence[Path], options: Iterable[str]) -> str:
    """A hash of everything that decides what ``generate`` writes."""
    digest = hashlib.sha256()
    for part in options:
        digest.update(part.encode() + b"\0")
    for path in [spec, *_files(template_dirs), *_files([_PACKAGE])]:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
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
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode]


def is_current(record: Path, stamp: str) -> bool:
    """Whether the last run had this fingerprint and its files are untouched since."""
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or saved.get("fingerprint") != stamp:
        return False
    files = saved.get("files")
    if not isinstance(files, dict) or not files:
        return False
    return all(_stat(Path(path)) == state for path, state in files.items())


def remember(record: Path, stamp: str, files: Iterable[Path]) -> None:
    """Record a successful run; failures to write the cache are not errors."""
    states = {str(path): _stat(path) for path in files}
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        temp = record.with_suffix(".tmp")
        temp.write_text(json.dumps({"fingerprint": stamp, "files": states}), encoding="utf-8")
        temp.replace(record)
    except OSError:
        pass


def forget(record: Path) -> None:
    """Drop the record (before a run that may fail half-way)."""
    with contextlib.suppress(OSError):
        record.unlink()

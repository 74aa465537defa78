"""Paths from spec values and manifests stay inside their root: no ``..``, no escape
through a symbolic link, no clash with deployplan's own bookkeeping files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.output.model import JOURNAL_NAME, MANIFEST_NAME, TEMP_SUFFIX

_RESOLVED: dict[Path, Path] = {}
_INSIDE: dict[tuple[Path, str], bool] = {}


def forget_resolved() -> None:
    """Resolve directories afresh (once per plan: the tree may have changed)."""
    _RESOLVED.clear()
    _INSIDE.clear()


def containment_problem(base: Path, path: str) -> str | None:
    """Why ``path`` may not be written under ``base``, or None when it may."""
    reason = unsafe_reason(path)
    if reason is None and not _stays_inside(base, path):
        reason = "it leads outside the root through a symbolic link"
    return None if reason is None else f"unsafe path {path!r} in {base}/: {reason}"


def unsafe_reason(path: str) -> str | None:
    """Why ``path`` is not a plain relative path of a generated file, or None."""
    parts = path.split("/")
    if path.startswith("/"):
        return "it is absolute"
    if "\\" in path:
        return "it contains a backslash"
    if "\0" in path:
        return "it contains a NUL character"
    if ".." in parts:
        return "it has a '..' component"
    if "" in parts or "." in parts:
        return "it has an empty or '.' component"
    if path in (MANIFEST_NAME, JOURNAL_NAME) or any(p.endswith(TEMP_SUFFIX) for p in parts):
        return "the name is reserved for deployplan's own files"
    return None


def _stays_inside(base: Path, path: str) -> bool:
    # Thousands of files share a few directories: whether a directory resolves inside
    # the root is decided once per plan; the file itself is resolved only when it is a
    # symbolic link.
    folder = path.rpartition("/")[0]
    try:
        inside = _INSIDE.get((base, folder))
        if inside is None:
            root = _resolved(base)
            inside = _INSIDE[base, folder] = (base / folder).resolve().is_relative_to(root)
        if not inside:
            return False
        target = f"{base}/{path}"
        try:
            mode = os.lstat(target).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return True  # nothing there yet: the folder decides
        return not stat.S_ISLNK(mode) or Path(target).resolve().is_relative_to(_resolved(base))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def _resolved(directory: Path) -> Path:
    if directory not in _RESOLVED:
        _RESOLVED[directory] = directory.resolve()
    return _RESOLVED[directory]

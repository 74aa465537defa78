"""The journal: what a run is about to do, written (and fsynced) before its first move.

A copy goes into every root the run writes, so the next run finds it whatever spec,
roots or ``--check`` it is given. The journal is renamed into place whole, so it is
either absent (nothing was moved yet: the run's temp files are strays, to be removed) or
complete. A complete journal is rolled forward; only when that is impossible (a staged
file has vanished) is it rolled back, from the backups every step keeps until the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.output.model import JOURNAL_NAME, TEMP_SUFFIX


@dataclass(frozen=True)
class Step:
    """One move of a transaction, with what undoing it needs.

    ``write`` moves ``temp`` onto ``target`` (the old file kept as ``backup``, None when
    there was none); ``delete`` moves ``target`` to ``backup``; ``chmod`` sets ``mode``.
    """

    action: str
    target: str
    temp: str | None = None
    backup: str | None = None
    sha256: str | None = None
    mode: int | None = None
    old_mode: int | None = None


@dataclass(frozen=True)
class Journal:
    """A transaction: its steps, the folders it created, and where its copies live."""

    transaction: str
    steps: tuple[Step, ...]
    created: tuple[str, ...]
    copies: tuple[str, ...]


def temp_name(target: Path, transaction: str, role: str) -> Path:
    """A name next to ``target`` that no other run can pick (it holds the run's id)."""
    return target.with_name(f".{target.name}.{transaction}.{role}{TEMP_SUFFIX}")


def journal_paths(roots: Iterable[Path]) -> list[Path]:
    """Where the journal copies of runs over ``roots`` live."""
    return [base.absolute() / JOURNAL_NAME for base in roots]


def write_journal(journal: Journal) -> None:
    """Write every copy durably: after this, the run's outcome is the new tree."""
    data = (json.dumps(asdict(journal), sort_keys=True, indent=1) + "\n").encode()
    for copy in map(Path, journal.copies):
        temp = temp_name(copy, journal.transaction, "new")
        write_durably(temp, data, 0o644)
        _sync_file(temp)
        temp.replace(copy)
        sync_directory(copy.parent)


def read_journal(path: Path) -> Journal | None:
    """The journal at ``path``; None when there is none or it is not one of ours."""
    try:
        data = json.loads(path.read_bytes())
        steps = tuple(Step(**step) for step in data["steps"])
        return Journal(
            str(data["transaction"]), steps, tuple(data["created"]), tuple(data["copies"])
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{path} is not a deployplan journal: {err}") from err


def remove_copies(journal: Journal) -> None:
    """Drop the journal: the transaction is over (committed or undone)."""
    for copy in journal.copies:
        Path(copy).unlink(missing_ok=True)


def write_durably(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` (it must not exist) holding ``content`` with ``mode``.

    Made durable by :func:`sync_staged`, one call for a whole run's staged files
    instead of an fsync each, before the journal refers to them.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fchmod(descriptor, mode)  # the umask must not decide the mode
        finally:
            os.close(descriptor)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _sync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_staged() -> None:
    """Make every file written so far durable (before the journal refers to them)."""
    os.sync()


def sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str | None:
    """The sha256 of the file at ``path``, None when there is none."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stray_temps(roots: Sequence[Path]) -> list[Path]:
    """Temp files under ``roots`` that no running transaction owns (the lock is held)."""
    found: list[Path] = []
    for base in roots:
        if base.is_dir():
            found += sorted(p for p in base.rglob(f"*{TEMP_SUFFIX}") if not p.is_dir())
    return found


def remove_strays(strays: Sequence[Path], roots: Sequence[Path]) -> None:
    """Delete leftover temp files and the folders only they kept alive."""
    for stray in strays:
        stray.unlink(missing_ok=True)
        remove_empty_dirs(stray.parent, roots)


def remove_empty_dirs(directory: Path, roots: Sequence[Path]) -> None:
    """Remove ``directory`` and its parents while empty, never a root itself."""
    bases = [base.absolute() for base in roots]
    directory = directory.absolute()
    while any(base in directory.parents for base in bases):
        try:
            directory.rmdir()
        except OSError:  # not empty: something else still lives there
            return
        directory = directory.parent


def discard(paths: Iterable[Path]) -> None:
    """Best-effort removal of files this run made."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)

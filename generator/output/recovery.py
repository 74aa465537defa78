"""Running, finishing and undoing the steps of a journal, and recovering the
transaction an interrupted run left behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.output.journal import (
    Journal,
    Step,
    file_sha256,
    read_journal,
    remove_copies,
    remove_empty_dirs,
    remove_strays,
    stray_temps,
)
from generator.output.model import JOURNAL_NAME


def run_step(step: Step) -> None:
    """Do one step. Safe to repeat: a step already done is left as it is."""
    target = Path(step.target)
    if step.action == "write":
        _write(step, target)
    elif step.action == "delete":
        if target.exists() and step.backup and not Path(step.backup).exists():
            target.replace(step.backup)
    elif step.mode is not None and target.exists():
        target.chmod(step.mode)


def _write(step: Step, target: Path) -> None:
    assert step.temp is not None  # a write step always has its staged file
    temp = Path(step.temp)
    if not temp.exists():
        if file_sha256(target) != step.sha256:
            raise _Unfinishable(step.target)
        return
    if step.backup is not None and target.exists() and not Path(step.backup).exists():
        # a hard link keeps the old content without a moment where the target is missing
        os.link(target, step.backup)
    temp.replace(target)


def finish(journal: Journal, roots: Sequence[Path], reached: Callable[[str], None]) -> None:
    """Drop what only undoing would need, then the journal: the transaction is done."""
    for step in journal.steps:
        if step.backup is not None:
            Path(step.backup).unlink(missing_ok=True)
            reached("clean")
        if step.action == "delete":
            remove_empty_dirs(Path(step.target).parent, roots)
    remove_copies(journal)


def roll_back(journal: Journal) -> None:
    """Undo every step, last first: the tree is as it was before the transaction."""
    for step in reversed(journal.steps):
        _undo(step)
    for directory in reversed(journal.created):
        with contextlib.suppress(OSError):
            Path(directory).rmdir()
    remove_copies(journal)


def _undo(step: Step) -> None:
    target = Path(step.target)
    if step.temp is not None:
        Path(step.temp).unlink(missing_ok=True)
    if step.action == "chmod":
        if step.old_mode is not None and target.exists():
            target.chmod(step.old_mode)
        return
    if step.backup is not None and Path(step.backup).exists():
        # (a rename onto a hard link of the same file does nothing: unlink it after)
        Path(step.backup).replace(target)
        Path(step.backup).unlink(missing_ok=True)
    elif step.action == "write" and step.backup is None and file_sha256(target) == step.sha256:
        target.unlink()  # the run added it


def _ignore(point: str) -> None:
    """Recovery has no test points of its own."""


class _Unfinishable(Exception):
    """A staged file is gone and its target does not hold the new content."""


def recover(roots: Sequence[Path]) -> str | None:
    """Complete or undo the transaction an interrupted run left in ``roots`` (the lock
    is held), then remove stray temp files. Returns what was done, for the report."""
    done = None
    for base in roots:
        journal = read_journal(base.absolute() / JOURNAL_NAME)
        if journal is not None:
            done = _settle(journal, roots)
    return done


def _settle(journal: Journal, roots: Sequence[Path]) -> str:
    involved = sorted({*roots, *(Path(copy).parent for copy in journal.copies)}, key=str)
    try:
        for step in journal.steps:
            run_step(step)
    except _Unfinishable:
        roll_back(journal)
        remove_strays(stray_temps(involved), involved)
        return "an interrupted run was undone first"
    finish(journal, involved, _ignore)
    return "an interrupted run was completed first"


def clear_strays(roots: Sequence[Path]) -> None:
    """Remove temp files no journal accounts for: their run died before its journal."""
    remove_strays(stray_temps(roots), roots)

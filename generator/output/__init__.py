"""The writer: manifest-owned files, transactional writes, pruning, hand-edit
protection, --check.

deployplan owns exactly the files listed in each root's manifest that also carry its
marker (:mod:`.ownership`). A run is planned first (:func:`plan_changes`, which reads but
never writes), then either reported (:func:`check`) or carried out (:func:`apply`), so
every conflict is found before anything is touched. Both take the lock on the roots
(:mod:`.lock`), finish or undo whatever an interrupted run left (:mod:`.recovery`), and
plan again under the lock, so what they report is what is on disk; :func:`apply` then
writes as one transaction (:mod:`.transaction`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.artifact import RenderedFile, Root
from generator.errors import OutputConflict
from generator.output.journal import stray_temps
from generator.output.lock import OutputLocked, locked
from generator.output.model import (
    JOURNAL_NAME,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    TEMP_SUFFIX,
    Change,
    ChangeKind,
    ChangeSet,
    CheckResult,
    ConflictKind,
    ManifestEntry,
    PlanInputs,
    Scope,
    WriteReport,
    sorted_roots,
)
from generator.output.ownership import sha256
from generator.output.plan import make_plan
from generator.output.recovery import clear_strays, recover
from generator.output.report import check_report, conflict_message
from generator.output.transaction import Interrupted, commit

__all__ = [
    "JOURNAL_NAME",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "TEMP_SUFFIX",
    "Change",
    "ChangeKind",
    "ChangeSet",
    "CheckResult",
    "ConflictKind",
    "Interrupted",
    "ManifestEntry",
    "OutputLocked",
    "Scope",
    "WriteReport",
    "apply",
    "check",
    "plan_changes",
]


def plan_changes(
    files: Sequence[RenderedFile],
    roots: Mapping[Root, Path],
    scope: Scope,
    *,
    spec_label: str,
    verified: Mapping[tuple[Root, PurePosixPath], tuple[int, ...]] | None = None,
) -> ChangeSet:
    """Compare the rendered ``files`` with what is on disk under ``roots``.

    ``verified`` files were read from disk by the caller (see :class:`PlanInputs`).
    Writes nothing of its own; an interrupted run's transaction is finished or undone
    first. Raises OutputConflict for unsafe or duplicate paths and unreadable manifests.
    """
    inputs = PlanInputs(tuple(files), scope, spec_label, dict(verified or {}))
    with _settled(roots, create=False) as notes:
        return replace(make_plan(inputs, roots), notes=tuple(notes))


def apply(changes: ChangeSet, *, force: bool) -> WriteReport:
    """Carry out a plan as one transaction: new files, pruning, then the manifests.

    The plan is made again under the lock (another run may have written since).
    Raises OutputConflict, before touching anything, when a file stands in the way: a
    file not proven deployplan's (always), or an owned file edited by hand (unless
    ``force``); and, when writing fails, saying which tree is left on disk.
    """
    with _settled(changes.roots, create=True) as note:
        clear_strays(sorted_roots(changes.roots))
        fresh = _replan(changes)
        blocking = fresh.blocking(force=force)
        if blocking:
            raise OutputConflict(conflict_message(blocking, fresh.roots))
        commit([*fresh.changes, *fresh.manifests], sorted_roots(fresh.roots))
    return _report(fresh, [*changes.notes, *note])


def check(changes: ChangeSet) -> CheckResult:
    """Report how the tree on disk differs from what :func:`apply` would write.

    Lists ``added:``, ``changed:``, ``removed:`` and ``conflict:`` paths (the manifests
    last) and leftover temp files (``stray:``), then the diffs. Writes nothing beyond
    finishing an interrupted run.
    """
    with _settled(changes.roots, create=False):
        fresh = _replan(changes)
        strays = stray_temps(sorted_roots(changes.roots))
    return check_report(fresh, strays)


def _replan(changes: ChangeSet) -> ChangeSet:
    return changes if changes.inputs is None else make_plan(changes.inputs, changes.roots)


@contextlib.contextmanager
def _settled(roots: Mapping[Root, Path], *, create: bool) -> Iterator[list[str]]:
    """Hold the lock on ``roots`` with any interrupted transaction settled; yields what
    settling did (for the report)."""
    ordered = sorted_roots(roots)
    with locked(ordered, create=create):
        try:
            done = recover(ordered)
        except ValueError as err:
            raise OutputConflict(
                f"{err}\nhint: restore the output from version control, delete the journal,"
                " and run again"
            ) from err
        except OSError as err:
            raise OutputConflict(
                f"could not finish the interrupted run recorded in {JOURNAL_NAME}:"
                f" {err.strerror or err} ({err.filename}); the output is partly updated"
            ) from err
        yield [done] if done else []


def _report(changes: ChangeSet, notes: Sequence[str]) -> WriteReport:
    def targets(kind: ChangeKind) -> list[Path]:
        return [change.target for change in changes.of_kind(kind)]

    return WriteReport(
        added=targets(ChangeKind.ADDED),
        changed=targets(ChangeKind.CHANGED),
        removed=targets(ChangeKind.REMOVED),
        unchanged=targets(ChangeKind.UNCHANGED),
        manifests={m.target: sha256(m.new or b"") for m in changes.manifests},
        notes=list(notes),
    )

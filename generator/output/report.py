"""What the writer tells the user: why files stand in the way, and ``--check`` drift."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.artifact import Root
from generator.output.model import (
    MANIFEST_NAME,
    Change,
    ChangeKind,
    ChangeSet,
    CheckResult,
    ConflictKind,
)
from generator.output.ownership import is_text, takes_marker

_BINARY = "binary file differs\n"


def conflict_message(conflicts: Sequence[Change], roots: Mapping[Root, Path]) -> str:
    """Every file in the way, each with what to do about it."""
    count = "1 file stands" if len(conflicts) == 1 else f"{len(conflicts)} files stand"
    blocks = [_describe_conflict(change, roots[change.root]) for change in conflicts]
    return f"nothing was written: {count} in the way\n\n" + "\n\n".join(blocks)


def _describe_conflict(change: Change, base: Path) -> str:
    target = change.target
    if change.conflict is ConflictKind.UNOWNED:
        return (
            f"{target} is not listed in {base / MANIFEST_NAME}: deployplan did not generate it"
            " and never overwrites it, not even with --force\n"
            f"hint: move {target} away or rename it, then run again"
        )
    if change.conflict is ConflictKind.UNPROVEN:
        return _describe_unproven(change, base)
    if change.kind is ChangeKind.REMOVED:
        return (
            f"{target} is no longer generated, but it was edited by hand since deployplan"
            " wrote it\n"
            "hint: carry the change into the spec if it is still needed,"
            " or rerun with --force to delete it"
        )
    diff = unified_diff(change.new, change.old, "generated", "on disk (edited)")
    return (
        f"{target} was edited by hand since deployplan wrote it:\n"
        f"{diff or _BINARY}"
        "hint: carry the change into the spec and regenerate, or rerun with --force to overwrite it"
    )


def _describe_unproven(change: Change, base: Path) -> str:
    proof = (
        "it does not carry deployplan's do-not-edit marker"
        if takes_marker(change.path) and change.old is not None and is_text(change.old)
        else "its content is not what deployplan recorded there"
    )
    verb = "deletes" if change.kind is ChangeKind.REMOVED else "overwrites"
    return (
        f"{change.target} is listed in {base / MANIFEST_NAME}, but {proof}, so nothing shows"
        f" deployplan generated it; it never {verb} such a file, not even with --force\n"
        f"hint: if the file is yours, remove {change.path} from the manifest;"
        " if it is generated, move it away and run again"
    )


def check_report(changes: ChangeSet, strays: Sequence[Path]) -> CheckResult:
    """Report how the tree on disk differs from what a run would write.

    Lists ``added:``, ``changed:``, ``removed:`` and ``conflict:`` paths (the manifests
    last), then leftover temp files, then the diffs.
    """
    files = sorted(changes.changes, key=lambda change: str(change.target))
    pending = [c for c in (*files, *changes.manifests) if c.kind is not ChangeKind.UNCHANGED]
    if not pending and not strays:
        return CheckResult(current=True, report="")
    status = "".join(_status_line(change) for change in pending)
    status += "".join(
        f"stray: {path} (a temp file left by an interrupted run)\n" for path in strays
    )
    diffs = "".join(_check_diff(change) for change in pending)
    return CheckResult(current=False, report=f"{status}\n{diffs}")


def _status_line(change: Change) -> str:
    if change.conflict is None:
        return f"{change.kind.value}: {change.target}\n"
    return f"conflict: {change.target} ({change.conflict.value})\n"


def _check_diff(change: Change) -> str:
    if change.mode_only:
        return f"{change.target}: mode {change.old_mode or 0:o} -> {change.mode:o}\n"
    before = "/dev/null" if change.old is None else f"a/{change.target}"
    after = "/dev/null" if change.new is None else f"b/{change.target}"
    diff = unified_diff(change.old, change.new, before, after)
    return f"{change.target}: {_BINARY}" if diff is None else diff


def unified_diff(old: bytes | None, new: bytes | None, before: str, after: str) -> str | None:
    """A unified diff of two UTF-8 texts; None when either side is not text."""
    try:
        old_lines = _lines((old or b"").decode())
        new_lines = _lines((new or b"").decode())
    except UnicodeDecodeError:
        return None
    diff = difflib.unified_diff(old_lines, new_lines, before, after)
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in diff
    )


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines would also break at "\r", "\f" and friends.
    lines = [f"{line}\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]

"""Carrying out a plan as a transaction: stage, journal, move, clean up.

Every new content is first written to a temp file beside its target (a name unique to
the run), then the journal is written, then each step moves one file, keeping what it
replaces or deletes as a backup; only when every step is done are the backups and the
journal dropped. Whatever stops the run (an error, a signal, a kill) leaves the old tree
or the new one, and the error says which.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.errors import OutputConflict
from generator.output.journal import (
    Journal,
    Step,
    discard,
    journal_paths,
    sync_staged,
    temp_name,
    write_durably,
    write_journal,
)
from generator.output.model import Change, ChangeKind
from generator.output.ownership import sha256
from generator.output.recovery import finish, roll_back, run_step

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(OutputConflict):
    """A signal stopped the run; the message says which tree it left."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + signum


class _Signal(BaseException):
    """A signal arriving (a BaseException, like KeyboardInterrupt: not an error)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def reached(point: str) -> None:
    """Called at every point of the write phase; tests replace it to kill the run there."""


def commit(changes: Sequence[Change], roots: Sequence[Path]) -> None:
    """Write ``changes`` (files first, manifests last) as one transaction."""
    transaction = f"{os.getpid()}-{secrets.token_hex(4)}"
    with _signals_raise():
        steps, created = _stage_all(changes, transaction)
        if not steps:
            return
        journal = Journal(transaction, tuple(steps), tuple(created), _copies(roots))
        _journal(journal)
        with _signals_deferred():
            _move_all(journal)
            _finish(journal, roots)


def _copies(roots: Sequence[Path]) -> tuple[str, ...]:
    return tuple(str(path) for path in journal_paths(roots))


def _stage_all(changes: Sequence[Change], transaction: str) -> tuple[list[Step], list[str]]:
    steps: list[Step] = []
    created: list[Path] = []
    present: set[Path] = set()
    try:
        for change in changes:
            step = _stage(change, transaction, created, present)
            if step is not None:
                steps.append(step)
                reached("stage")
        if steps:
            sync_staged()
    except _Signal as stop:
        _undo_staging(steps, created)
        raise _interrupted_before(stop.signum) from None
    except BaseException:
        _undo_staging(steps, created)
        raise
    return steps, [str(directory) for directory in created]


def _stage(
    change: Change, transaction: str, created: list[Path], present: set[Path]
) -> Step | None:
    target = change.target.absolute()
    if change.kind is ChangeKind.REMOVED:
        return Step("delete", str(target), backup=str(temp_name(target, transaction, "old")))
    if change.mode_only:
        return Step("chmod", str(target), mode=change.mode, old_mode=change.old_mode)
    if not change.rewrites:
        return None
    temp = temp_name(target, transaction, "new")
    backup = None if change.old is None else str(temp_name(target, transaction, "old"))
    try:
        _make_dirs(target.parent, created, present)
        write_durably(temp, change.new or b"", change.mode)
    except OSError as err:
        raise OutputConflict(
            f"could not write {change.target}: {err.strerror or err}; "
            "nothing was changed, the previous output is intact"
        ) from err
    return Step("write", str(target), str(temp), backup, sha256(change.new or b""))


def _make_dirs(directory: Path, created: list[Path], present: set[Path]) -> None:
    """Create ``directory`` and missing parents; ``present`` remembers the folders known
    to exist, so thousands of files in a few folders cost no stat each."""
    if directory in present:
        return
    missing = []
    for each in (directory, *directory.parents):
        if each in present or each.exists():
            break
        missing.append(each)
    for each in reversed(missing):
        each.mkdir()
        created.append(each)
    present.update((directory, *directory.parents))


def _undo_staging(steps: Sequence[Step], created: Sequence[Path]) -> None:
    discard(Path(step.temp) for step in steps if step.temp)
    for directory in reversed(created):
        with contextlib.suppress(OSError):
            directory.rmdir()


def _journal(journal: Journal) -> None:
    try:
        write_journal(journal)
        reached("journal")
    except (OSError, _Signal) as err:
        # no step has run: dropping the temps and any journal copy undoes everything
        copies = [Path(copy) for copy in journal.copies]
        discard([*copies, *(temp_name(c, journal.transaction, "new") for c in copies)])
        roll_back(journal)
        if isinstance(err, _Signal):
            raise _interrupted_before(err.signum) from None
        raise OutputConflict(
            f"could not write the journal: {err.strerror or err}; "
            "nothing was changed, the previous output is intact"
        ) from err


def _move_all(journal: Journal) -> None:
    for step in journal.steps:
        try:
            run_step(step)
        except OSError as err:
            raise _failed_move(journal, step, err) from err
        reached("move")


def _failed_move(journal: Journal, step: Step, err: OSError) -> Exception:
    problem = f"could not {_verb(step)} {step.target}: {err.strerror or err}"
    try:
        roll_back(journal)
    except OSError as undo:
        copies = ", ".join(journal.copies)
        return OutputConflict(
            f"{problem}; undoing the run failed too ({undo.strerror or undo}): the output is"
            " partly updated until the next deployplan run, which completes or undoes it"
            f" from {copies}"
        )
    return OutputConflict(f"{problem}; every change was undone, the previous output is intact")


def _verb(step: Step) -> str:
    return {"write": "move into place", "delete": "delete"}.get(step.action, "change the mode of")


def _finish(journal: Journal, roots: Sequence[Path]) -> None:
    """Drop the backups and the journal: from here on the new tree is all there is.

    A failure here changes nothing the user sees; the next run finishes the clean-up.
    """
    with contextlib.suppress(OSError):
        finish(journal, roots, reached)


def _interrupted_before(signum: int) -> Interrupted:
    name = signal.Signals(signum).name
    return Interrupted(
        f"interrupted by {name} before anything was moved:"
        " nothing was changed, the previous output is intact",
        signum,
    )


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into an exception, so the run can clean up after itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise _Signal(signum)

    previous = {signum: signal.signal(signum, stop) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while files move: a signal then would leave a half
    tree. The run completes, and the signal is answered after, saying so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    except BaseException:
        with contextlib.suppress(_Signal):  # the error in flight says what is true
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        raise
    else:
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        except _Signal as stop:
            name = signal.Signals(stop.signum).name
            raise Interrupted(
                f"interrupted by {name} while files were moved; the run completed first:"
                " the new output is in place",
                stop.signum,
            ) from None

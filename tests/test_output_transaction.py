"""The write transaction when the disk says no: a failed move is undone, a failed
manifest or journal write changes nothing, and what the run says is what is on disk."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import generator.output.journal
import generator.output.transaction
from generator.errors import OutputConflict
from generator.output import JOURNAL_NAME, MANIFEST_NAME, TEMP_SUFFIX, check
from tests.test_output import V1, V2, generate, plan, rendered, simple, stamps, temp_files, tree

OLD = simple("a.txt", "b.txt", "c.txt", "stale.txt")
# moved in this order: a.txt, aa/new.txt, b.txt, c.txt, stale.txt (deleted), the manifest
NEW = [*simple("a.txt", "b.txt", "c.txt", content=V2), rendered("aa/new.txt", V1)]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path) -> Iterator[None]:
    # not monkeypatch.chdir: undoing a test's patches must not take it back to the
    # project, where the next run would prune the real output/
    previous = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(previous)


def _file_stamps() -> dict[str, tuple[int, int, int]]:
    """(mtime_ns, inode, mode) of every file (folders change as entries come and go)."""
    return {path: stamp for path, stamp in stamps().items() if Path(path).is_file()}


def _journals() -> list[Path]:
    return [p for p in (Path("output"), Path("site_docs")) if (p / JOURNAL_NAME).exists()]


def _fail_replace(
    monkeypatch: pytest.MonkeyPatch, code: int, fails: Callable[[Path, Path], bool]
) -> None:
    """Make ``os.replace(src, dst)`` fail with ``code`` where ``fails(src, dst)``."""
    real = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if fails(Path(src), Path(dst)):
            raise OSError(code, os.strerror(code), str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def _staged(src: Path) -> bool:
    return src.name.endswith(f".new{TEMP_SUFFIX}")


@pytest.mark.parametrize("code", [errno.EACCES, errno.EFBIG, errno.ENOSPC])
@pytest.mark.parametrize(
    ("target", "verb"),
    [
        ("output/b.txt", "move into place"),
        ("output/stale.txt", "delete"),
        (f"output/{MANIFEST_NAME}", "move into place"),
    ],
)
def test_a_failed_move_is_undone_and_the_message_says_so(
    monkeypatch: pytest.MonkeyPatch, code: int, target: str, verb: str
) -> None:
    generate(OLD)
    before_tree, before_stamps = tree(), _file_stamps()
    failing = Path(target).absolute()
    # the move forward fails (the temp onto the target, or the target aside); moving the
    # old file back works
    _fail_replace(
        monkeypatch, code, lambda src, dst: src == failing or (_staged(src) and dst == failing)
    )

    with pytest.raises(OutputConflict) as excinfo:
        generate(NEW)

    assert str(excinfo.value) == (
        f"could not {verb} {failing}: {os.strerror(code)};"
        " every change was undone, the previous output is intact"
    )
    assert tree() == before_tree  # aa/ is gone again, too
    # the files moved back are the very files that were there (same inode, same mtime)
    assert _file_stamps() == before_stamps
    assert temp_files() == []
    assert _journals() == []
    assert check(plan(OLD)).current


def test_a_failed_undo_leaves_a_journal_that_the_next_run_settles_whatever_it_writes() -> None:
    generate(OLD)
    before_tree = tree()
    b_txt, a_txt = Path("output/b.txt").absolute(), Path("output/a.txt").absolute()
    with pytest.MonkeyPatch.context() as patch, pytest.raises(OutputConflict) as excinfo:
        # b.txt cannot be moved into place, nor a.txt's old content back
        _fail_replace(
            patch,
            errno.EIO,
            lambda src, dst: (dst == b_txt and _staged(src)) or (dst == a_txt and not _staged(src)),
        )
        generate(NEW)

    copies = (
        f"{Path('output').absolute() / JOURNAL_NAME}, {Path('site_docs').absolute() / JOURNAL_NAME}"
    )
    assert str(excinfo.value) == (
        f"could not move into place {b_txt}: Input/output error; undoing the run failed too"
        " (Input/output error): the output is partly updated until the next deployplan run,"
        f" which completes or undoes it from {copies}"
    )
    assert Path("output/a.txt").read_text() == V2  # partly updated, as it says

    report = generate(OLD)

    assert report.notes == ["an interrupted run was undone first"]
    assert tree() == before_tree
    assert temp_files() == []
    assert _journals() == []


@pytest.mark.parametrize("code", [errno.EFBIG, errno.ENOSPC])
def test_a_manifest_that_cannot_be_written_changes_nothing(code: int) -> None:
    """The issue's false "nothing was changed": the manifest is staged with the files,
    before any of them moves, so when it cannot be written nothing has changed, and the
    manifest on disk still describes the files beside it."""
    generate(OLD)
    before_tree, before_stamps = tree(), _file_stamps()
    real = generator.output.journal.write_durably

    def write_durably(path: Path, content: bytes, mode: int) -> None:
        if MANIFEST_NAME in path.name:
            raise OSError(code, os.strerror(code))
        real(path, content, mode)

    with pytest.MonkeyPatch.context() as patch, pytest.raises(OutputConflict) as excinfo:
        patch.setattr(generator.output.transaction, "write_durably", write_durably)
        generate(NEW)

    assert str(excinfo.value) == (
        f"could not write output/{MANIFEST_NAME}: {os.strerror(code)};"
        " nothing was changed, the previous output is intact"
    )
    assert tree() == before_tree
    assert _file_stamps() == before_stamps
    assert temp_files() == []
    assert check(plan(OLD)).current
    assert generate(NEW).summary() == "4 written, 1 removed, 0 unchanged"


def test_a_journal_that_cannot_be_written_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    generate(OLD)
    before_tree, before_stamps = tree(), _file_stamps()
    real = generator.output.journal.write_durably
    written: list[str] = []

    def write_durably(path: Path, content: bytes, mode: int) -> None:
        # the first copy is written, the second hits the size limit
        if JOURNAL_NAME in path.name and written:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        if JOURNAL_NAME in path.name:
            written.append(path.name)
        real(path, content, mode)

    monkeypatch.setattr(generator.output.journal, "write_durably", write_durably)

    with pytest.raises(OutputConflict) as excinfo:
        generate(NEW)

    assert str(excinfo.value) == (
        "could not write the journal: File too large;"
        " nothing was changed, the previous output is intact"
    )
    assert written
    assert tree() == before_tree
    assert _file_stamps() == before_stamps
    assert temp_files() == []
    assert _journals() == []


def test_check_reports_a_stray_temp_file_and_leaves_it_to_the_next_run() -> None:
    generate(OLD)
    stray = Path(f"output/deep/.x.txt.4242-0badcafe.new{TEMP_SUFFIX}")
    stray.parent.mkdir()
    stray.write_text("half\n")

    result = check(plan(OLD))

    assert (result.current, result.report) == (
        False,
        f"stray: {stray} (a temp file left by an interrupted run)\n\n",
    )
    assert stray.exists()  # --check writes nothing
    assert generate(OLD).summary() == "0 written, 0 removed, 4 unchanged"
    assert not stray.parent.exists()
    assert check(plan(OLD)).current

"""The writer: manifest ownership, atomic writes, pruning, hand-edit protection, --check."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import pytest

import generator.output
from generator.artifact import RenderedFile, Root
from generator.errors import OutputConflict, UsageProblem
from generator.output import (
    ChangeKind,
    ChangeSet,
    ManifestEntry,
    Scope,
    WriteReport,
    apply,
    check,
    plan_changes,
)

ROOTS = {Root.OUTPUT: Path("output"), Root.DOCS: Path("site_docs")}
SPEC = "specs/deployplan.yaml"
MANIFEST = Path("output/.deployplan-manifest.json")
DEPLOY_SH = "#!/bin/sh\necho deploy\n"
CI_YML = "name: ci\n"


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def build_file_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``{relpath: content}`` under ``root``, creating folders as needed."""
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)


def rendered(
    path: str,
    content: str | bytes,
    *,
    root: Root = Root.OUTPUT,
    family: str = "deploy",
    environment: str | None = None,
    service: str | None = None,
    executable: bool = False,
) -> RenderedFile:
    data = content.encode() if isinstance(content, str) else content
    return RenderedFile(root, PurePosixPath(path), data, family, environment, service, executable)


def plan(files: list[RenderedFile], scope: Scope | None = None) -> ChangeSet:
    return plan_changes(files, ROOTS, scope or Scope(), spec_label=SPEC)


def generate(
    files: list[RenderedFile], *, scope: Scope | None = None, force: bool = False
) -> WriteReport:
    return apply(plan(files, scope), force=force)


def tree() -> dict[str, bytes | None]:
    """Every path under the working directory with its content (None for a folder)."""
    return {
        str(path): None if path.is_dir() else path.read_bytes()
        for path in sorted(Path().rglob("*"))
        if not path.is_symlink()
    }


def stamps() -> dict[str, tuple[int, int, int]]:
    """(mtime_ns, inode, mode) of every path under the working directory."""
    return {
        str(path): (path.lstat().st_mtime_ns, path.lstat().st_ino, path.lstat().st_mode)
        for path in sorted(Path().rglob("*"))
    }


def sha(content: str | bytes) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


def manifest_files(path: Path = MANIFEST) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads(path.read_text())["files"]
    return files


def simple(*names: str, content: str = "v1\n") -> list[RenderedFile]:
    return [rendered(name, content) for name in names]


def temp_files() -> list[str]:
    return [str(path) for path in Path().rglob("*.deployplan-tmp")]


# --- writing --------------------------------------------------------------------------


def test_first_write_creates_files_and_manifests() -> None:
    files = [
        rendered(
            "deploy/web/production/deploy.sh",
            DEPLOY_SH,
            environment="production",
            service="web",
            executable=True,
        ),
        rendered("pipelines/web/ci.yml", CI_YML, family="pipelines", service="web"),
        rendered("operations/index.md", "# Operations\n", root=Root.DOCS, family="manuals"),
    ]

    report = generate(files)

    assert report.added == [
        Path("output/deploy/web/production/deploy.sh"),
        Path("output/pipelines/web/ci.yml"),
        Path("site_docs/operations/index.md"),
    ]
    assert report.summary() == "3 written, 0 removed, 0 unchanged"
    script = Path("output/deploy/web/production/deploy.sh")
    assert script.read_text() == DEPLOY_SH
    assert script.stat().st_mode & 0o777 == 0o755
    assert Path("output/pipelines/web/ci.yml").stat().st_mode & 0o777 == 0o644
    assert Path("site_docs/operations/index.md").read_text() == "# Operations\n"
    assert (
        MANIFEST.read_text()
        == f"""\
{{
  "files": {{
    "deploy/web/production/deploy.sh": {{
      "environment": "production",
      "executable": true,
      "family": "deploy",
      "service": "web",
      "sha256": "{sha(DEPLOY_SH)}"
    }},
    "pipelines/web/ci.yml": {{
      "environment": null,
      "executable": false,
      "family": "pipelines",
      "service": "web",
      "sha256": "{sha(CI_YML)}"
    }}
  }},
  "manifest_version": 1,
  "spec": "specs/deployplan.yaml"
}}
"""
    )
    assert manifest_files(Path("site_docs/.deployplan-manifest.json")) == {
        "operations/index.md": {
            "environment": None,
            "executable": False,
            "family": "manuals",
            "service": None,
            "sha256": sha("# Operations\n"),
        }
    }
    assert temp_files() == []


def test_modes_do_not_depend_on_the_umask() -> None:
    previous = os.umask(0o077)
    try:
        generate([rendered("run.sh", DEPLOY_SH, executable=True), rendered("a.txt", "a\n")])
    finally:
        os.umask(previous)

    assert Path("output/run.sh").stat().st_mode & 0o777 == 0o755
    assert Path("output/a.txt").stat().st_mode & 0o777 == 0o644
    assert MANIFEST.stat().st_mode & 0o777 == 0o644


def test_identical_second_run_touches_nothing() -> None:
    files = [
        rendered("deploy/run.sh", DEPLOY_SH, executable=True),
        rendered("a.txt", "a\n"),
        rendered("index.md", "# Index\n", root=Root.DOCS),
    ]
    generate(files)
    before = stamps()

    report = generate(files)

    assert stamps() == before
    assert report.unchanged == [
        Path("output/a.txt"),
        Path("output/deploy/run.sh"),
        Path("site_docs/index.md"),
    ]
    assert report.summary() == "0 written, 0 removed, 3 unchanged"


def test_changed_content_rewrites_only_that_file() -> None:
    generate(simple("a.txt", "b.txt", "c.txt"))
    before = stamps()

    report = generate([*simple("a.txt", "c.txt"), rendered("b.txt", "v2\n")])

    after = stamps()
    assert Path("output/b.txt").read_text() == "v2\n"
    assert after["output/a.txt"] == before["output/a.txt"]
    assert after["output/c.txt"] == before["output/c.txt"]
    assert after["output/b.txt"] != before["output/b.txt"]
    assert manifest_files()["b.txt"]["sha256"] == sha("v2\n")
    assert report.changed == [Path("output/b.txt")]
    assert report.summary() == "1 written, 0 removed, 2 unchanged"


def test_only_the_mode_differs_so_it_is_fixed_without_rewriting() -> None:
    files = [rendered("run.sh", DEPLOY_SH, executable=True)]
    generate(files)
    Path("output/run.sh").chmod(0o644)
    inode = Path("output/run.sh").stat().st_ino

    result = check(plan(files))
    report = generate(files)

    assert result.report == "changed: output/run.sh\n\noutput/run.sh: mode 644 -> 755\n"
    assert report.changed == [Path("output/run.sh")]
    assert Path("output/run.sh").stat().st_mode & 0o777 == 0o755
    assert Path("output/run.sh").stat().st_ino == inode


def test_group_write_bit_from_a_umask_is_not_drift() -> None:
    files = [rendered("a.txt", "a\n")]
    generate(files)
    Path("output/a.txt").chmod(0o664)

    assert check(plan(files)).current


def test_deleted_owned_file_is_added_again() -> None:
    generate(simple("a.txt", "b.txt"))
    Path("output/a.txt").unlink()

    report = generate(simple("a.txt", "b.txt"))

    assert report.added == [Path("output/a.txt")]
    assert Path("output/a.txt").read_text() == "v1\n"


def test_leftover_temp_file_of_a_crashed_run_is_replaced(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    Path("output").mkdir()
    Path("output/.a.txt.deployplan-tmp").symlink_to(victim)

    generate(simple("a.txt"))

    assert Path("output/a.txt").read_text() == "v1\n"
    assert victim.read_text() == "keep me\n"
    assert temp_files() == []


# --- pruning --------------------------------------------------------------------------


def test_stale_owned_file_is_pruned_and_its_empty_folder_removed() -> None:
    generate(simple("keep.txt", "old/deep/stale.txt"))

    report = generate(simple("keep.txt"))

    assert report.removed == [Path("output/old/deep/stale.txt")]
    assert report.summary() == "0 written, 1 removed, 1 unchanged"
    assert not Path("output/old").exists()
    assert Path("output").is_dir()
    assert list(manifest_files()) == ["keep.txt"]


def test_files_deployplan_does_not_own_are_left_alone() -> None:
    generate(simple("keep.txt", "old/stale.txt"))
    build_file_tree(
        Path("output"),
        {"README.md": "hand-written\n", ".gitkeep": "", "old/notes.txt": "mine\n"},
    )

    generate(simple("keep.txt"))

    assert Path("output/README.md").read_text() == "hand-written\n"
    assert Path("output/.gitkeep").exists()
    assert Path("output/old/notes.txt").read_text() == "mine\n"
    assert not Path("output/old/stale.txt").exists()
    assert list(manifest_files()) == ["keep.txt"]


def test_stale_entry_whose_file_is_gone_is_dropped_quietly() -> None:
    generate(simple("keep.txt", "gone.txt"))
    Path("output/gone.txt").unlink()

    report = generate(simple("keep.txt"))

    assert report.removed == []
    assert list(manifest_files()) == ["keep.txt"]


# --- conflicts ------------------------------------------------------------------------


def test_unowned_file_at_a_generated_path_is_never_overwritten_even_with_force() -> None:
    generate(simple("a.txt"))
    build_file_tree(Path("output"), {"deploy.sh": "#!/bin/sh\necho mine\n"})
    before = stamps()

    with pytest.raises(OutputConflict) as excinfo:
        generate([*simple("a.txt", "b.txt"), rendered("deploy.sh", DEPLOY_SH)], force=True)

    assert str(excinfo.value) == (
        "nothing was written: 1 file stands in the way\n"
        "\n"
        "output/deploy.sh is not listed in output/.deployplan-manifest.json:"
        " deployplan did not generate it and never overwrites it, not even with --force\n"
        "hint: move output/deploy.sh away or rename it, then run again"
    )
    assert stamps() == before


def test_hand_edited_file_is_not_overwritten_and_the_edit_is_shown() -> None:
    generate([rendered("deploy.sh", DEPLOY_SH)])
    build_file_tree(Path("output"), {"deploy.sh": "#!/bin/sh\nset -x\necho deploy\n"})
    before = stamps()

    with pytest.raises(OutputConflict) as excinfo:
        generate([rendered("deploy.sh", DEPLOY_SH)])

    assert str(excinfo.value) == (
        "nothing was written: 1 file stands in the way\n"
        "\n"
        "output/deploy.sh was edited by hand since deployplan wrote it:\n"
        "--- generated\n"
        "+++ on disk (edited)\n"
        "@@ -1,2 +1,3 @@\n"
        " #!/bin/sh\n"
        "+set -x\n"
        " echo deploy\n"
        "hint: carry the change into the spec and regenerate,"
        " or rerun with --force to overwrite it"
    )
    assert stamps() == before


def test_every_conflicting_file_is_named_at_once() -> None:
    generate(simple("a.txt", "b.txt"))
    build_file_tree(Path("output"), {"a.txt": "hotfix", "mine.txt": "mine\n"})

    with pytest.raises(OutputConflict) as excinfo:
        generate([*simple("a.txt", "b.txt"), rendered("mine.txt", "generated\n")])

    assert str(excinfo.value) == (
        "nothing was written: 2 files stand in the way\n"
        "\n"
        "output/a.txt was edited by hand since deployplan wrote it:\n"
        "--- generated\n"
        "+++ on disk (edited)\n"
        "@@ -1 +1 @@\n"
        "-v1\n"
        "+hotfix\n"
        "\\ No newline at end of file\n"
        "hint: carry the change into the spec and regenerate,"
        " or rerun with --force to overwrite it\n"
        "\n"
        "output/mine.txt is not listed in output/.deployplan-manifest.json:"
        " deployplan did not generate it and never overwrites it, not even with --force\n"
        "hint: move output/mine.txt away or rename it, then run again"
    )


def test_force_overwrites_a_hand_edited_file() -> None:
    generate([rendered("deploy.sh", DEPLOY_SH)])
    build_file_tree(Path("output"), {"deploy.sh": "#!/bin/sh\nset -x\necho deploy\n"})

    report = generate([rendered("deploy.sh", DEPLOY_SH)], force=True)

    assert report.changed == [Path("output/deploy.sh")]
    assert Path("output/deploy.sh").read_text() == DEPLOY_SH


def test_hand_edited_stale_file_is_deleted_only_with_force() -> None:
    generate(simple("keep.txt", "old.txt"))
    build_file_tree(Path("output"), {"old.txt": "v1\nhotfix\n"})

    with pytest.raises(OutputConflict) as excinfo:
        generate(simple("keep.txt"))

    assert str(excinfo.value) == (
        "nothing was written: 1 file stands in the way\n"
        "\n"
        "output/old.txt is no longer generated, but it was edited by hand since deployplan"
        " wrote it\n"
        "hint: carry the change into the spec if it is still needed,"
        " or rerun with --force to delete it"
    )
    assert Path("output/old.txt").read_text() == "v1\nhotfix\n"
    assert "old.txt" in manifest_files()

    generate(simple("keep.txt"), force=True)

    assert not Path("output/old.txt").exists()
    assert list(manifest_files()) == ["keep.txt"]


def test_interrupted_run_left_new_content_so_it_counts_as_unchanged() -> None:
    generate(simple("a.txt", "b.txt"))
    # An earlier run moved a.txt into place, then died before writing the manifest.
    build_file_tree(Path("output"), {"a.txt": "v2\n"})
    inode = Path("output/a.txt").stat().st_ino

    report = generate([rendered("a.txt", "v2\n"), *simple("b.txt")])

    assert report.unchanged == [Path("output/a.txt"), Path("output/b.txt")]
    assert Path("output/a.txt").stat().st_ino == inode
    assert manifest_files()["a.txt"]["sha256"] == sha("v2\n")


def test_lost_manifest_adopts_files_that_match() -> None:
    generate(simple("a.txt", "b.txt"))
    MANIFEST.unlink()

    report = generate(simple("a.txt", "b.txt"))

    assert report.summary() == "0 written, 0 removed, 2 unchanged"
    assert list(manifest_files()) == ["a.txt", "b.txt"]


def test_folder_at_a_generated_path_is_a_conflict() -> None:
    Path("output/a.txt").mkdir(parents=True)

    with pytest.raises(OutputConflict) as excinfo:
        plan(simple("a.txt"))

    assert str(excinfo.value) == (
        "output/a.txt is not a regular file, but deployplan generates a file there\n"
        "hint: move output/a.txt away, then run again"
    )


def test_file_where_a_generated_folder_goes_is_a_conflict() -> None:
    build_file_tree(Path("output"), {"deploy": "mine\n"})

    with pytest.raises(OutputConflict) as excinfo:
        plan(simple("deploy/run.sh"))

    assert str(excinfo.value) == (
        "output/deploy is a file, but deployplan generates output/deploy/run.sh inside it\n"
        "hint: move output/deploy away, then run again"
    )


# --- scope ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "covered"),
    [
        (Scope(), True),
        (Scope(families=frozenset({"deploy", "backup"})), True),
        (Scope(families=frozenset({"backup"})), False),
        (Scope(environment="production"), True),
        (Scope(environment="staging"), False),
        (Scope(service="web"), True),
        (Scope(service="api"), False),
        (Scope(frozenset({"deploy"}), "production", "web"), True),
    ],
)
def test_scope_covers(scope: Scope, covered: bool) -> None:
    entry = ManifestEntry("0" * 64, "deploy", environment="production", service="web")

    assert scope.covers(entry) is covered


def test_scope_with_an_environment_does_not_cover_files_of_no_environment() -> None:
    assert not Scope(environment="production").covers(ManifestEntry("0" * 64, "deploy"))


def test_filtered_run_leaves_everything_outside_its_scope_alone() -> None:
    generate(
        [
            rendered("web/production.sh", "v1\n", environment="production", service="web"),
            rendered("api/production.sh", "v1\n", environment="production", service="api"),
            rendered("web/staging.sh", "v1\n", environment="staging", service="web"),
            rendered("all.sh", "v1\n"),
            rendered("ci.yml", "v1\n", family="pipelines", service="web"),
        ]
    )
    build_file_tree(Path("output"), {"web/staging.sh": "hotfix\n"})
    before = manifest_files()

    report = generate(
        [rendered("web/production.sh", "v2\n", environment="production", service="web")],
        scope=Scope(environment="production"),
    )

    assert report.changed == [Path("output/web/production.sh")]
    assert report.removed == [Path("output/api/production.sh")]
    assert not Path("output/api").exists()
    assert Path("output/web/staging.sh").read_text() == "hotfix\n"
    assert Path("output/all.sh").read_text() == "v1\n"
    assert Path("output/ci.yml").read_text() == "v1\n"
    after = manifest_files()
    assert sorted(after) == ["all.sh", "ci.yml", "web/production.sh", "web/staging.sh"]
    for kept in ("all.sh", "ci.yml", "web/staging.sh"):
        assert after[kept] == before[kept]


# --- check mode -----------------------------------------------------------------------


def test_check_reports_added_changed_removed_with_diffs_and_writes_nothing() -> None:
    generate([rendered("a.txt", "one\ntwo\n"), *simple("b.txt", "old.txt")])
    before = stamps()
    two, new_two, v1, new = sha("one\ntwo\n"), sha("one\n2\n"), sha("v1\n"), sha("new\n")

    result = check(
        plan([rendered("a.txt", "one\n2\n"), *simple("b.txt"), rendered("c.txt", "new\n")])
    )

    assert not result.current
    assert result.report == (
        "changed: output/a.txt\n"
        "added: output/c.txt\n"
        "removed: output/old.txt\n"
        "changed: output/.deployplan-manifest.json\n"
        "\n"
        "--- a/output/a.txt\n"
        "+++ b/output/a.txt\n"
        "@@ -1,2 +1,2 @@\n"
        " one\n"
        "-two\n"
        "+2\n"
        "--- /dev/null\n"
        "+++ b/output/c.txt\n"
        "@@ -0,0 +1 @@\n"
        "+new\n"
        "--- a/output/old.txt\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-v1\n"
        "--- a/output/.deployplan-manifest.json\n"
        "+++ b/output/.deployplan-manifest.json\n"
        "@@ -5,7 +5,7 @@\n"
        '       "executable": false,\n'
        '       "family": "deploy",\n'
        '       "service": null,\n'
        f'-      "sha256": "{two}"\n'
        f'+      "sha256": "{new_two}"\n'
        "     },\n"
        '     "b.txt": {\n'
        '       "environment": null,\n'
        "@@ -14,12 +14,12 @@\n"
        '       "service": null,\n'
        f'       "sha256": "{v1}"\n'
        "     },\n"
        '-    "old.txt": {\n'
        '+    "c.txt": {\n'
        '       "environment": null,\n'
        '       "executable": false,\n'
        '       "family": "deploy",\n'
        '       "service": null,\n'
        f'-      "sha256": "{v1}"\n'
        f'+      "sha256": "{new}"\n'
        "     }\n"
        "   },\n"
        '   "manifest_version": 1,\n'
    )
    assert stamps() == before


def test_check_of_a_current_tree_reports_nothing() -> None:
    files = [rendered("a.txt", "a\n"), rendered("index.md", "# Index\n", root=Root.DOCS)]
    generate(files)

    result = check(plan(files))

    assert result.current
    assert result.report == ""


def test_check_creates_no_roots() -> None:
    result = check(plan(simple("a.txt")))

    assert not result.current
    assert tree() == {}


def test_check_says_binary_file_differs() -> None:
    generate([rendered("logo.png", b"\x89PNG\x00\xff")])

    result = check(plan([rendered("logo.png", b"\x89PNG\x00\xfe")]))

    assert result.report.startswith(
        "changed: output/logo.png\n"
        "changed: output/.deployplan-manifest.json\n"
        "\n"
        "output/logo.png: binary file differs\n"
    )


def test_check_lists_conflicts() -> None:
    generate(simple("a.txt"))
    build_file_tree(Path("output"), {"a.txt": "hotfix\n", "mine.txt": "mine\n"})

    result = check(plan([*simple("a.txt"), rendered("mine.txt", "generated\n")]))

    assert not result.current
    assert result.report.startswith(
        "conflict: output/a.txt (edited by hand)\n"
        "conflict: output/mine.txt (not generated by deployplan)\n"
        "changed: output/.deployplan-manifest.json\n"
        "\n"
        "--- a/output/a.txt\n"
        "+++ b/output/a.txt\n"
        "@@ -1 +1 @@\n"
        "-hotfix\n"
        "+v1\n"
        "--- a/output/mine.txt\n"
    )


# --- containment ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../x", "it has a '..' component"),
        ("/abs", "it is absolute"),
        ("a/../b", "it has a '..' component"),
        ("", "it has an empty or '.' component"),
        ("a\\b", "it contains a backslash"),
        ("a\0b", "it contains a NUL character"),
        (".deployplan-manifest.json", "the name is reserved for deployplan's own files"),
        ("x/.y.deployplan-tmp", "the name is reserved for deployplan's own files"),
    ],
)
def test_unsafe_paths_are_refused(path: str, reason: str) -> None:
    with pytest.raises(OutputConflict) as excinfo:
        plan([rendered(path, "x\n")])

    shown = repr(str(PurePosixPath(path)))
    assert str(excinfo.value) == f"unsafe path {shown} in output/: {reason}"
    assert tree() == {}


def test_writing_through_a_symlink_that_leads_outside_the_root_is_refused(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    Path("output").mkdir()
    Path("output/link").symlink_to(outside)

    with pytest.raises(OutputConflict) as excinfo:
        plan([rendered("link/x.sh", DEPLOY_SH)])

    assert str(excinfo.value) == (
        "unsafe path 'link/x.sh' in output/: it leads outside the root through a symbolic link"
    )
    assert list(outside.iterdir()) == []


def test_pruning_through_a_symlink_that_leads_outside_the_root_is_refused(
    tmp_path: Path,
) -> None:
    generate(simple("keep.txt", "sub/x.txt"))
    outside = tmp_path / "elsewhere"
    build_file_tree(outside, {"x.txt": "v1\n"})
    for path in Path("output/sub").iterdir():
        path.unlink()
    Path("output/sub").rmdir()
    Path("output/sub").symlink_to(outside)

    with pytest.raises(OutputConflict) as excinfo:
        generate(simple("keep.txt"))

    assert str(excinfo.value) == (
        "unsafe path 'sub/x.txt' in output/: it leads outside the root through a symbolic link"
    )
    assert (outside / "x.txt").read_text() == "v1\n"


def test_symlinked_folder_inside_the_root_is_fine() -> None:
    Path("output/real").mkdir(parents=True)
    Path("output/alias").symlink_to("real")

    generate(simple("alias/a.txt"))

    assert Path("output/real/a.txt").read_text() == "v1\n"


def test_unsafe_path_in_a_tampered_manifest_is_refused(tmp_path: Path) -> None:
    generate(simple("a.txt"))
    victim = tmp_path / "victim.txt"
    victim.write_text("v1\n")
    data = json.loads(MANIFEST.read_text())
    data["files"]["../victim.txt"] = data["files"]["a.txt"]
    MANIFEST.write_text(json.dumps(data))

    with pytest.raises(OutputConflict) as excinfo:
        generate([])

    assert str(excinfo.value) == (
        "output/.deployplan-manifest.json is not a valid deployplan manifest:"
        " unsafe path '../victim.txt': it has a '..' component\n"
        "hint: restore it from version control, or delete it and run again"
    )
    assert victim.read_text() == "v1\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "Expecting value: line 1 column 1 (char 0)"),
        ('{"manifest_version": 2, "files": {}}', "manifest_version is not 1"),
        ('{"manifest_version": 1, "files": []}', "'files' is not a mapping"),
        (
            '{"manifest_version": 1, "files": {"a.txt": {"sha256": 1}}}',
            "the entry for 'a.txt' is malformed",
        ),
    ],
)
def test_unreadable_manifest_is_refused(content: str, problem: str) -> None:
    build_file_tree(Path("output"), {".deployplan-manifest.json": content})

    with pytest.raises(OutputConflict) as excinfo:
        plan(simple("a.txt"))

    assert str(excinfo.value) == (
        f"output/.deployplan-manifest.json is not a valid deployplan manifest: {problem}\n"
        "hint: restore it from version control, or delete it and run again"
    )


def test_same_path_generated_twice_is_refused() -> None:
    files = [rendered("a.txt", "a\n"), rendered("a.txt", "b\n", family="backup")]

    with pytest.raises(OutputConflict) as excinfo:
        plan(files)

    assert str(excinfo.value) == "output/a.txt is generated twice (by families deploy and backup)"


def test_two_roots_in_one_folder_are_refused() -> None:
    roots = {Root.OUTPUT: Path("out"), Root.DOCS: Path("out/../out")}

    with pytest.raises(UsageProblem) as excinfo:
        plan_changes([], roots, Scope(), spec_label=SPEC)

    assert str(excinfo.value) == "out and out/../out are the same directory; use two directories"


# --- atomicity ------------------------------------------------------------------------


def fail_third_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make staging run out of disk space on the third file it writes."""
    real_write_temp = generator.output._write_temp
    calls = 0

    def write_temp(target: Path, content: bytes, mode: int) -> Path:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_temp(target, content, mode)

    monkeypatch.setattr(generator.output, "_write_temp", write_temp)


def test_failed_staging_leaves_the_previous_output_intact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generate(simple("a.txt", "b.txt", "c.txt", "stale.txt"))
    before_tree = tree()
    before_files = {path: stamp for path, stamp in stamps().items() if Path(path).is_file()}
    fail_third_write(monkeypatch)

    with pytest.raises(OutputConflict) as excinfo:
        generate(
            [
                *simple("a.txt", "b.txt", "c.txt", content="v2\n"),
                rendered("aa/new.txt", "new\n"),
            ]
        )

    assert str(excinfo.value) == (
        "could not write output/b.txt: No space left on device;"
        " nothing was changed, the previous output is intact"
    )
    assert tree() == before_tree
    assert {path: stamp for path, stamp in stamps().items() if path in before_files} == (
        before_files
    )
    assert temp_files() == []


def test_change_kinds_are_planned_per_file() -> None:
    generate(simple("same.txt", "edit.txt", "stale.txt"))

    changes = plan([*simple("same.txt"), rendered("edit.txt", "v2\n"), *simple("new.txt")])

    kinds = {str(change.path): change.kind for change in changes.changes}
    assert kinds == {
        "edit.txt": ChangeKind.CHANGED,
        "new.txt": ChangeKind.ADDED,
        "same.txt": ChangeKind.UNCHANGED,
        "stale.txt": ChangeKind.REMOVED,
    }
    assert changes.conflicts == ()

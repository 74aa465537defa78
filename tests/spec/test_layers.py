"""A spec in several files: ``include:``, overlays and ``--set``, each node where it was
written."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from generator.diagnostics import Location
from generator.errors import UsageProblem
from generator.spec.layers import Layers, load_layered
from generator.spec.validate import validate_file
from tests.conftest import ROOT, build_file_tree, run_cli

SPLIT = ROOT / "tests" / "specs" / "split"
MINIMAL = (ROOT / "specs" / "examples" / "minimal.yaml").read_text()


def _codes(spec: Path, label: str = "spec.yaml") -> list[tuple[str, Location]]:
    return [(d.code, d.location) for d in validate_file(spec, label).diagnostics]


def test_included_nodes_keep_their_own_file_line_and_column(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "spec.yaml": "include: [more/*.yaml]\nproject: {name: a}\n",
            "more/b.yaml": "# b\nproject:\n  owner: ops\n",
        },
    )
    loaded = load_layered(tmp_path / "spec.yaml", "spec.yaml")
    assert loaded.data == {"project": {"name": "a", "owner": "ops"}}
    assert loaded.positions.value(("project", "name")) == Location("spec.yaml", 2, 17)
    assert loaded.positions.value(("project", "owner")) == Location("more/b.yaml", 3, 10)
    assert sorted(loaded.sources) == ["more/b.yaml", "spec.yaml"]


def test_named_lists_from_includes_are_concatenated_and_duplicates_name_both_files(
    tmp_path: Path,
) -> None:
    build_file_tree(
        tmp_path,
        {
            "spec.yaml": "include: [a.yaml, b.yaml]\nservices: [{name: web}]\n",
            "a.yaml": "services:\n  - name: api\n",
            "b.yaml": "services:\n  - name: web\n",
        },
    )
    loaded = load_layered(tmp_path / "spec.yaml", "spec.yaml")
    assert [s["name"] for s in loaded.data["services"]] == ["web", "api", "web"]
    assert loaded.positions.value(("services", 1, "name")) == Location("a.yaml", 2, 11)
    assert loaded.positions.value(("services", 2, "name")) == Location("b.yaml", 2, 11)


def test_a_later_file_replaces_scalars_and_plain_lists(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "spec.yaml": "include: [b.yaml]\nproject: {name: a, tags: [x, y]}\n",
            "b.yaml": "project: {name: b, tags: [z]}\n",
        },
    )
    loaded = load_layered(tmp_path / "spec.yaml", "spec.yaml")
    assert loaded.data == {"project": {"name": "b", "tags": ["z"]}}
    assert loaded.positions.replaced[("project", "name")] == Location("spec.yaml", 2, 17)
    assert ("project", "tags", 1) not in loaded.positions.values


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ("../outside.yaml", "include-outside"),
        ("/etc/passwd", "include-outside"),
        ("nothing/*.yaml", "include-missing"),
        ("spec.yaml", "include-cycle"),
    ],
)
def test_includes_stay_in_the_spec_folder_exist_and_have_no_cycle(
    tmp_path: Path, entry: str, code: str
) -> None:
    build_file_tree(tmp_path, {"spec.yaml": f"include: ['{entry}']\n{MINIMAL}"})
    assert _codes(tmp_path / "spec.yaml") == [(code, Location("spec.yaml", 1, 11))]


def test_a_symlink_out_of_the_spec_folder_is_refused(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"outside.yaml": "project: {}\n", "in/spec.yaml": MINIMAL})
    (tmp_path / "in" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    spec = tmp_path / "in" / "spec.yaml"
    spec.write_text("include: [link.yaml]\n" + MINIMAL)
    assert _codes(spec) == [("include-outside", Location("spec.yaml", 1, 11))]


def test_diagnostics_name_the_included_file(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {"spec.yaml": "include: [extra.yaml]\n" + MINIMAL, "extra.yaml": "project:\n  nmae: x\n"},
    )
    result = run_cli("validate", str(tmp_path / "spec.yaml"))
    label = f"{tmp_path}/extra.yaml"
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{label}:2:3: error[unknown-key]: unknown key `nmae` in `project`"
    )


def test_overlays_merge_named_items_by_name_and_set_values_show_their_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(
        tmp_path,
        {"spec.yaml": MINIMAL, "ci.yaml": "services:\n  - name: hello-web\n    port: true\n"},
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "validate", "spec.yaml", "-f", "ci.yaml", "--set", "services.hello-web.exposure=moon"
    )
    assert result.exit_code == 1
    assert result.output == (
        "--set services.hello-web.exposure:1:35: error[invalid-value]: "
        "`services[0].exposure` is `moon`; expected one of: `public`, `internal`, `private`\n"
        " 1 | --set services.hello-web.exposure=moon\n"
        "   |                                   ^^^^\n"
        "ci.yaml:3:11: error[wrong-type]: `services[0].port` must be a whole number, not `true`\n"
        " 3 |     port: true\n"
        "   |           ^^^^\n"
        "2 errors\n"
    )


def test_set_needs_path_equals_value_and_an_existing_parent(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"spec.yaml": MINIMAL})
    with pytest.raises(UsageProblem, match=r"expected PATH=VALUE"):
        load_layered(tmp_path / "spec.yaml", "spec.yaml", Layers(settings=("services",)))
    with pytest.raises(UsageProblem, match=r"`services.nope` is not in the spec"):
        load_layered(tmp_path / "spec.yaml", "spec.yaml", Layers(settings=("services.nope.a=1",)))


def test_set_values_are_yaml_scalars(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"spec.yaml": MINIMAL})
    settings = ("project.a=8080", "project.b='8080'", "project.c=true", "project.d=1.5")
    data = load_layered(tmp_path / "spec.yaml", "spec.yaml", Layers(settings=settings)).data
    assert [data["project"][k] for k in "abcd"] == [8080, "8080", True, 1.5]


def test_the_split_shop_spec_loads_the_same_data_as_the_single_file() -> None:
    split = load_layered(SPLIT / "deployplan.yaml", "deployplan.yaml").data
    single = load_layered(ROOT / "specs" / "deployplan.yaml", "deployplan.yaml").data
    assert split == single
    assert list(split["environments"]) == list(single["environments"])


# Compliance evidence and the environments reference page cite the line a value is
# written on; in the split spec that is another line (and file). Those citations are the
# only difference allowed, and every other file must be byte-identical.
_CITATIONS = [
    (re.compile(rb"specs/[\w./-]+\.yaml"), rb"SPEC"),
    (re.compile(rb"SPEC((?::|&#58;)\d+){1,2}"), rb"SPEC:POS"),
    (re.compile(rb"#L\d+"), rb"#L"),
    (re.compile(rb'"line": \d+|line="\d+"|line \d+'), rb"line N"),
    # an environment written in an included file names that file beside its line
    (re.compile(rb"SPEC, line N"), rb"line N"),
]


def _generate_in(project: Path) -> dict[str, bytes]:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        result = run_cli("generate", "--out", "out", "--docs", "docs")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and p.parts[len(project.parts)] in ("out", "docs")
    }


def test_the_split_shop_spec_generates_the_same_files_as_the_single_file(
    tmp_path: Path,
) -> None:
    # Both are generated as `specs/deployplan.yaml` so that the markers name the same spec.
    (tmp_path / "single" / "specs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "deployplan.yaml", tmp_path / "single" / "specs")
    shutil.copytree(SPLIT, tmp_path / "split" / "specs")
    single = _generate_in(tmp_path / "single")
    split = _generate_in(tmp_path / "split")
    assert sorted(single) == sorted(split)
    differing = sorted(name for name in single if single[name] != split[name])
    citing = [n for n in differing if not n.endswith(".deployplan-manifest.json")]
    # compliance evidence and every manual page cite spec lines, which name the file
    assert all("compliance/" in n or n.startswith("docs/") for n in citing)
    for name in citing:
        assert _neutral(single[name]) == _neutral(split[name]), name


def _neutral(content: bytes) -> bytes:
    for pattern, replacement in _CITATIONS:
        content = pattern.sub(replacement, content)
    return content


def test_a_cycle_through_several_files_is_shown_whole(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "spec.yaml": "include: [a.yaml]\n" + MINIMAL,
            "a.yaml": "include: [b.yaml]\n",
            "b.yaml": "include: [a.yaml]\n",
        },
    )
    [problem] = validate_file(tmp_path / "spec.yaml", "spec.yaml").diagnostics
    assert (problem.code, problem.message, problem.location) == (
        "include-cycle",
        "files include each other in a cycle: a.yaml -> b.yaml -> a.yaml",
        Location("b.yaml", 1, 11),
    )


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ("a***", "invalid-include"),
        (".", "invalid-include"),
        ("**", "include-missing"),
        ("[", "include-missing"),
        ("a\\0b", "include-missing"),
        ("C:/x", "include-outside"),
        ("", "include-missing"),
    ],
)
def test_any_include_entry_is_a_diagnostic_not_a_crash(
    tmp_path: Path, entry: str, code: str
) -> None:
    build_file_tree(tmp_path, {"spec.yaml": f'include: ["{entry}"]\n{MINIMAL}'})
    assert [c for c, _ in _codes(tmp_path / "spec.yaml")] == [code]


def test_a_syntax_error_in_an_included_file_shows_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(
        tmp_path,
        {
            "spec.yaml": "include: [b.yaml]\n" + MINIMAL,
            "b.yaml": "project:\n  name: x\n  kind web\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "spec.yaml")
    assert (result.exit_code, result.output) == (
        1,
        "b.yaml:3:3: error[yaml-syntax]: invalid YAML: "
        "`kind web` is not a `key: value` pair; the colon is missing\n"
        " 3 |   kind web\n"
        "   |   ^^^^^^^^\n"
        "  hint: write `kind: web`\n"
        "1 error\n",
    )

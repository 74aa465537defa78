"""The run cache never hides a hand edit from the writer, not even one whose mtime was
put back: the ctime gives it away. The manifests it compares are written line by line,
exactly as json.dumps would."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import time
from dataclasses import asdict
from pathlib import Path

from generator.output.manifest import manifest_bytes
from generator.output.model import MANIFEST_VERSION, ManifestEntry
from tests.conftest import ROOT, run_cli

DEPLOY = Path("out/services/hello-web/deploy/production/deploy.sh")


def _generate(tmp_path: Path) -> tuple[int, str]:
    spec = tmp_path / "minimal.yaml"
    out, docs = tmp_path / "out", tmp_path / "docs"
    result = run_cli("generate", str(spec), "--out", str(out), "--docs", str(docs))
    return result.exit_code, result.output


def test_an_edit_with_its_mtime_restored_is_still_seen_as_a_hand_edit(tmp_path: Path) -> None:
    shutil.copy(ROOT / "specs" / "examples" / "minimal.yaml", tmp_path)
    assert _generate(tmp_path)[0] == 0
    assert _generate(tmp_path) == (
        0,
        f"{tmp_path}/minimal.yaml: nothing changed since the last run\n",
    )
    target = tmp_path / DEPLOY
    generated = target.read_text()
    before = target.stat()
    # file times tick at the kernel's clock granularity: edit in a later tick, as a person would
    time.sleep(0.05)

    # a hotfix of the same size, in place, with the mtime put back: only the ctime differs
    edited = generated.replace("do not ask", "do NOT ask", 1)
    assert edited != generated
    target.write_text(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert after.st_ctime_ns != before.st_ctime_ns

    code, output = _generate(tmp_path)

    diff = "".join(
        difflib.unified_diff(
            generated.splitlines(keepends=True),
            edited.splitlines(keepends=True),
            "generated",
            "on disk (edited)",
        )
    )
    assert (code, output) == (
        1,
        "deployplan: nothing was written: 1 file stands in the way\n\n"
        f"{target} was edited by hand since deployplan wrote it:\n{diff}"
        "hint: carry the change into the spec and regenerate, or rerun with --force to"
        " overwrite it\n",
    )
    assert target.read_text() == edited


def test_manifests_are_written_as_json_dumps_would_indent_them() -> None:
    entries = {
        'b/ü"x.sh': ManifestEntry("ab" * 32, "deploy", "production", "web", True),
        "a.md": ManifestEntry("cd" * 32, "docs"),
        "a/b.yaml": ManifestEntry("ef" * 32, "kubernetes", None, "api\u202e"),
    }
    for listed in ({}, entries):
        data = {
            "manifest_version": MANIFEST_VERSION,
            "spec": 'specs/"dé".yaml',
            "files": {path: asdict(entry) for path, entry in listed.items()},
        }
        expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert manifest_bytes('specs/"dé".yaml', listed) == expected.encode()

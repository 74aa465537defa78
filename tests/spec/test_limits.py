"""Size limits: a spec file too large is refused before it is read, and so is one huge value."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.spec.load import DEFAULT_MAX_SPEC_BYTES
from generator.spec.validate import validate_file

VALID = Path(__file__).resolve().parents[1] / "specs" / "valid"
MINIMAL = (VALID / "minimal.yaml").read_bytes()


def validate(folder: Path, name: str, limit: str | None) -> Result:
    """``deployplan validate NAME`` from ``folder`` with ``DEPLOYPLAN_MAX_SPEC_BYTES=limit``."""
    env = {"DEPLOYPLAN_MAX_SPEC_BYTES": limit, "GITHUB_ACTIONS": None}
    with contextlib.chdir(folder):
        return CliRunner().invoke(cli, ["validate", name], env=env, catch_exceptions=False)


def test_the_default_sits_well_above_the_largest_benchmark_spec() -> None:
    # bench/scale.py writes a 5,000-service spec of about 7.3 MB.
    assert DEFAULT_MAX_SPEC_BYTES == 32 * 1024 * 1024


def test_too_large_spec_text(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_bytes(MINIMAL + b"#" * 2000)
    size = len(MINIMAL) + 2000

    result = validate(tmp_path, "spec.yaml", "1024")

    assert result.exit_code == 1
    assert result.stderr == (
        f"spec.yaml:1:1: error[spec-too-large]: the spec `spec.yaml` is "
        f"{size / 1024 / 1024:.1f} MiB ({size:,} bytes); the limit is 0.0 MiB (1,024 bytes)\n"
        "  hint: a plan of 5,000 services is about 8 MB; if this file is meant to be read, "
        "raise the limit with DEPLOYPLAN_MAX_SPEC_BYTES=<bytes>, "
        "e.g. DEPLOYPLAN_MAX_SPEC_BYTES=67108864\n"
        "1 error\n"
    )


def test_the_limit_is_inclusive(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_bytes(MINIMAL)

    assert validate(tmp_path, "spec.yaml", str(len(MINIMAL))).exit_code == 0
    assert validate(tmp_path, "spec.yaml", str(len(MINIMAL) - 1)).exit_code == 1


def test_an_oversized_spec_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "huge.yaml"
    with spec.open("wb") as stream:
        stream.truncate(DEFAULT_MAX_SPEC_BYTES + 1)  # sparse: no disk, no memory

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the oversized spec was opened")

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.delenv("DEPLOYPLAN_MAX_SPEC_BYTES", raising=False)
    result = validate_file(spec, "huge.yaml")

    assert [(d.code, d.location.line, d.location.column) for d in result.diagnostics] == [
        ("spec-too-large", 1, 1)
    ]
    assert result.source.text == ""


def test_a_stream_without_a_size_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    result = validate(tmp_path, "/dev/zero", "4096")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "/dev/zero:1:1: error[spec-too-large]: the spec `/dev/zero` is larger than that; "
        "the limit is 0.0 MiB (4,096 bytes)\n"
    )


@pytest.mark.parametrize("setting", ["lots", "-5", "0", "1.5e6"])
def test_a_bad_limit_setting_is_a_usage_error(tmp_path: Path, setting: str) -> None:
    (tmp_path / "spec.yaml").write_bytes(MINIMAL)

    result = validate(tmp_path, "spec.yaml", setting)

    assert result.exit_code == 2
    assert result.stderr == (
        "deployplan: DEPLOYPLAN_MAX_SPEC_BYTES must be a positive number of bytes, "
        f"not `{setting}` (e.g. DEPLOYPLAN_MAX_SPEC_BYTES=67108864)\n"
    )


def test_a_value_at_the_limit_passes_and_one_byte_more_fails(tmp_path: Path) -> None:
    template = MINIMAL.decode().replace("description: A small web shop.", "description: {}")
    assert template != MINIMAL.decode()
    spec = tmp_path / "spec.yaml"

    spec.write_text(template.replace("{}", "é" * (32 * 1024)), encoding="utf-8")
    assert validate_file(spec, "spec.yaml").ok
    spec.write_text(template.replace("{}", "é" * (32 * 1024) + "x"), encoding="utf-8")
    codes = [d.code for d in validate_file(spec, "spec.yaml").diagnostics]
    assert codes == ["value-too-long"]

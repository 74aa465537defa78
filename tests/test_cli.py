"""The click layer: lazy imports, exit codes, usage errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import cli

HEAVY = ("jinja2", "jsonschema", "pydantic", "ruamel")
PROBE = """
import sys
from generator.cli import main
sys.argv = ["deployplan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["generate", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"], catch_exceptions=False)
    assert result.output == f"deployplan {__version__}\n"
    assert result.exit_code == 0


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--version"], capture_output=True, text=True
    )
    assert done.stdout == f"deployplan {__version__}\n"


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["validate", "--bogus"], catch_exceptions=False)
    assert result.exit_code == 2


def test_missing_spec_file_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(cli, ["validate", str(missing)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{missing.as_posix()}:1:1: error[unreadable]: cannot read the spec" in result.output


def test_schema_prints_the_committed_schema() -> None:
    root = Path(__file__).resolve().parents[1]
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.output == (root / "specs" / "deployplan.schema.json").read_text("utf-8")

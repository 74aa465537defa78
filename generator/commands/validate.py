"""``deployplan validate``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from generator.report import format_github, format_json, format_text
from generator.spec.layers import NO_LAYERS, Layers
from generator.spec.validate import ValidationResult, validate_file


def spec_label(path: Path) -> str:
    """How a spec path is shown: relative to the working directory when it can be."""
    from generator.spec.layers import file_label

    return file_label(path)


def report(result: ValidationResult, output_format: str = "text") -> None:
    """Print diagnostics: text or JSON, plus annotations under GitHub Actions."""
    diagnostics = result.diagnostics
    if output_format == "json":
        click.echo(format_json(diagnostics), nl=False)
    elif diagnostics:
        click.echo(format_text(diagnostics, result.sources), nl=False, err=True)
    # JSON on stdout must stay parseable, so annotations go with the text format only.
    if diagnostics and output_format == "text" and os.environ.get("GITHUB_ACTIONS") == "true":
        click.echo(format_github(diagnostics), nl=False)


def run(spec: Path, output_format: str, layers: Layers = NO_LAYERS) -> int:
    result = validate_file(spec, spec_label(spec), layers)
    report(result, output_format)
    if result.errors:
        return 1
    if output_format == "text":
        click.echo(f"{result.source.label}: valid", err=True)
    return 0

"""``deployplan docs build|serve``: the manual site, generated then built by MkDocs.

``build`` regenerates the pages and runs ``mkdocs build --strict``. ``serve`` regenerates,
then runs MkDocs' live-reload server watching the spec (with every file it includes and
the folders its include globs search) and the templates as well as the pages: a change
to any of them regenerates the pages, rebuilds and reloads the browser.
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from generator.commands import generate
from generator.errors import UsageProblem

_MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}  # Material's notice about MkDocs 2 is noise here


@dataclass(frozen=True)
class DocsOptions:
    spec: Path
    config_file: Path
    out: Path
    templates: Path | None


def build(options: DocsOptions, site_dir: Path | None) -> int:
    """Generate, then ``mkdocs build --strict``; the exit code is MkDocs' when it fails."""
    code = _generate(options)
    if code != 0:
        return code
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(options.config_file)]
    if site_dir is not None:
        command += ["--site-dir", str(site_dir)]
    done = subprocess.run(command, env={**os.environ, **_MKDOCS_ENV}, check=False)
    return 0 if done.returncode == 0 else 1


def serve(options: DocsOptions, dev_addr: str | None) -> int:
    """Generate, then serve with live reload until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from generator import mkdocs_plugin

    code = _generate(options)
    if code != 0:
        return code
    os.environ.update(_MKDOCS_ENV)
    _show_mkdocs_log()
    mkdocs_plugin.before_build = lambda: _regenerate(options)
    watched = [
        *spec_inputs(options.spec),
        *(str(d) for d in generate.template_dirs(options.templates)),
    ]
    try:
        if dev_addr:
            mkdocs_serve(str(options.config_file), watch=watched, dev_addr=dev_addr)
        else:
            mkdocs_serve(str(options.config_file), watch=watched)
    finally:
        mkdocs_plugin.before_build = None
    return 0


def spec_inputs(spec: Path) -> list[str]:
    """What to watch for the spec: the file, every file it includes and the folder each
    include glob searches (a new file matching it is a change too). An ``include:`` list
    edited while serving is followed from the next start."""
    from generator.commands.validate import spec_label
    from generator.errors import SpecInvalid
    from generator.spec.layers import load_layered

    try:
        inputs = load_layered(spec, spec_label(spec)).inputs
    except SpecInvalid:
        return [str(spec)]
    return sorted({_fixed_part(pattern) for pattern in inputs})


def _fixed_part(pattern: str) -> str:
    """The folder a glob searches, or the file a plain name names."""
    parts = Path(pattern).parts
    fixed = list(itertools.takewhile(lambda part: not any(c in part for c in "*?["), parts))
    return str(Path(*fixed))


def _generate(options: DocsOptions) -> int:
    if not options.config_file.is_file():
        raise UsageProblem(f"{options.config_file} not found: run `deployplan init` first")
    return generate.run(
        generate.GenerateOptions(
            spec=options.spec,
            out=options.out,
            docs=_docs_dir(options.config_file),
            templates=options.templates,
            check=False,
            force=False,
            families=None,
            environment=None,
            service=None,
        )
    )


def _regenerate(options: DocsOptions) -> None:
    """Before each rebuild while serving; a broken spec leaves the last good pages."""
    try:
        if _generate(options) != 0:
            click.echo("deployplan: the spec has problems; serving the last good pages", err=True)
    except Exception as exc:  # keep serving whatever went wrong; the message says what
        click.echo(f"deployplan: could not regenerate: {exc}", err=True)


def _docs_dir(config_file: Path) -> Path:
    """The ``docs_dir`` of ``mkdocs.yml`` (it need not exist yet: generate creates it)."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with config_file.open("rb") as f:
            config = yaml_load(f) or {}
    except Exception as exc:  # any YAML problem: MkDocs would refuse the file too
        raise UsageProblem(f"{config_file}: {exc}") from exc
    docs_dir = config.get("docs_dir", "docs") if isinstance(config, dict) else "docs"
    return config_file.parent / str(docs_dir)


def _show_mkdocs_log() -> None:
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
